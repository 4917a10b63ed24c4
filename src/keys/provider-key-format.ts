/**
 * Checks a pasted provider key: trimmed, no inner whitespace, not plainly another provider's key.
 * Prefixes are hints for a helpful message only; routing is always by configuration.
 */
import { invalidRequest } from '../errors.js';
import { PROVIDERS, detectKeyProvider } from '../providers/registry.js';
import type { ProviderId } from '../providers/provider.js';

/** Returns the cleaned key or throws a 400 that tells the user what to do. */
export function checkProviderKey(provider: ProviderId, rawKey: string): string {
  const key = rawKey.trim();
  const info = PROVIDERS[provider];
  if (key === '') {
    if (info.keyOptional) return key;
    throw invalidRequest(`api_key is required for ${info.label}.`, 'api_key');
  }
  if (/\s/.test(key)) throw invalidRequest('api_key must not contain spaces or line breaks.', 'api_key');
  if (key.length > 4096) throw invalidRequest('api_key is too long.', 'api_key');
  if (provider === 'custom') return key;
  const looksLike = detectKeyProvider(key);
  if (looksLike !== undefined && looksLike !== provider) {
    const other = PROVIDERS[looksLike];
    throw invalidRequest(
      `This looks like ${/^[AEIOU]/.test(other.label) ? 'an' : 'a'} ${other.label} key (${other.keyFormat.replace('...', '…')}); choose ${other.label}.`,
      'api_key',
    );
  }
  return key;
}

/** At most the first 3 and the last 4 characters; shorter keys show less so a hint never reveals most of a key. */
export function keyHint(key: string): string {
  if (key.length === 0) return '';
  if (key.length >= 16) return `${key.slice(0, 3)}…${key.slice(-4)}`;
  if (key.length >= 8) return `…${key.slice(-2)}`;
  return '…';
}
