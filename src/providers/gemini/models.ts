/**
 * Gemini's model list → upstream model ids (`models/gemini-2.5-flash` → `gemini-2.5-flash`).
 *
 * @see https://ai.google.dev/api/models#method:-models.list
 */
import { z } from 'zod';
import type { ModelListTranslation, ProviderCredentials } from '../provider.js';
import { geminiEndpoint } from './endpoint.js';
import { parseUpstream } from './wire.js';

const modelListSchema = z.object({
  models: z.array(z.object({ name: z.string() })).nullish(),
});

/**
 * The authenticated list call. `pageSize=1000` (the documented maximum) because the default page
 * of 50 is already shorter than Google's catalog, and the contract is a single call.
 */
export function buildGeminiModelList(credentials: ProviderCredentials): ModelListTranslation {
  const { url, headers } = geminiEndpoint(credentials, 'models?pageSize=1000', 'GET');
  return {
    call: { method: 'GET', url, headers },
    parseResponse(json: unknown): string[] {
      const { models } = parseUpstream(modelListSchema, json, 'model list');
      return (models ?? []).map(({ name }) => (name.startsWith('models/') ? name.slice('models/'.length) : name));
    },
  };
}
