/**
 * The Anthropic Messages adapter: wires the request, response, stream, error and model-list
 * translators into the gateway's ProviderAdapter contract.
 *
 * @see https://docs.claude.com/en/api/messages
 */
import type { ProviderAdapter } from '../provider.js';
import { wantsReasoning } from '../reasoning.js';
import { anthropicEndpoint } from './endpoint.js';
import { mapAnthropicError } from './errors.js';
import { listAnthropicModels } from './models.js';
import { toAnthropicRequest } from './request.js';
import { toChatCompletion } from './response.js';
import { createAnthropicStream } from './stream.js';

export const anthropicAdapter: ProviderAdapter = {
  chat(input, credentials) {
    const { call, warnings, answerTool } = toAnthropicRequest(input, credentials);
    const { publicModel, includeUsage } = input;
    const reasoning = wantsReasoning(input.request);
    return {
      call,
      warnings,
      parseResponse: (json) => toChatCompletion(json, { publicModel, answerTool, reasoning }),
      createStream: () => createAnthropicStream({ publicModel, includeUsage, answerTool, reasoning }),
    };
  },
  // Anthropic has no embeddings endpoint (it points to Voyage AI).
  embeddings: undefined,
  listModels: listAnthropicModels,
  mapError: mapAnthropicError,
  nativeCall(input, credentials) {
    const endpoint = anthropicEndpoint(credentials, input.path);
    // The key, the API version and the content type are ours; forwarded headers only add (anthropic-beta).
    const headers = Object.assign({}, input.headers, endpoint.headers);
    headers.accept = input.stream ? 'text/event-stream' : 'application/json';
    return { method: 'POST', url: endpoint.url, headers, body: input.body };
  },
};
