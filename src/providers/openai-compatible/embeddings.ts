/**
 * `POST {baseUrl}/embeddings` on OpenAI-compatible hosts. The client's `encoding_format` is forwarded,
 * but hosts do not all honour it (some always return floats), so the answer is converted to what
 * the client asked for: openai-node asks for base64 by default and cannot read floats then.
 *
 * @see docs/providers.md §1.9
 */
import type { EmbeddingsResponse } from '../../openai/types.js';
import { base64ToFloats, floatsToBase64 } from '../embedding-encoding.js';
import type { EmbeddingsCallInput, EmbeddingsTranslation, ProviderCredentials } from '../provider.js';
import { upstreamProtocolError } from './errors.js';
import { isRecord } from '../../lib/is-record.js';
import { upstreamHeaders, upstreamUrl } from './request.js';

type Embedding = EmbeddingsResponse['data'][number];

/** Builds the embeddings call and the reader of its answer. */
export function buildEmbeddingsTranslation(input: EmbeddingsCallInput, credentials: ProviderCredentials): EmbeddingsTranslation {
  // OpenAI's default is float when encoding_format is absent.
  const wantsBase64 = input.request.encoding_format === 'base64';
  return {
    call: {
      method: 'POST',
      url: upstreamUrl(credentials.baseUrl, '/embeddings'),
      headers: upstreamHeaders(credentials.apiKey, 'application/json', true),
      body: JSON.stringify({ ...input.request, model: input.upstreamModel }),
    },
    parseResponse(json: unknown): EmbeddingsResponse {
      if (!isRecord(json) || !Array.isArray(json.data)) {
        throw upstreamProtocolError('The upstream answer is not an embeddings list.');
      }
      const data = json.data.map((item: unknown, position: number): Embedding => {
        if (!isRecord(item)) throw upstreamProtocolError('The upstream answer has a malformed embedding.');
        const index = typeof item.index === 'number' ? item.index : position;
        return { object: 'embedding', index, embedding: convertEmbedding(item.embedding, wantsBase64) };
      });
      const usage = isRecord(json.usage) ? json.usage : {};
      const promptTokens = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0;
      const totalTokens = typeof usage.total_tokens === 'number' ? usage.total_tokens : promptTokens;
      return {
        object: 'list',
        model: input.publicModel,
        data,
        usage: { prompt_tokens: promptTokens, total_tokens: totalTokens },
      };
    },
  };
}

function convertEmbedding(embedding: unknown, wantsBase64: boolean): number[] | string {
  if (typeof embedding === 'string') return wantsBase64 ? embedding : base64ToFloats(embedding);
  if (Array.isArray(embedding) && embedding.every((value) => typeof value === 'number')) {
    return wantsBase64 ? floatsToBase64(embedding) : embedding;
  }
  throw upstreamProtocolError('The upstream returned an embedding that is neither a float array nor base64.');
}
