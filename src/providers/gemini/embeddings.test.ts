import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { EmbeddingsRequest } from '../../openai/types.js';
import { base64ToFloats } from '../embedding-encoding.js';
import type { ProviderCredentials } from '../provider.js';
import { jsonOf, recordingsIn } from '../../../test/helpers/recording.js';
import { buildGeminiEmbeddings } from './embeddings.js';

const recorded = recordingsIn(new URL('./__fixtures__/', import.meta.url));

const credentials: ProviderCredentials = { baseUrl: 'https://generativelanguage.googleapis.com', apiKey: 'AIzaTestKey123' };

function build(request: Partial<EmbeddingsRequest>) {
  return buildGeminiEmbeddings(
    {
      request: { model: 'gemini/gemini-embedding-001', input: '', ...request },
      upstreamModel: 'gemini-embedding-001',
      publicModel: 'gemini/gemini-embedding-001',
    },
    credentials,
  );
}

describe('buildGeminiEmbeddings()', () => {
  it('buildGeminiEmbeddings() sends one string to embedContent with outputDimensionality', () => {
    const { call, parseResponse } = build({ input: 'hello', dimensions: 3 });
    expect(call).toEqual({
      method: 'POST',
      url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:embedContent',
      headers: { 'x-goog-api-key': 'AIzaTestKey123', 'content-type': 'application/json' },
      body: expect.any(String),
    });
    expect(JSON.parse(call.body ?? '')).toEqual({ content: { parts: [{ text: 'hello' }] }, outputDimensionality: 3 });
    expect(parseResponse(jsonOf(recorded('embed-single.response.http')))).toEqual({
      object: 'list',
      model: 'gemini/gemini-embedding-001',
      data: [{ object: 'embedding', index: 0, embedding: [0.5, -0.25, 0.125] }],
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });

  it('buildGeminiEmbeddings() sends a list to batchEmbedContents and keeps the input order', () => {
    const { call, parseResponse } = build({ input: ['first', 'second'] });
    expect(call.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(JSON.parse(call.body ?? '')).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'first' }] } },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'second' }] } },
      ],
    });
    expect(parseResponse(jsonOf(recorded('embed-batch.response.http'))).data).toEqual([
      { object: 'embedding', index: 0, embedding: [0.5, -0.25, 0.125] },
      { object: 'embedding', index: 1, embedding: [1, 0, -1] },
    ]);
  });

  it('buildGeminiEmbeddings() encodes vectors as base64 float32 little-endian when asked', () => {
    const { parseResponse } = build({ input: ['first', 'second'], encoding_format: 'base64' });
    const data = parseResponse(jsonOf(recorded('embed-batch.response.http'))).data;
    expect(data[0]?.embedding).toBe(Buffer.from(new Float32Array([0.5, -0.25, 0.125]).buffer).toString('base64'));
    expect(base64ToFloats(String(data[1]?.embedding))).toEqual([1, 0, -1]);
  });

  it('buildGeminiEmbeddings() reports prompt tokens when Gemini sends usage metadata', () => {
    const { parseResponse } = build({ input: 'hello' });
    const response = parseResponse({ embedding: { values: [1] }, usageMetadata: { promptTokenCount: 2 } });
    expect(response.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
  });

  it('buildGeminiEmbeddings() rejects token arrays with a 400', () => {
    for (const input of [[1, 2, 3], [[1, 2]]]) {
      expect(() => build({ input })).toThrow(expect.objectContaining({ status: 400, param: 'input[0]' }));
    }
    expect(() => build({ input: [] })).toThrow(GatewayError);
  });

  it('buildGeminiEmbeddings() throws a protocol error when the batch answer has the wrong length', () => {
    const { parseResponse } = build({ input: ['a', 'b', 'c'] });
    expect(() => parseResponse(jsonOf(recorded('embed-batch.response.http')))).toThrow(
      expect.objectContaining({ status: 502, failure: 'protocol' }),
    );
  });
});
