import type { ServerResponse } from 'node:http';
/**
 * Fallback chains: an outage, a timeout or a rate limit on the requested model is answered by the
 * key's fallback model while nothing has reached the client; a bad request never falls back.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startZai, type Zai } from '../helpers/harness.js';
import {
  json,
  openAICompletion,
  openAIStreamEvents,
  sleep,
  startFakeServer,
  writeSse,
  type FakeServer,
} from '../helpers/fake-upstream.js';

let zai: Zai;
let fake: FakeServer;
let api: ApiClient;
let client: OpenAI;
let keyId: string;

const failures: Record<string, (res: ServerResponse) => void | Promise<void>> = {
  'fails-500': (res) => json(res, 500, { error: { message: 'boom', type: 'server_error' } }),
  'fails-502': (res) => json(res, 502, { error: { message: 'bad gateway', type: 'server_error' } }),
  'fails-503': (res) => json(res, 503, { error: { message: 'overloaded', type: 'service_unavailable_error' } }),
  'fails-504': (res) => json(res, 504, { error: { message: 'gateway timeout', type: 'server_error' } }),
  'fails-408': (res) => json(res, 408, { error: { message: 'request timeout', type: 'server_error' } }),
  'fails-429': (res) =>
    json(res, 429, { error: { message: 'Rate limit reached', type: 'rate_limit_error' } }, { 'retry-after': '20' }),
  'fails-529': (res) => json(res, 529, { error: { message: 'Overloaded', type: 'overloaded_error' } }),
  'fails-400': (res) =>
    json(res, 400, {
      error: { message: "Invalid value for 'temperature'", type: 'invalid_request_error', param: 'temperature', code: null },
    }),
  'slow-headers': async (res) => {
    await sleep(1500);
    json(res, 200, openAICompletion());
  },
  'reset-before-data': (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    setTimeout(() => res.destroy(), 20);
  },
};

beforeAll(async () => {
  zai = await startZai({ ZAI_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '400' });
  fake = await startFakeServer(async (req, res) => {
    const body = req.json as { model: string; stream?: boolean };
    const failure = failures[body.model];
    if (failure) return failure(res);
    if (body.stream) return writeSse(res, openAIStreamEvents(['from ', body.model]));
    return json(res, 200, openAICompletion({ content: `from ${body.model}` }));
  });
  api = new ApiClient(zai.url);
  await api.signup('fallback@example.com');
  await api.post('/api/providers', { provider: 'openai', api_key: 'sk-fallback-0123456789abcdef', base_url: `${fake.url}/v1` });
  await api.post('/api/providers', { provider: 'custom', name: 'dead', api_key: '', base_url: 'http://127.0.0.1:9/v1' });
  const key = await api.post('/api/keys', {
    name: 'with fallback',
    allowed_models: ['openai/fails-*', 'openai/slow-*', 'openai/reset-*', 'dead/*'],
    fallback_model: ['openai/backup'],
  });
  keyId = String(key.body.id);
  client = new OpenAI({ apiKey: String(key.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

describe('fallback', () => {
  for (const model of [
    'fails-500',
    'fails-502',
    'fails-503',
    'fails-504',
    'fails-408',
    'fails-429',
    'fails-529',
    'slow-headers',
  ]) {
    it(`falls back on ${model}`, async () => {
      const { data, response } = await client.chat.completions
        .create({ model: `openai/${model}`, messages: [{ role: 'user', content: 'x' }] })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe('from backup');
      expect(data.model).toBe('openai/backup');
      expect(response.headers.get('x-zai-model')).toBe('openai/backup');
    });
  }

  it('falls back on an unreachable host', async () => {
    const data = await client.chat.completions.create({ model: 'dead/llama3', messages: [{ role: 'user', content: 'x' }] });
    expect(data.model).toBe('openai/backup');
  });

  it('falls back for streams while nothing has been sent, and the client sees one clean stream', async () => {
    for (const model of ['fails-503', 'reset-before-data']) {
      const stream = await client.chat.completions.create({
        model: `openai/${model}`,
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      });
      let text = '';
      const models = new Set<string>();
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        models.add(chunk.model);
      }
      expect(text).toBe('from backup');
      expect([...models]).toEqual(['openai/backup']);
    }
  });

  it('never falls back on a 400: the request itself is wrong', async () => {
    const before = fake.requests.length;
    const err = await client.chat.completions
      .create({ model: 'openai/fails-400', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as { param: string }).param).toBe('temperature');
    expect(fake.requests.length).toBe(before + 1);
  });

  it('records model requested, model served and attempts', async () => {
    await sleep(400);
    const page = await api.get<{ data: Array<Record<string, unknown>> }>(`/api/usage?key_id=${keyId}&model=openai/fails-529`);
    expect(page.body.data[0]).toMatchObject({
      model_requested: 'openai/fails-529',
      model_served: 'openai/backup',
      attempts: 2,
      status: 200,
    });
    const logs = zai.logs();
    expect(logs).toMatch(/"attempt":1,"model":"openai\/fails-529","status":502,"latencyMs":\d+,"errorClass":"status"/);
    const metrics = await (await fetch(`${zai.url}/metrics`)).text();
    // Eight status/timeout cases, the unreachable host and two streams fell back.
    expect(Number(/zai_fallbacks_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(11);
  });

  it('answers the last error when every model fails: 504 after timeouts, 502 when unreachable', async () => {
    const key = await api.post('/api/keys', { name: 'no fallback' });
    const plain = new OpenAI({ apiKey: String(key.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
    const timeout = await plain.chat.completions
      .create({ model: 'openai/slow-headers', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect((timeout as { status: number }).status).toBe(504);
    expect((timeout as { code: string }).code).toBe('upstream_timeout');
    const chain = await api.post('/api/keys', { name: 'dead chain', fallback_model: ['dead/a', 'dead/b'] });
    const dead = new OpenAI({ apiKey: String(chain.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
    const unreachable = await dead.chat.completions
      .create({ model: 'dead/c', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect((unreachable as { status: number }).status).toBe(502);
    expect((unreachable as { code: string }).code).toBe('upstream_unreachable');
    const rate = await plain.chat.completions
      .create({ model: 'openai/fails-429', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(rate).toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe('retrying the same model (ZAI_RETRY_SAME_MODEL=true)', () => {
  it('retries once when the provider asks for a short wait, not when it asks for a long one', async () => {
    const calls = new Map<string, number>();
    const flaky = await startFakeServer((req, res) => {
      const model = (req.json as { model: string }).model;
      const n = (calls.get(model) ?? 0) + 1;
      calls.set(model, n);
      if (n === 1) return json(res, 503, { error: { message: 'busy' } }, { 'retry-after': model === 'short-wait' ? '1' : '30' });
      return json(res, 200, openAICompletion({ content: `from ${model}` }));
    });
    const server = await startZai({ ZAI_RETRY_SAME_MODEL: 'true' });
    try {
      const api2 = new ApiClient(server.url);
      await api2.signup('retry@example.com');
      await api2.post('/api/providers', {
        provider: 'openai',
        api_key: 'sk-retry-0123456789abcdef',
        base_url: `${flaky.url}/v1`,
      });
      const key = await api2.post('/api/keys', { name: 'retry' });
      const retrying = new OpenAI({ apiKey: String(key.body.key), baseURL: `${server.url}/v1`, maxRetries: 0 });
      const ok = await retrying.chat.completions.create({
        model: 'openai/short-wait',
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(ok.choices[0]?.message.content).toBe('from short-wait');
      expect(calls.get('short-wait')).toBe(2);
      const err = await retrying.chat.completions
        .create({ model: 'openai/long-wait', messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e);
      expect((err as { status: number }).status).toBe(502);
      expect(calls.get('long-wait')).toBe(1);
      // A same-model retry is not a fallback.
      expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/zai_fallbacks_total 0/);
    } finally {
      await server.close();
      await flaky.close();
    }
  });

  it('is off by default: one attempt per model', async () => {
    const before = fake.requests.length;
    const key = await api.post('/api/keys', { name: 'no retry' });
    const plain = new OpenAI({ apiKey: String(key.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
    await plain.chat.completions
      .create({ model: 'openai/fails-503', messages: [{ role: 'user', content: 'x' }] })
      .catch(() => undefined);
    expect(fake.requests.length).toBe(before + 1);
  });
});
