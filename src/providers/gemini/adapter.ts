/**
 * The Gemini provider adapter: OpenAI's API in front of Google's generateContent API (v1beta).
 *
 * @see https://ai.google.dev/api
 */
import type { ProviderAdapter } from '../provider.js';
import { wantsReasoning } from '../reasoning.js';
import { buildGeminiEmbeddings } from './embeddings.js';
import { mapGeminiError } from './errors.js';
import { buildGeminiModelList } from './models.js';
import { buildGeminiChatCall } from './request.js';
import { toChatCompletion } from './response.js';
import { createGeminiStream } from './stream.js';

export const geminiAdapter: ProviderAdapter = {
  chat(input, credentials) {
    const { call, warnings } = buildGeminiChatCall(input, credentials);
    const choices = input.request.n ?? 1;
    const reasoning = wantsReasoning(input.request);
    return {
      call,
      warnings,
      parseResponse: (json) => toChatCompletion(json, { publicModel: input.publicModel, choices, reasoning }),
      createStream: () => createGeminiStream({ publicModel: input.publicModel, includeUsage: input.includeUsage, reasoning }),
    };
  },
  embeddings: buildGeminiEmbeddings,
  listModels: buildGeminiModelList,
  mapError: mapGeminiError,
};
