/**
 * Gemini behind the OpenAI API, end to end: Google error bodies (canonical statuses and details) and
 * broken streams as the official `openai` SDK sees them, against the real Z-AI server in front of a
 * fake Gemini (see test/helpers/gemini-gateway.ts).
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { accountWithKey } from '../helpers/harness.js';
import { writeFrames, drainStream } from '../helpers/fake-upstream.js';
import { CATALOG_MODEL, EMBEDDING_MODEL, useGeminiGateway } from '../helpers/gemini-gateway.js';
import { chunk, dataEvent, googleError } from '../helpers/gemini-wire.js';

const gemini = useGeminiGateway();

describe('upstream errors', () => {
  it('429 RESOURCE_EXHAUSTED → RateLimitError 429 with retry-after from RetryInfo', async () => {
    gemini.behaviours.set('gemini-e2e-429:generateContent', (_req, res) =>
      googleError(
        res,
        429,
        'RESOURCE_EXHAUSTED',
        'You exceeded your current quota, please check your plan and billing details.',
        [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests' }],
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37.4s' },
        ],
      ),
    );
    const err = await gemini.client.chat.completions
      .create({ model: 'gemini/gemini-e2e-429', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.message).toContain('exceeded your current quota');
    expect(e.headers?.get('retry-after')).toBe('38');
  });

  it('500 INTERNAL → 502, 503 UNAVAILABLE → 503', async () => {
    gemini.behaviours.set('gemini-e2e-500:generateContent', (_req, res) =>
      googleError(res, 500, 'INTERNAL', 'An internal error has occurred.'),
    );
    const err = await gemini.client.chat.completions
      .create({ model: 'gemini/gemini-e2e-500', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);

    gemini.behaviours.set('gemini-e2e-503:streamGenerateContent', (_req, res) =>
      googleError(res, 503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'),
    );
    const overloaded = await gemini.client.chat.completions
      .create({ model: 'gemini/gemini-e2e-503', messages: [{ role: 'user', content: 'x' }], stream: true })
      .catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(OpenAI.InternalServerError);
    expect((overloaded as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });

  it('400 API_KEY_INVALID → AuthenticationError 401 (chat and embeddings), and the key never leaks', async () => {
    const wrongKey = 'AIzaSyWRONGwrongWRONG-000000000000000';
    const other = await accountWithKey(gemini.zai, { provider: 'gemini', apiKey: wrongKey, baseUrl: gemini.fake.url });
    const otherClient = new OpenAI({ apiKey: other.key, baseURL: `${gemini.zai.url}/v1`, maxRetries: 0 });
    const err = await otherClient.chat.completions
      .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    const e = err as InstanceType<typeof OpenAI.AuthenticationError>;
    expect(e.status).toBe(401);
    expect(e.code).toBe('invalid_api_key');
    expect(JSON.stringify(e.error)).not.toContain('WRONGwrong');
    const embedErr = await otherClient.embeddings.create({ model: EMBEDDING_MODEL, input: 'x' }).catch((x: unknown) => x);
    expect((embedErr as InstanceType<typeof OpenAI.APIError>).status).toBe(401);

    const test = await other.api.post<{ ok: boolean; status: number | null; message: string }>(
      `/api/providers/${other.providerId}/test`,
    );
    expect(test.status).toBe(200);
    expect(test.body.ok).toBe(false);
    // The provider test reports the meaning (a bad key: 401), like chat does.
    expect(test.body.status).toBe(401);
    expect(test.body.message).toContain('API key not valid');
  });

  it('404 NOT_FOUND → NotFoundError 404', async () => {
    gemini.behaviours.set('gemini-e2e-missing:generateContent', (_req, res) =>
      googleError(
        res,
        404,
        'NOT_FOUND',
        'models/gemini-e2e-missing is not found for API version v1beta, or is not supported for generateContent.',
      ),
    );
    const err = await gemini.client.chat.completions
      .create({ model: 'gemini/gemini-e2e-missing', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as Error).message).toContain('is not found');
  });

  it('an unframed Google error object in a 200 stream (no data: prefix) keeps its status and message', async () => {
    // docs/providers.md §3.4 / §5 rule 10: Gemini may write a raw JSON error object into the
    // stream; Google's own SDK tries every network chunk as JSON before SSE parsing.
    const quota = {
      error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' },
    };
    gemini.behaviours.set('gemini-e2e-unframed:streamGenerateContent', (_req, res) =>
      writeFrames(res, [`${JSON.stringify(quota, null, 2)}\n`]),
    );
    const early = await gemini.client.chat.completions
      .create({ model: 'gemini/gemini-e2e-unframed', messages: [{ role: 'user', content: 'x' }], stream: true })
      .catch((e: unknown) => e);
    expect(early).toBeInstanceOf(OpenAI.APIError);
    expect((early as Error).message).toContain('Resource has been exhausted');
    expect((early as InstanceType<typeof OpenAI.APIError>).status).toBe(429);

    gemini.behaviours.set('gemini-e2e-unframed-mid:streamGenerateContent', (_req, res) =>
      writeFrames(res, [
        dataEvent(chunk([{ text: 'Hel' }], { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 })),
        `${JSON.stringify(quota, null, 2)}\n`,
      ]),
    );
    const stream = await gemini.client.chat.completions.create({
      model: 'gemini/gemini-e2e-unframed-mid',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const mid = await (async () => {
      for await (const _c of stream) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(mid).toBeInstanceOf(OpenAI.APIError);
    expect((mid as Error).message).toContain('Resource has been exhausted');
  });

  it('a stream cut mid-way raises an error in the SDK iteration, never a clean finish', async () => {
    gemini.behaviours.set('gemini-e2e-cut:streamGenerateContent', (_req, res) =>
      writeFrames(
        res,
        [
          dataEvent(chunk([{ text: 'partial ' }], { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 })),
          dataEvent(chunk([{ text: 'answer' }], { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 })),
        ],
        { end: 'destroy' },
      ),
    );
    const stream = await gemini.client.chat.completions.create({
      model: 'gemini/gemini-e2e-cut',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const { text, finish, error } = await drainStream(stream);
    expect(text).toBe('partial answer');
    expect(finish).toBeNull();
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/lost|complete/);
  });

  it('a stream that closes cleanly before any finishReason also raises (Gemini has no end sentinel)', async () => {
    gemini.behaviours.set('gemini-e2e-short:streamGenerateContent', (_req, res) =>
      writeFrames(res, [
        dataEvent(chunk([{ text: 'half' }], { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 })),
      ]),
    );
    const stream = await gemini.client.chat.completions.create({
      model: 'gemini/gemini-e2e-short',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, error } = await drainStream(stream);
    expect(text).toBe('half');
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });

  it('an error inside a 200 stream raises in the SDK with Gemini message', async () => {
    gemini.behaviours.set('gemini-e2e-stream-error:streamGenerateContent', (_req, res) =>
      writeFrames(res, [
        dataEvent(chunk([{ text: 'Hel' }], { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 })),
        dataEvent({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }),
      ]),
    );
    const stream = await gemini.client.chat.completions.create({
      model: 'gemini/gemini-e2e-stream-error',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const { text, error } = await drainStream(stream);
    expect(text).toBe('Hel');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('overloaded');
  });
});
