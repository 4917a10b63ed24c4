/**
 * Where and how to call Gemini: one place for URL joining and the key header, so the chat,
 * embeddings and model-list calls cannot drift apart.
 *
 * @see https://ai.google.dev/api#api-versions
 */
import type { ProviderCredentials } from '../provider.js';

// A base URL that already names an API version (as the SDK's `baseUrl` + `apiVersion` would print
// it, e.g. `https://generativelanguage.googleapis.com/v1beta`) must not get a second one.
const VERSION_SUFFIX = /\/v1(?:alpha|beta)?$/;

/** The URL and headers for one Gemini path such as `models/gemini-2.5-flash:generateContent`. */
export function geminiEndpoint(
  credentials: ProviderCredentials,
  path: string,
  method: 'GET' | 'POST',
): { url: string; headers: Record<string, string> } {
  const base = credentials.baseUrl.trim().replace(/\/+$/, '');
  const root = VERSION_SUFFIX.test(base) ? base : `${base}/v1beta`;
  // The key goes in a header, never in `?key=`: URLs end up in access logs and error messages.
  const headers: Record<string, string> = { 'x-goog-api-key': credentials.apiKey };
  if (method === 'POST') headers['content-type'] = 'application/json';
  return { url: `${root}/${path}`, headers };
}

/**
 * `models/{id}` for a model id as the client wrote it. Accepts ids that already carry the
 * `models/` resource prefix, and escapes the rest so a model string can never change the path.
 */
export function modelPath(model: string): string {
  const id = model.startsWith('models/') ? model.slice('models/'.length) : model;
  return `models/${encodeURIComponent(id)}`;
}
