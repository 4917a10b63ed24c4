/**
 * The gateway's hot routes are served by a fast path in front of Fastify (src/http/v1-fast-path.ts)
 * unless a request carries an Origin header (CORS is Fastify's). Both ways must give the same
 * answers: every case here is sent once each way and the answers compared.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, startZai, type Zai } from '../helpers/harness.js';
import {
  json,
  openAICompletion,
  openAIStreamEvents,
  startFakeServer,
  writeSse,
  type FakeServer,
} from '../helpers/fake-upstream.js';

const ORIGIN = 'https://app.example.com';
let zai: Zai;
let fake: FakeServer;
let key: string;

beforeAll(async () => {
  zai = await startZai({ ZAI_CORS_ORIGINS: ORIGIN, ZAI_MAX_BODY_BYTES: String(64 * 1024) });
  fake = await startFakeServer((req, res) => {
    const body = req.json as { stream?: boolean; model: string };
    if (body.model === 'gpt-4o-mini-broken')
      return json(res, 400, {
        error: { message: "Unknown parameter: 'foo'", type: 'invalid_request_error', code: 'unknown_parameter', param: 'foo' },
      });
    if (body.stream) return writeSse(res, openAIStreamEvents(['Hel', 'lo']));
    return json(res, 200, openAICompletion({ content: 'Hello' }));
  });
  ({ key } = await accountWithKey(zai, { baseUrl: `${fake.url}/v1` }));
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request (fetch cannot send some of these bodies); `origin` routes it through Fastify. */
function send(path: string, body: string | Buffer, headers: Record<string, string>, origin: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${zai.url}${path}`,
      { method: 'POST', headers: { ...headers, ...(origin ? { origin: ORIGIN } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const chat = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

/** A chat request body sent as it is, with the test key, on the fast path. */
function sendChat(text: string): Promise<Answer> {
  return send('/v1/chat/completions', text, { 'content-type': 'application/json', authorization: `Bearer ${key}` }, false);
}

describe('fast path and Fastify answer alike', () => {
  const cases: Array<{ name: string; path?: string; body: string | Buffer; auth?: string | null; type?: string }> = [
    { name: 'a chat completion', body: chat },
    {
      name: 'a streamed chat completion',
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    },
    { name: 'malformed JSON', body: '{"model": "openai/gpt-4o-mini", "messages": [' },
    { name: 'an empty body', body: '' },
    {
      name: 'a __proto__ key',
      body: '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"x"}],"__proto__":{"admin":true}}',
    },
    {
      name: 'a body over the limit',
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] }),
    },
    { name: 'no Authorization header', body: chat, auth: null },
    { name: 'an unknown key', body: chat, auth: 'Bearer zai-unknownunknownunknownunknownunknown0000000' },
    { name: 'a validation error', body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: 'hi' }) },
    {
      name: 'an upstream 400 passed through',
      body: JSON.stringify({ model: 'openai/gpt-4o-mini-broken', messages: [{ role: 'user', content: 'hi' }] }),
    },
    { name: 'charset in the content type', body: chat, type: 'application/json; charset=utf-8' },
    {
      name: 'embeddings with an unknown model',
      path: '/v1/embeddings',
      body: JSON.stringify({ model: 'openai/nope', input: 'x' }),
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const headers: Record<string, string> = { 'content-type': c.type ?? 'application/json' };
      if (c.auth !== null) headers.authorization = c.auth ?? `Bearer ${key}`;
      const fast = await send(c.path ?? '/v1/chat/completions', c.body, headers, false);
      const framework = await send(c.path ?? '/v1/chat/completions', c.body, headers, true);
      expect(fast.status).toBe(framework.status);
      // Request ids, ids and timestamps differ between two calls; everything else must not.
      const normalise = (text: string): string =>
        text.replace(/"(id|created)":("[^"]*"|\d+)/g, '"$1":0').replace(/req_[0-9A-Za-z]+/g, 'req_x');
      expect(normalise(fast.body)).toBe(normalise(framework.body));
      for (const name of [
        'content-type',
        'x-content-type-options',
        'content-security-policy',
        'referrer-policy',
        'x-frame-options',
        'x-zai-model',
        'retry-after',
      ]) {
        expect(fast.headers[name], name).toBe(framework.headers[name]);
      }
      expect(fast.headers['x-zai-request-id']).toMatch(/^req_/);
      expect(framework.headers['x-zai-request-id']).toMatch(/^req_/);
      // Only the browser's request gets CORS headers, on streamed answers too.
      expect(fast.headers['access-control-allow-origin']).toBeUndefined();
      expect(framework.headers['access-control-allow-origin']).toBe(ORIGIN);
      if (fast.status >= 400)
        expect(JSON.parse(fast.body)).toMatchObject({ error: { message: expect.any(String), type: expect.any(String) } });
    });
  }

  it('sends the client’s own text upstream with only the model changed: a seed past 2^53 arrives digit for digit', async () => {
    const text =
      '{ "model": "openai/gpt-4o-mini", "messages": [{"role":"user","content":"hi \\"there\\""}], "seed": 12345678901234567891 }';
    expect((await sendChat(text)).status).toBe(200);
    const upstream = fake.requests.at(-1)?.body ?? '';
    // Serialised again, the seed would have come out as 12345678901234567000.
    expect(upstream).toBe(
      '{"model": "gpt-4o-mini","messages": [{"role":"user","content":"hi \\"there\\""}],"seed": 12345678901234567891}',
    );
  });

  it('never sends a second model the client hid in its text: the request is serialised with the one it was checked for', async () => {
    const text = '{"model":"openai/o3-pro","model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}';
    expect((await sendChat(text)).status).toBe(200);
    expect(fake.requests.at(-1)?.body).toBe('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}');
  });

  it('keeps idle client connections 72 s, as Fastify does for servers it creates (longer than load balancers keep theirs)', () => {
    expect(zai.server.app.server.keepAliveTimeout).toBe(72_000);
  });

  it('takes its answers from the gateway: a streamed answer ends with [DONE] and the full model name', async () => {
    const fast = await send(
      '/v1/chat/completions',
      JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }),
      { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      false,
    );
    expect(fast.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(fast.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(fast.body).toContain('"model":"openai/gpt-4o-mini"');
  });
});
