/**
 * The Anthropic Messages ingress on an OpenAI-compatible provider, end to end: errors in
 * Anthropic's shape (raised by the SDK as its matching classes), and what a Z-AI key means there
 * (fallback, abort, usage rows, rate limit). The official `@anthropic-ai/sdk` talks to the real Z-AI
 * server, which translates to a fake OpenAI upstream speaking the real Chat Completions protocol.
 */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { Json } from '../helpers/anthropic-wire.js';
import { json, openAIChunk, sleep, writeSse, type FakeHandler, type RecordedRequest } from '../helpers/fake-upstream.js';
import { MODEL, useMessagesOnOpenAI } from '../helpers/messages-on-openai.js';

const suite = useMessagesOnOpenAI();
const { behaviours } = suite;

describe('errors in Anthropic’s shape, raised by the SDK as its matching classes', () => {
  function upstreamError(status: number, type: string, headers: Record<string, string> = {}): FakeHandler {
    return (_req, res) =>
      json(res, status, { error: { message: `upstream says ${status}`, type, param: null, code: null } }, headers);
  }

  async function thrown(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
    try {
      await promise;
    } catch (err) {
      if (err instanceof Anthropic.APIError) return err;
      throw err;
    }
    throw new Error('expected the SDK to throw');
  }

  const ask = (model: string, extra: Json = {}) =>
    suite.client.messages.create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }], ...extra });

  it('400 invalid_request_error for a malformed body, with the request id in body and header', async () => {
    const err = await thrown(
      suite.client.messages.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] } as never),
    );
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.status).toBe(400);
    expect(err.error).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required.' },
      request_id: err.requestID,
    });
    expect(err.requestID).toMatch(/^req_/);
  });

  it('400 for a body that is not JSON, in the same shape', async () => {
    const res = await fetch(`${suite.zai.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': suite.key },
      body: '{"model":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('401 authentication_error for a wrong key and for none', async () => {
    const wrong = new Anthropic({ apiKey: 'zai-not-a-real-key', baseURL: suite.zai.url, maxRetries: 0 });
    const err = await thrown(wrong.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] }));
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err.error).toMatchObject({ error: { type: 'authentication_error' } });
    const none = await fetch(`${suite.zai.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      error: { type: 'authentication_error', message: expect.stringContaining('x-api-key') },
    });
  });

  it('402 billing_error for a key whose spend cap cannot cover the request', async () => {
    const capped = await suite.api.post('/api/keys', { name: 'capped', spend_cap_micro_usd: 1 });
    const cappedClient = new Anthropic({ apiKey: String(capped.body.key), baseURL: suite.zai.url, maxRetries: 0 });
    const err = await thrown(
      cappedClient.messages.create({ model: MODEL, max_tokens: 1000, messages: [{ role: 'user', content: 'Hi' }] }),
    );
    expect(err).toBeInstanceOf(Anthropic.PaymentRequiredError);
    expect(err.error).toMatchObject({ error: { type: 'billing_error', message: expect.stringContaining('spend cap') } });
  });

  it('403 permission_error for a model outside the allow-list', async () => {
    const err = await thrown(ask('gemini/gemini-2.5-flash'));
    expect(err).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(err.error).toMatchObject({ error: { type: 'permission_error' } });
  });

  it('404 not_found_error for a model the provider does not have, and for an unknown route', async () => {
    behaviours.set('no-such-model', upstreamError(404, 'invalid_request_error'));
    const err = await thrown(ask('openai/no-such-model'));
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.error).toMatchObject({ error: { type: 'not_found_error', message: 'upstream says 404' } });
    const route = await fetch(`${suite.zai.url}/v1/messages/nope`, { method: 'POST', headers: { 'x-api-key': suite.key } });
    expect(route.status).toBe(404);
    expect(await route.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('413 request_too_large for a body over the limit', async () => {
    const err = await thrown(ask(MODEL, { system: 'x'.repeat(300 * 1024) }));
    expect(err).toBeInstanceOf(Anthropic.ContentTooLargeError);
    expect(err.error).toMatchObject({ error: { type: 'request_too_large' } });
  });

  it('429 rate_limit_error with the provider’s retry-after', async () => {
    behaviours.set('limited', upstreamError(429, 'rate_limit_error', { 'retry-after': '7' }));
    const err = await thrown(ask('openai/limited'));
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.headers?.get('retry-after')).toBe('7');
    expect(err.error).toMatchObject({ error: { type: 'rate_limit_error' } });
  });

  it('5xx api_error when the provider fails', async () => {
    behaviours.set('broken', upstreamError(500, 'server_error'));
    const broken = await thrown(ask('openai/broken'));
    expect(broken).toBeInstanceOf(Anthropic.InternalServerError);
    expect(broken.status).toBe(502);
    expect(broken.error).toMatchObject({ error: { type: 'api_error' } });
  });

  it('an error after the first byte is an error event the SDK throws on, never a clean finish', async () => {
    behaviours.set('dies-midway', (_req, res) =>
      writeSse(res, [
        openAIChunk({ role: 'assistant', content: 'Partial' }),
        `data: ${JSON.stringify({ error: { message: 'The server had an error', type: 'server_error' } })}\n\n`,
      ]),
    );
    const stream = suite.client.messages.stream({
      model: 'openai/dies-midway',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const err = await thrown(stream.finalMessage());
    expect(err.error).toMatchObject({
      type: 'error',
      error: { type: 'api_error', message: expect.stringContaining('server had an error') },
    });
  });
});

describe('what a Z-AI key means', () => {
  it('falls back to the key’s fallback model before the first byte, streaming or not', async () => {
    behaviours.set('down', (_req, res) => json(res, 503, { error: { message: 'overloaded', type: 'server_error' } }));
    const created = await suite.api.post('/api/keys', { name: 'with fallback', fallback_model: 'openai/gpt-4o-mini' });
    const withFallback = new Anthropic({ apiKey: String(created.body.key), baseURL: suite.zai.url, maxRetries: 0 });
    const { data, response } = await withFallback.messages
      .create({ model: 'openai/down', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(data.model).toBe('openai/gpt-4o-mini');
    expect(data.content).toEqual([{ type: 'text', text: 'Hello from GPT.' }]);
    expect(response.headers.get('x-zai-model')).toBe('openai/gpt-4o-mini');

    const streamed = await withFallback.messages
      .stream({ model: 'openai/down', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage();
    expect(streamed.model).toBe('openai/gpt-4o-mini');
    expect(streamed.content).toEqual([{ type: 'text', text: 'Hello there.' }]);
  });

  it('aborts the upstream request when the client goes away mid-stream', async () => {
    let upstreamReq: RecordedRequest | undefined;
    behaviours.set('endless', async (req, res) => {
      upstreamReq = req;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(openAIChunk({ role: 'assistant', content: '' }));
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        res.write(openAIChunk({ content: 'tick ' }));
        await sleep(20);
      }
      res.end();
    });
    const stream = suite.client.messages.stream({
      model: 'openai/endless',
      max_tokens: 5000,
      messages: [{ role: 'user', content: 'x' }],
    });
    let abortedAt = 0;
    let ticks = 0;
    stream.on('text', () => {
      if (++ticks === 3) {
        abortedAt = performance.now();
        stream.abort();
      }
    });
    await stream.done().catch(() => undefined);
    expect(stream.aborted).toBe(true);
    expect(upstreamReq).toBeDefined();
    const closedAt = await upstreamReq!.closed;
    expect(closedAt - abortedAt).toBeLessThan(100);
  });

  it('records usage rows for the messages endpoint, and never a prompt in the logs', async () => {
    await suite.client.messages.create({
      model: MODEL,
      max_tokens: 50,
      messages: [{ role: 'user', content: 'SECRET-PROMPT-TEXT' }],
    });
    await sleep(1200);
    const page = await suite.api.get<{ data: Json[] }>(`/api/usage?model=${encodeURIComponent(MODEL)}&limit=1`);
    expect(page.body.data[0]).toMatchObject({
      model_requested: MODEL,
      model_served: MODEL,
      endpoint: 'messages',
      status: 200,
      prompt_tokens: 30,
      completion_tokens: 4,
      stream: false,
    });
    expect(suite.zai.logs()).toContain('"endpoint":"messages"');
    expect(suite.zai.logs()).not.toContain('SECRET-PROMPT-TEXT');
  });

  it('counts against the key’s requests-per-minute limit', async () => {
    const created = await suite.api.post('/api/keys', { name: 'rpm', rate_limit_rpm: 1 });
    const limited = new Anthropic({ apiKey: String(created.body.key), baseURL: suite.zai.url, maxRetries: 0 });
    await limited.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] });
    const err = await limited.messages
      .create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
  });
});
