/**
 * OpenAI `/v1/embeddings` → Gemini `embedContent` (one string) or `batchEmbedContents` (a list).
 *
 * Gemini embeds text, not token ids, so OpenAI's token-array inputs are a 400. Gemini's embedding
 * answers carry no token counts today; `usage` reports `usageMetadata.promptTokenCount` when a
 * response has it and 0 otherwise (so such requests are billed as free: say so in prices).
 *
 * @see https://ai.google.dev/api/embeddings
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */
import { z } from 'zod';
import { GatewayError, invalidRequest } from '../../errors.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../openai/types.js';
import { floatsToBase64 } from '../embedding-encoding.js';
import type { EmbeddingsCallInput, EmbeddingsTranslation, ProviderCredentials } from '../provider.js';
import { geminiEndpoint, modelPath } from './endpoint.js';
import { parseUpstream } from './wire.js';

interface EmbedContentRequest {
  content: { parts: Array<{ text: string }> };
  outputDimensionality?: number;
}

const valuesSchema = z.object({ values: z.array(z.number()) });
const usageSchema = z.object({ promptTokenCount: z.number().nullish() }).nullish();
const singleSchema = z.object({ embedding: valuesSchema, usageMetadata: usageSchema });
const batchSchema = z.object({ embeddings: z.array(valuesSchema), usageMetadata: usageSchema });

/** Builds the embeddings call and the mapper for its answer. */
export function buildGeminiEmbeddings(input: EmbeddingsCallInput, credentials: ProviderCredentials): EmbeddingsTranslation {
  const { request, upstreamModel, publicModel } = input;
  const texts = inputTexts(request.input);
  const model = modelPath(upstreamModel);
  const base64 = request.encoding_format === 'base64';
  const single = typeof request.input === 'string';
  const method = single ? 'embedContent' : 'batchEmbedContents';
  const body = single
    ? embedRequest(texts[0] ?? '', request.dimensions)
    : { requests: texts.map((text) => ({ model, ...embedRequest(text, request.dimensions) })) };
  const { url, headers } = geminiEndpoint(credentials, `${model}:${method}`, 'POST');

  return {
    call: { method: 'POST', url, headers, body: JSON.stringify(body) },
    parseResponse(json: unknown): EmbeddingsResponse {
      const parsed = single ? readSingle(json) : readBatch(json, texts.length);
      const tokens = parsed.promptTokens;
      return {
        object: 'list',
        model: publicModel,
        data: parsed.vectors.map((values, index) => ({
          object: 'embedding',
          index,
          embedding: base64 ? floatsToBase64(values) : values,
        })),
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    },
  };
}

interface Vectors {
  vectors: number[][];
  promptTokens: number;
}

function readSingle(json: unknown): Vectors {
  const { embedding, usageMetadata } = parseUpstream(singleSchema, json, 'embedding response');
  return { vectors: [embedding.values], promptTokens: usageMetadata?.promptTokenCount ?? 0 };
}

function readBatch(json: unknown, expected: number): Vectors {
  const { embeddings, usageMetadata } = parseUpstream(batchSchema, json, 'batch embedding response');
  // OpenAI clients pair vectors with inputs by index: a short answer must not shift them.
  if (embeddings.length !== expected) {
    throw new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_error',
      message: `Gemini returned ${embeddings.length} embeddings for ${expected} inputs.`,
      retryable: true,
      failure: 'protocol',
    });
  }
  return { vectors: embeddings.map((e) => e.values), promptTokens: usageMetadata?.promptTokenCount ?? 0 };
}

function embedRequest(text: string, dimensions: number | undefined): EmbedContentRequest {
  const request: EmbedContentRequest = { content: { parts: [{ text }] } };
  if (dimensions !== undefined && dimensions !== null) request.outputDimensionality = dimensions;
  return request;
}

/** The input as strings; token ids (number arrays) cannot be sent to Gemini. */
function inputTexts(input: EmbeddingsRequest['input']): string[] {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) {
    throw invalidRequest('input must be a string or a non-empty array of strings.', 'input');
  }
  return input.map((item, i) => {
    if (typeof item === 'string') return item;
    throw invalidRequest('Gemini embeds text only: token arrays are not supported, send strings.', `input[${i}]`);
  });
}
