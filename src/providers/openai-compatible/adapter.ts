/**
 * The adapter shared by every host that speaks OpenAI's Chat Completions: OpenAI itself, Groq,
 * Mistral, Together, Fireworks and custom servers (vLLM, Ollama, …). What differs between them
 * lives in `quirks.ts`; everything else is the same wire protocol.
 */
import type { ProviderAdapter } from '../provider.js';
import { wantsReasoning } from '../reasoning.js';
import { buildEmbeddingsTranslation } from './embeddings.js';
import { mapError } from './errors.js';
import { buildModelListTranslation } from './models.js';
import type { OpenAICompatibleProviderId } from '../provider.js';
import { buildChatCall, upstreamHeaders, upstreamUrl } from './request.js';
import { encodePlainResponse, parseChatResponse } from './response.js';
import { createChatStream } from './stream.js';

/** Providers without an embeddings endpoint. */
const NO_EMBEDDINGS: ReadonlySet<OpenAICompatibleProviderId> = new Set(['groq']);

/** Creates the adapter for one OpenAI-compatible provider. */
export function createOpenAICompatibleAdapter(providerId: OpenAICompatibleProviderId): ProviderAdapter {
  return {
    chat(input, credentials) {
      const { call, warnings, toolIds } = buildChatCall(providerId, input, credentials);
      // The closures read these, never `input`: it holds the client's request and text, which a
      // long stream must not keep alive (see docs/performance.md, "Nothing holds the context after the send").
      const { publicModel, includeUsage } = input;
      const modelJson = JSON.stringify(publicModel);
      const reasoning = wantsReasoning(input.request);
      return {
        call,
        warnings,
        parseResponse: (json) => parseChatResponse(json, publicModel, toolIds, reasoning),
        encodeResponse: (text, json) => encodePlainResponse(text, json, modelJson, toolIds, reasoning),
        createStream: (encoded) => createChatStream({ publicModel, includeUsage, toolIds, reasoning, encoded }),
      };
    },
    embeddings: NO_EMBEDDINGS.has(providerId) ? undefined : buildEmbeddingsTranslation,
    listModels: buildModelListTranslation,
    mapError,
    nativeCall(input, credentials) {
      // The key and the content type are ours; forwarded headers only add.
      const accept = input.stream ? 'text/event-stream' : 'application/json';
      const headers = Object.assign({}, input.headers, upstreamHeaders(credentials.apiKey, accept, true));
      return { method: 'POST', url: upstreamUrl(credentials.baseUrl, input.path), headers, body: input.body };
    },
  };
}
