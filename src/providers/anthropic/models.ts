/**
 * The authenticated model list: `GET {baseUrl}/v1/models` → model ids.
 *
 * @see https://docs.claude.com/en/api/models-list
 */
import type { ModelListTranslation, ProviderCredentials } from '../provider.js';
import { z } from 'zod';
import { anthropicEndpoint } from './endpoint.js';
import { anthropicProtocolError } from './errors.js';

/**
 * The list is paginated (20 per page by default, 1000 at most). One call must return every model,
 * and Anthropic serves far fewer than 1000, so the maximum page size avoids pagination.
 */
const PAGE_SIZE = 1000;

const modelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

/** Builds the model-list call (`ProviderAdapter.listModels`). */
export function listAnthropicModels(credentials: ProviderCredentials): ModelListTranslation {
  const { url, headers } = anthropicEndpoint(credentials, `/v1/models?limit=${PAGE_SIZE}`);
  return {
    call: { method: 'GET', url, headers },
    parseResponse(json: unknown): string[] {
      const parsed = modelListSchema.safeParse(json);
      if (!parsed.success) {
        throw anthropicProtocolError('Anthropic returned a model list the gateway could not read.', parsed.error);
      }
      return parsed.data.data.map((model) => model.id);
    },
  };
}
