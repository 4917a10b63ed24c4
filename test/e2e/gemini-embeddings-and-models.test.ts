/**
 * Gemini behind the OpenAI API, end to end: embeddings (embedContent / batchEmbedContents), the
 * model list and the provider test (`GET /v1beta/models`), with the official `openai` SDK against
 * the real Z-AI server in front of a fake Gemini (see test/helpers/gemini-gateway.ts).
 */
import { describe, expect, it } from 'vitest';
import { GEMINI_KEY, CATALOG_MODEL, EMBEDDING_MODEL, useGeminiGateway } from '../helpers/gemini-gateway.js';
import { bodyOf } from '../helpers/fake-upstream.js';

const gemini = useGeminiGateway();

describe('embeddings', () => {
  it('one string → embedContent, returned as floats when asked for', async () => {
    const res = await gemini.client.embeddings.create({
      model: EMBEDDING_MODEL,
      input: 'hello',
      encoding_format: 'float',
      dimensions: 3,
    });
    expect(res.model).toBe(EMBEDDING_MODEL);
    expect(res.data).toEqual([{ object: 'embedding', index: 0, embedding: [0.5, -0.25, 0.125] }]);
    const sent = gemini.lastCall('gemini-embedding-001', 'embedContent');
    expect(sent.path).toBe('/v1beta/models/gemini-embedding-001:embedContent');
    expect(sent.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(bodyOf(sent)).toEqual({ content: { parts: [{ text: 'hello' }] }, outputDimensionality: 3 });
  });

  it('a list → batchEmbedContents; the SDK default (base64) decodes to the same floats, in input order', async () => {
    const res = await gemini.client.embeddings.create({ model: EMBEDDING_MODEL, input: ['a', 'b', 'c'] });
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(res.data.map((d) => d.embedding)).toEqual([
      [0.5, -0.25, 0.125],
      [1, -0.25, 0.125],
      [1.5, -0.25, 0.125],
    ]);
    expect(bodyOf(gemini.lastCall('gemini-embedding-001', 'batchEmbedContents'))).toEqual({
      requests: ['a', 'b', 'c'].map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] } })),
    });

    // What the SDK asked for and decoded: base64 of little-endian float32.
    const raw = await fetch(`${gemini.zai.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gemini.zaiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: EMBEDDING_MODEL, input: ['a'], encoding_format: 'base64' }),
    });
    expect(raw.status).toBe(200);
    const rawBody = (await raw.json()) as { data: Array<{ embedding: unknown }> };
    expect(typeof rawBody.data[0]?.embedding).toBe('string');
    const bytes = Buffer.from(rawBody.data[0]!.embedding as string, 'base64');
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4))).toEqual([0.5, -0.25, 0.125]);
  });
});

describe('models and the provider test', () => {
  it('/v1/models lists the catalog models of the Gemini provider', async () => {
    const ids = (await gemini.client.models.list()).data.map((m) => m.id);
    expect(ids).toContain(CATALOG_MODEL);
    expect(ids).toContain(EMBEDDING_MODEL);
    expect(ids.every((id) => id.startsWith('gemini/'))).toBe(true);
  });

  it('POST /api/providers/:id/test calls GET /v1beta/models with x-goog-api-key', async () => {
    const res = await gemini.api.post<{ ok: boolean; status: number; models: number }>(
      `/api/providers/${gemini.providerId}/test`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, status: 200, models: 3 });
    const call = gemini.fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1beta/models')).at(-1)!;
    expect(call.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(call.path).not.toContain('key=');
  });
});
