/**
 * Where and how to call Anthropic: one place for the URL joining and the three headers every
 * request needs, so the messages and models calls cannot drift apart.
 *
 * @see https://docs.claude.com/en/api/versioning
 */
import type { ProviderCredentials } from '../provider.js';

/** The API version the translators are written against (the official SDK pins the same value). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** The URL and headers for one Anthropic path such as `/v1/messages`. */
export function anthropicEndpoint(
  credentials: ProviderCredentials,
  path: string,
): { url: string; headers: Record<string, string> } {
  // Configured base URLs may end with `/`; joining blindly would give `//v1/messages`, which some
  // proxies in front of Anthropic answer with 404.
  const base = credentials.baseUrl.replace(/\/+$/, '');
  return {
    url: `${base}${path}`,
    headers: {
      'x-api-key': credentials.apiKey,
      'anthropic-version': ANTHROPIC_VERSION,
      'content-type': 'application/json',
    },
  };
}
