import { describe, expect, it } from 'vitest';
import type { EmbeddingsRequest } from '../../openai/types.js';
import { floatsToBase64 } from '../embedding-encoding.js';
import { buildEmbeddingsTranslation } from './embeddings.js';

const credentials = { baseUrl: 'https://api.mistral.ai/v1', apiKey: 'key' };
const VECTOR = [0.5, -0.25, 1];
const VECTOR_BASE64 = floatsToBase64(VECTOR);

function translation(request: Partial<EmbeddingsRequest> = {}) {
  return buildEmbeddingsTranslation(
    {
      request: { model: 'mistral/mistral-embed', input: ['a', 'b'], ...request },
      upstreamModel: 'mistral-embed',
      publicModel: 'mistral/mistral-embed',
    },
    credentials,
  );
}

function upstream(embedding: number[] | string) {
  return {
    id: 'emb-1',
    object: 'list',
    model: 'mistral-embed',
    data: [{ object: 'embedding', index: 0, embedding }],
    usage: { prompt_tokens: 4, total_tokens: 4 },
  };
}

describe('buildEmbeddingsTranslation', () => {
  it("buildEmbeddingsTranslation() posts the request with the upstream model and the client's encoding_format", () => {
    expect(translation({ encoding_format: 'base64', dimensions: 256 }).call).toEqual({
      method: 'POST',
      url: 'https://api.mistral.ai/v1/embeddings',
      headers: { accept: 'application/json', 'content-type': 'application/json', authorization: 'Bearer key' },
      body: JSON.stringify({ model: 'mistral-embed', input: ['a', 'b'], encoding_format: 'base64', dimensions: 256 }),
    });
    expect(JSON.parse(translation().call.body ?? '')).toEqual({ model: 'mistral-embed', input: ['a', 'b'] });
  });

  it('parseResponse() encodes floats as base64 when the client asked for base64', () => {
    expect(translation({ encoding_format: 'base64' }).parseResponse(upstream(VECTOR))).toEqual({
      object: 'list',
      model: 'mistral/mistral-embed',
      data: [{ object: 'embedding', index: 0, embedding: VECTOR_BASE64 }],
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
  });

  it('parseResponse() decodes base64 when the client asked for floats or nothing', () => {
    for (const request of [{ encoding_format: 'float' as const }, {}]) {
      expect(translation(request).parseResponse(upstream(VECTOR_BASE64)).data[0]?.embedding).toEqual(VECTOR);
    }
  });

  it('parseResponse() passes matching encodings through', () => {
    expect(translation().parseResponse(upstream(VECTOR)).data[0]?.embedding).toEqual(VECTOR);
    expect(translation({ encoding_format: 'base64' }).parseResponse(upstream(VECTOR_BASE64)).data[0]?.embedding).toBe(
      VECTOR_BASE64,
    );
  });

  it('parseResponse() tolerates a missing index and usage', () => {
    expect(translation().parseResponse({ data: [{ embedding: [1] }, { embedding: [2] }] })).toEqual({
      object: 'list',
      model: 'mistral/mistral-embed',
      data: [
        { object: 'embedding', index: 0, embedding: [1] },
        { object: 'embedding', index: 1, embedding: [2] },
      ],
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });

  it('parseResponse() throws a 502 protocol error for a body that is not an embeddings list', () => {
    for (const body of [null, { data: 'x' }, { data: [{ embedding: { a: 1 } }] }, { data: [7] }]) {
      expect(() => translation().parseResponse(body)).toThrow(expect.objectContaining({ status: 502, failure: 'protocol' }));
    }
  });
});
