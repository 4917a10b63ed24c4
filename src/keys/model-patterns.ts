/**
 * Model allow-lists: exact model strings or patterns ending in `*` (`openai/*`,
 * `anthropic/claude-*`, or `*` for everything).
 */
import { invalidRequest } from '../errors.js';

const MODEL = /^[a-z0-9][a-z0-9-]{0,62}\/\S+$/;
const MAX_ENTRIES = 200;

/** Validates a list of allow-list entries; returns them trimmed. */
export function checkModelPatterns(value: unknown, param: string): string[] {
  if (!Array.isArray(value)) throw invalidRequest(`${param} must be a list of model strings such as "openai/*".`, param);
  if (value.length > MAX_ENTRIES) throw invalidRequest(`${param} may hold at most ${MAX_ENTRIES} entries.`, param);
  return value.map((entry, i) => {
    if (typeof entry !== 'string') throw invalidRequest(`${param}[${i}] must be a string.`, param);
    const pattern = entry.trim();
    if (pattern === '*') return pattern;
    const star = pattern.indexOf('*');
    if (star !== -1 && star !== pattern.length - 1) {
      throw invalidRequest(`${param}[${i}] may use * only at the end, as in "anthropic/claude-*".`, param);
    }
    const body = star === -1 ? pattern : pattern.slice(0, -1);
    // `openai/*` has an empty model part before the star; anything else needs provider/model.
    if (!(star !== -1 && /^[a-z0-9][a-z0-9-]{0,62}\/$/.test(body)) && !MODEL.test(star === -1 ? body : `${body}x`)) {
      throw invalidRequest(
        `${param}[${i}] must look like "provider/model" or "provider/*" (got an entry without a provider prefix).`,
        param,
      );
    }
    return pattern;
  });
}

/** Validates a single model string (no wildcard). */
export function checkModelString(value: unknown, param: string): string {
  if (typeof value !== 'string' || !MODEL.test(value.trim()) || value.includes('*')) {
    throw invalidRequest(`${param} must be a model string such as "openai/gpt-4o-mini".`, param);
  }
  return value.trim();
}

/** True if the model is allowed; an empty list allows every model. */
export function isModelAllowed(patterns: readonly string[], model: string): boolean {
  if (patterns.length === 0) return true;
  for (const pattern of patterns) {
    if (pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : model === pattern) return true;
  }
  return false;
}

/**
 * True if the allow-list lets the key call at least one model of the provider named `name`, for
 * requests that are about a provider rather than one model (reading responses stored there).
 */
export function allowsAnyModelOf(patterns: readonly string[], name: string): boolean {
  if (patterns.length === 0) return true;
  const prefix = `${name}/`;
  return patterns.some((pattern) => pattern === '*' || pattern.startsWith(prefix));
}
