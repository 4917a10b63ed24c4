/**
 * `GET {baseUrl}/models`, used to test a key and to list a custom server's models. OpenAI's shape is
 * `{"object":"list","data":[{"id":…}]}`; Ollama's native `/api/tags` shape `{"models":[{"name":…}]}`
 * and a bare array are accepted too, since custom base URLs are whatever the user typed.
 */
import type { ModelListTranslation, ProviderCredentials } from '../provider.js';
import { upstreamProtocolError } from './errors.js';
import { isRecord } from '../../lib/is-record.js';
import { upstreamHeaders, upstreamUrl } from './request.js';

/** Builds the model-list call and the reader of its answer (upstream ids, without provider prefix). */
export function buildModelListTranslation(credentials: ProviderCredentials): ModelListTranslation {
  return {
    call: {
      method: 'GET',
      url: upstreamUrl(credentials.baseUrl, '/models'),
      headers: upstreamHeaders(credentials.apiKey, 'application/json', false),
    },
    parseResponse(json: unknown): string[] {
      const entries = Array.isArray(json)
        ? json
        : isRecord(json) && Array.isArray(json.data)
          ? json.data
          : isRecord(json) && Array.isArray(json.models)
            ? json.models
            : undefined;
      if (entries === undefined) throw upstreamProtocolError('The upstream answer is not a model list.');
      const ids: string[] = [];
      for (const entry of entries) {
        const id = modelId(entry);
        if (id !== undefined && !ids.includes(id)) ids.push(id);
      }
      return ids;
    },
  };
}

function modelId(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry === '' ? undefined : entry;
  if (!isRecord(entry)) return undefined;
  for (const key of ['id', 'name', 'model']) {
    const value = entry[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
