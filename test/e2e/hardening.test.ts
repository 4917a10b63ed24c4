/**
 * Production hardening: metrics, CORS, security headers, per-key rate limits, the audit log and
 * one structured log line per gateway request.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, type ApiClient, startZai, type Zai } from '../helpers/harness.js';
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
let key: string;
let keyId: string;
const CANARY = 'sk-canary-HARDENING-00112233445566';

beforeAll(async () => {
  zai = await startZai({ ZAI_METRICS_TOKEN: 'metrics-secret', ZAI_CORS_ORIGINS: 'https://app.example.com' });
  fake = await startFakeServer((req, res) => {
    const body = req.json as { stream?: boolean; model: string };
    if (body.model === 'down') return json(res, 503, { error: { message: 'down' } });
    if (body.stream) return writeSse(res, openAIStreamEvents(['a', 'b']));
    return json(res, 200, openAICompletion());
  });
  ({ api, key, keyId } = await accountWithKey(zai, { baseUrl: `${fake.url}/v1`, apiKey: CANARY }));
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

describe('metrics', () => {
  it('exposes Prometheus metrics behind the bearer token', async () => {
    const client = new OpenAI({ apiKey: key, baseURL: `${zai.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    for await (const _ of stream) void _;
    await client.chat.completions
      .create({ model: 'openai/down', messages: [{ role: 'user', content: 'x' }] })
      .catch(() => undefined);
    expect((await fetch(`${zai.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${zai.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const res = await fetch(`${zai.url}/metrics`, { headers: { authorization: 'Bearer metrics-secret' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/zai_requests_total\{provider="openai",model="openai\/gpt-4o-mini",status="200"\} 2/);
    expect(text).toMatch(/zai_requests_total\{provider="openai",model="-",status="502"\} 1/);
    expect(text).toMatch(/zai_request_duration_seconds_bucket/);
    expect(text).toMatch(/zai_time_to_first_token_seconds_count\{provider="openai"\} 1/);
    expect(text).toMatch(/zai_tokens_total\{provider="openai",model="openai\/gpt-4o-mini",kind="prompt"\} 24/);
    expect(text).toMatch(/zai_upstream_errors_total\{provider="openai",class="status"\} 1/);
    expect(text).toMatch(/zai_streams_in_flight 0/);
    expect(text).not.toContain(CANARY);
  });
});

describe('headers', () => {
  it('sends security headers on the API and the request id everywhere', async () => {
    const res = await fetch(`${zai.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-zai-request-id')).toMatch(/^req_/);
  });

  it('allows CORS on /v1 only for configured origins', async () => {
    const preflight = await fetch(`${zai.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const actual = await fetch(`${zai.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { origin: 'https://app.example.com', authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(actual.headers.get('access-control-expose-headers')).toContain('x-zai-request-id');
    const foreign = await fetch(`${zai.url}/v1/models`, {
      headers: { origin: 'https://evil.example', authorization: `Bearer ${key}` },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const api2 = await fetch(`${zai.url}/api/me`, { headers: { origin: 'https://app.example.com' } });
    expect(api2.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('per-key rate limit', () => {
  it('answers 429 with retry-after over the limit', async () => {
    const limited = await api.post('/api/keys', { name: 'limited', rate_limit_rpm: 3 });
    expect(limited.body).toMatchObject({ rate_limit_rpm: 3 });
    const client = new OpenAI({ apiKey: String(limited.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await client.chat.completions
        .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
        .withResponse()
        .then(
          (r) => r.response.status,
          (e: unknown) => {
            retryAfter = (e as { headers: Headers }).headers.get('retry-after');
            return (e as { status: number }).status;
          },
        );
      statuses.push(res);
    }
    // A minute boundary may fall inside the loop; at least the 4th of one minute is refused.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect((await api.post('/api/keys', { name: 'bad', rate_limit_rpm: 0 })).status).toBe(400);
  });
});

describe('audit log', () => {
  it('records management actions without keys', async () => {
    const provider = await api.post('/api/providers', {
      provider: 'groq',
      api_key: 'gsk_canaryAUDIT0123456789',
      base_url: `${fake.url}/v1`,
    });
    await api.patch(`/api/providers/${String(provider.body.id)}`, { api_key: 'gsk_canaryAUDIT9876543210' });
    await api.delete(`/api/providers/${String(provider.body.id)}`);
    await api.patch(`/api/keys/${keyId}`, { spend_cap_micro_usd: 123 });
    await api.delete(`/api/keys/${keyId}`);
    const log = await api.get<{
      data: Array<{ action: string; target_id: string; details: Record<string, unknown>; created_at: string }>;
    }>('/api/audit');
    const actions = log.body.data.map((e) => e.action);
    for (const action of [
      'provider.created',
      'provider.key_replaced',
      'provider.removed',
      'key.created',
      'key.cap_changed',
      'key.revoked',
    ])
      expect(actions).toContain(action);
    expect(log.body.data.find((e) => e.action === 'key.cap_changed')?.details).toMatchObject({
      from_micro_usd: null,
      to_micro_usd: 123,
    });
    expect(log.text).not.toContain('canaryAUDIT');
    expect(log.text).not.toContain(CANARY);
    // The first account is the admin and sees everyone's log.
    expect((await api.get('/api/admin/audit')).status).toBe(200);
  });
});

describe('logs', () => {
  it('writes one JSON line per gateway request with ids, models, tokens and cost, and nothing secret', async () => {
    // A request's line is written with its reporter's batch (250 ms) and leaves the log buffer within 500 ms.
    const gatewayLines = (): Record<string, unknown>[] =>
      zai
        .logs()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === 'gateway request');
    for (let waited = 0; gatewayLines().length < 3 && waited < 3000; waited += 50) await sleep(50);
    const gateway = gatewayLines();
    expect(gateway.length).toBeGreaterThanOrEqual(3);
    expect(gateway[0]).toMatchObject({
      requestId: expect.stringMatching(/^req_/),
      accountId: expect.any(String),
      keyId,
      modelRequested: 'openai/gpt-4o-mini',
      modelServed: 'openai/gpt-4o-mini',
      status: 200,
      promptTokens: 12,
      completionTokens: 5,
      costMicroUsd: expect.any(Number),
      latencyMs: expect.any(Number),
    });
    const all = zai.logs();
    expect(all).not.toContain(CANARY);
    expect(all).not.toContain(key);
    expect(all).not.toContain('canaryAUDIT');
    expect(all).not.toMatch(/zai_session=/);
  });
});
