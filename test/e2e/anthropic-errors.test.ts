/**
 * Anthropic behind the OpenAI API, end to end: upstream errors (Anthropic error bodies and statuses
 * including 529, error events and cuts inside a stream), the model list, embeddings and the provider
 * test. The official `openai` SDK talks to the real Z-AI server, which talks to a fake Anthropic.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  anthropicError,
  anthropicFrames,
  anthropicMessage,
  anthropicSse,
  blockStop,
  messageDelta,
  messageStart,
  PING,
  textDelta,
  textStart,
} from '../helpers/anthropic-wire.js';
import { ANTHROPIC_KEY, CATALOG_MODEL, useFakeAnthropic } from '../helpers/fake-anthropic.js';
import { drainStream, json, writeFrames } from '../helpers/fake-upstream.js';
import { accountWithKey } from '../helpers/harness.js';

const suite = useFakeAnthropic();
const { behaviours } = suite;

describe('upstream errors', () => {
  it('429 rate_limit_error → RateLimitError 429 with retry-after', async () => {
    behaviours.set('claude-e2e-429', (_req, res) =>
      anthropicError(res, 429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', {
        'retry-after': '7',
        'anthropic-ratelimit-requests-remaining': '0',
      }),
    );
    const err = await suite.client.chat.completions
      .create({ model: 'anthropic/claude-e2e-429', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.message).toContain('rate limit');
    expect(e.headers?.get('retry-after')).toBe('7');
  });

  it('429 without retry-after: retry-after is derived from the exhausted anthropic-ratelimit-*-reset', async () => {
    behaviours.set('claude-e2e-429-reset', (_req, res) =>
      anthropicError(res, 429, 'rate_limit_error', 'Number of requests has exceeded your per-minute rate limit', {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': new Date(Date.now() + 20_000).toISOString().replace(/\.\d+Z$/, 'Z'),
        'anthropic-ratelimit-tokens-limit': '40000',
        'anthropic-ratelimit-tokens-remaining': '39000',
        'anthropic-ratelimit-tokens-reset': new Date(Date.now() + 55_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      }),
    );
    const err = await suite.client.chat.completions
      .create({ model: 'anthropic/claude-e2e-429-reset', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const retryAfter = Number((err as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after'));
    // The requests limit (remaining 0) was hit; it resets in ~20 s (RFC 3339, whole seconds).
    expect(retryAfter).toBeGreaterThanOrEqual(18);
    expect(retryAfter).toBeLessThanOrEqual(21);
  });

  it('500 api_error → 502', async () => {
    behaviours.set('claude-e2e-500', (_req, res) => anthropicError(res, 500, 'api_error', 'Internal server error'));
    const err = await suite.client.chat.completions
      .create({ model: 'anthropic/claude-e2e-500', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
  });

  it('529 overloaded_error → 503, also when streaming was asked for', async () => {
    behaviours.set('claude-e2e-529', (_req, res) => anthropicError(res, 529, 'overloaded_error', 'Overloaded'));
    const err = await suite.client.chat.completions
      .create({ model: 'anthropic/claude-e2e-529', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain('Overloaded');
    const streamed = await suite.client.chat.completions
      .create({ model: 'anthropic/claude-e2e-529', messages: [{ role: 'user', content: 'x' }], stream: true })
      .catch((e: unknown) => e);
    expect((streamed as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });

  it('401 authentication_error for a wrong provider key → AuthenticationError, and the key never leaks', async () => {
    const wrongKey = 'sk-ant-api03-WRONGwrongWRONG-000000000000000000';
    const other = await accountWithKey(suite.zai, { provider: 'anthropic', apiKey: wrongKey, baseUrl: suite.fake.url });
    const otherClient = new OpenAI({ apiKey: other.key, baseURL: `${suite.zai.url}/v1`, maxRetries: 0 });
    const err = await otherClient.chat.completions
      .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    expect(JSON.stringify((err as InstanceType<typeof OpenAI.APIError>).error)).not.toContain('WRONGwrong');

    const test = await other.api.post<{ ok: boolean; status: number | null; message: string }>(
      `/api/providers/${other.providerId}/test`,
    );
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: false, status: 401 });
  });

  it('400 invalid_request_error passes through with Anthropic message → BadRequestError', async () => {
    behaviours.set('claude-e2e-400', (_req, res) =>
      anthropicError(res, 400, 'invalid_request_error', 'messages: text content blocks must be non-empty'),
    );
    const err = await suite.client.chat.completions
      .create({ model: 'anthropic/claude-e2e-400', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('text content blocks must be non-empty');
  });

  it('an error event before any content, inside a 200 stream, is still an HTTP error (503 for overloaded)', async () => {
    behaviours.set('claude-e2e-early-error', (_req, res) =>
      anthropicFrames(res, [anthropicSse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })]),
    );
    const err = await suite.client.chat.completions
      .create({ model: 'anthropic/claude-e2e-early-error', messages: [{ role: 'user', content: 'x' }], stream: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });

  it('529 counts as an outage: the key falls back to its fallback model', async () => {
    behaviours.set('claude-e2e-529', (_req, res) => anthropicError(res, 529, 'overloaded_error', 'Overloaded'));
    behaviours.set('claude-e2e-fallback', (_req, res) =>
      json(res, 200, anthropicMessage({ id: 'msg_01Fallback', content: [{ type: 'text', text: 'from the fallback' }] })),
    );
    const created = await suite.api.post('/api/keys', { name: 'with fallback', fallback_model: 'anthropic/claude-e2e-fallback' });
    expect(created.status).toBe(201);
    const fbClient = new OpenAI({ apiKey: String(created.body.key), baseURL: `${suite.zai.url}/v1`, maxRetries: 0 });
    const { data, response } = await fbClient.chat.completions
      .create({ model: 'anthropic/claude-e2e-529', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('from the fallback');
    expect(data.model).toBe('anthropic/claude-e2e-fallback');
    expect(response.headers.get('x-zai-model')).toBe('anthropic/claude-e2e-fallback');
  });

  it('a stream cut mid-way raises an error in the SDK iteration, never a clean finish', async () => {
    behaviours.set('claude-e2e-cut', (_req, res) =>
      writeFrames(
        res,
        [
          anthropicSse(messageStart('msg_01Cut', { input_tokens: 5, output_tokens: 1 })),
          anthropicSse(textStart(0)),
          anthropicSse(textDelta(0, 'partial ')),
          anthropicSse(textDelta(0, 'answer')),
        ],
        { end: 'destroy' },
      ),
    );
    const stream = await suite.client.chat.completions.create({
      model: 'anthropic/claude-e2e-cut',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const { text, finish, error } = await drainStream(stream);
    expect(text).toBe('partial answer');
    expect(finish).toBeNull();
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/lost|complete/);
  });

  it('a stream that closes cleanly before message_stop also raises', async () => {
    behaviours.set('claude-e2e-short', (_req, res) =>
      anthropicFrames(res, [
        anthropicSse(messageStart('msg_01Short', { input_tokens: 5, output_tokens: 1 })),
        anthropicSse(textStart(0)),
        anthropicSse(textDelta(0, 'half')),
        anthropicSse(blockStop(0)),
        anthropicSse(messageDelta('end_turn', { output_tokens: 3 })),
      ]),
    );
    const stream = await suite.client.chat.completions.create({
      model: 'anthropic/claude-e2e-short',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, error } = await drainStream(stream);
    expect(text).toBe('half');
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });

  it('an error event inside a 200 stream raises in the SDK with Anthropic message', async () => {
    behaviours.set('claude-e2e-stream-error', (_req, res) =>
      anthropicFrames(res, [
        anthropicSse(messageStart('msg_01Err', { input_tokens: 5, output_tokens: 1 })),
        anthropicSse(textStart(0)),
        anthropicSse(textDelta(0, 'Hel')),
        anthropicSse(PING),
        anthropicSse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      ]),
    );
    const stream = await suite.client.chat.completions.create({
      model: 'anthropic/claude-e2e-stream-error',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const { text, error } = await drainStream(stream);
    expect(text).toBe('Hel');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('Overloaded');
  });
});

describe('models, embeddings and the provider test', () => {
  it('/v1/models lists the catalog models of the Anthropic provider', async () => {
    const ids = (await suite.client.models.list()).data.map((m) => m.id);
    expect(ids).toContain(CATALOG_MODEL);
    expect(ids).toContain('anthropic/claude-haiku-4-5');
    expect(ids.every((id) => id.startsWith('anthropic/'))).toBe(true);
  });

  it('POST /api/providers/:id/test calls GET /v1/models with the Anthropic headers', async () => {
    const res = await suite.api.post<{ ok: boolean; status: number; models: number; message: string }>(
      `/api/providers/${suite.providerId}/test`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, status: 200, models: 3 });
    const call = suite.fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/models')).at(-1)!;
    expect(call.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(call.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('embeddings are refused with a 400 (Anthropic has none)', async () => {
    const err = await suite.client.embeddings
      .create({ model: 'anthropic/claude-sonnet-4-5', input: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
  });
});
