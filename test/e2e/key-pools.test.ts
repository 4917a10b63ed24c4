/**
 * Provider key pools: several keys per provider entry, chosen by weight; a key answering 429 cools
 * down for its retry-after and one answering 401 is failing until its Test passes, the request
 * being served at once by another key of the pool before any fallback model.
 */
import type { ServerResponse } from 'node:http';
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

type Mode = 'ok' | '429' | '401' | '429-long';

let zai: Zai;
let fake: FakeServer;
/** How the fake answers each provider key (by the key itself); absent means ok. */
const modes = new Map<string, Mode>();

function answer(res: ServerResponse, mode: Mode, stream: boolean, model: string): void | Promise<void> {
  if (mode === '429')
    return json(res, 429, { error: { message: 'Rate limit reached', type: 'rate_limit_error' } }, { 'retry-after': '2' });
  if (mode === '429-long')
    return json(res, 429, { error: { message: 'Rate limit reached', type: 'rate_limit_error' } }, { 'retry-after': '40' });
  if (mode === '401')
    return json(res, 401, {
      error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
    });
  if (stream) return writeSse(res, openAIStreamEvents(['from ', model]));
  return json(res, 200, openAICompletion({ content: `from ${model}` }));
}

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer((req, res) => {
    const key = String(req.headers.authorization).replace(/^Bearer /, '');
    const mode = modes.get(key) ?? 'ok';
    if (req.method === 'GET') {
      if (mode === '401') return answer(res, mode, false, '');
      return json(res, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'x' }] });
    }
    const body = req.json as { model: string; stream?: boolean };
    return answer(res, mode, body.stream === true, body.model);
  });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

interface Pool {
  api: ApiClient;
  client: OpenAI;
  providerId: string;
  a: { id: string; secret: string };
  b: { id: string; secret: string };
}

/** A fresh account with one provider whose pool holds A and B, and a Z-AI key (with a fallback when given). */
async function pool(opts: { weightA?: number; weightB?: number; fallback?: boolean; affinity?: boolean } = {}): Promise<Pool> {
  const tag = Math.random().toString(36).slice(2, 10);
  const api = new ApiClient(zai.url);
  await api.signup(`pool-${tag}@example.com`);
  const secretA = `sk-${tag}-A-0123456789abcdef`;
  const secretB = `sk-${tag}-B-0123456789abcdef`;
  const created = await api.post('/api/providers', {
    provider: 'openai',
    api_key: secretA,
    base_url: `${fake.url}/v1`,
    affinity: opts.affinity ?? false,
  });
  expect(created.status).toBe(201);
  const providerId = String(created.body.id);
  const keys = created.body.keys as Array<{ id: string }>;
  const aId = keys[0]!.id;
  if (opts.weightA !== undefined) {
    expect((await api.patch(`/api/providers/${providerId}/keys/${aId}`, { weight: opts.weightA, label: 'A' })).status).toBe(200);
  }
  const added = await api.post(`/api/providers/${providerId}/keys`, { api_key: secretB, label: 'B', weight: opts.weightB ?? 1 });
  expect(added.status).toBe(201);
  if (opts.fallback) {
    await api.post('/api/providers', {
      provider: 'custom',
      name: 'backup',
      api_key: `sk-${tag}-backup`,
      base_url: `${fake.url}/v1`,
    });
  }
  const key = await api.post('/api/keys', { name: 'k', ...(opts.fallback ? { fallback_model: ['backup/spare'] } : {}) });
  return {
    api,
    client: new OpenAI({ apiKey: String(key.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 }),
    providerId,
    a: { id: aId, secret: secretA },
    b: { id: String(added.body.id), secret: secretB },
  };
}

function sentWith(secret: string, since: number): number {
  return fake.requests.slice(since).filter((r) => r.headers.authorization === `Bearer ${secret}`).length;
}

async function keyView(p: Pool, keyId: string): Promise<Record<string, unknown>> {
  const list = await p.api.get<{ data: Array<{ id: string; keys: Array<Record<string, unknown>> }> }>('/api/providers');
  const provider = list.body.data.find((d) => d.id === p.providerId);
  const key = provider?.keys.find((k) => k.id === keyId);
  if (key === undefined) throw new Error('key not listed');
  return key;
}

const ask = (p: Pool, content = 'hi') =>
  p.client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content }] }).withResponse();

describe('key pools', () => {
  it('splits 1,000 requests 75/25 between keys of weight 3 and 1 (within 5 points)', async () => {
    const p = await pool({ weightA: 3, weightB: 1 });
    const since = fake.requests.length;
    for (let batch = 0; batch < 100; batch++) await Promise.all(Array.from({ length: 10 }, () => ask(p)));
    const a = sentWith(p.a.secret, since);
    const b = sentWith(p.b.secret, since);
    expect(a + b).toBe(1000);
    expect(Math.abs(a / 1000 - 0.75)).toBeLessThanOrEqual(0.05);
    const view = await keyView(p, p.a.id);
    expect(view).toMatchObject({ weight: 3, label: 'A', state: 'ok', requests_last_hour: a, errors_last_hour: 0 });
    expect(typeof view.last_used_at).toBe('string');
  }, 60_000);

  it('a key answering 429 with retry-after 2 sends everything to the other for 2 s, with no error and no fallback', async () => {
    const p = await pool({ fallback: true });
    modes.set(p.a.secret, '429');
    const since = fake.requests.length;
    // Until A is chosen once (and cooled down), and for well inside its 2 s after that.
    let cooledAt: number | undefined;
    for (let i = 0; i < 200 && (cooledAt === undefined || Date.now() - cooledAt < 1500); i++) {
      const { data, response } = await ask(p);
      expect(response.headers.get('x-zai-model')).toBe('openai/gpt-4o-mini');
      expect(data.choices[0]!.message.content).toBe('from gpt-4o-mini');
      if (cooledAt === undefined && sentWith(p.a.secret, since) > 0) cooledAt = Date.now();
    }
    expect(cooledAt).toBeDefined();
    expect(sentWith(p.a.secret, since)).toBe(1);
    // Nothing went to the fallback's provider.
    expect(fake.requests.slice(since).filter((r) => (r.json as { model?: string }).model === 'spare')).toHaveLength(0);
    const view = await keyView(p, p.a.id);
    expect(view.state).toBe('cooling_down');
    // Cooled for the 2 s the provider asked, from the moment it answered.
    expect(Date.parse(String(view.until))).toBeGreaterThan((cooledAt ?? 0) + 1500);
    expect(Date.parse(String(view.until))).toBeLessThanOrEqual((cooledAt ?? 0) + 2000);
    expect((view.recent_errors as Array<{ status: number }>)[0]?.status).toBe(429);

    // After its retry-after, A is chosen again.
    modes.delete(p.a.secret);
    await sleep(Math.max(0, (cooledAt ?? 0) + 2100 - Date.now()));
    const later = fake.requests.length;
    for (let i = 0; i < 40 && sentWith(p.a.secret, later) === 0; i++) await ask(p);
    expect(sentWith(p.a.secret, later)).toBeGreaterThan(0);
    expect((await keyView(p, p.a.id)).state).toBe('ok');

    const metrics = await (await fetch(`${zai.url}/metrics`)).text();
    expect(metrics).toMatch(/zai_pool_key_retries_total\{reason="rate_limited"\} [1-9]/);
    expect(metrics).toContain(`zai_pool_key_state{provider="openai",key_id="${p.a.id}",state="ok"} 1`);
  }, 30_000);

  it('streams from the other key when the chosen one answers 429', async () => {
    const p = await pool();
    modes.set(p.a.secret, '429-long');
    for (let i = 0; i < 6; i++) {
      const stream = await p.client.chat.completions.create({
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('from gpt-4o-mini');
    }
    modes.delete(p.a.secret);
  });

  it('a key answering 401 is failing, the request succeeds on the other, and its Test clears it once it works', async () => {
    const p = await pool();
    modes.set(p.a.secret, '401');
    const since = fake.requests.length;
    for (let i = 0; i < 30 && sentWith(p.a.secret, since) === 0; i++) {
      const { data } = await ask(p);
      expect(data.choices[0]!.message.content).toBe('from gpt-4o-mini');
    }
    expect(sentWith(p.a.secret, since)).toBe(1);
    expect(await keyView(p, p.a.id)).toMatchObject({ state: 'failing', error: '401 invalid_api_key' });

    // Still failing while the provider refuses it: excluded, and its Test says so.
    const afterMark = fake.requests.length;
    for (let i = 0; i < 10; i++) await ask(p);
    expect(sentWith(p.a.secret, afterMark)).toBe(0);
    const refused = await p.api.post(`/api/providers/${p.providerId}/keys/${p.a.id}/test`);
    expect(refused.body).toMatchObject({ ok: false, status: 401, key_id: p.a.id });
    expect((await keyView(p, p.a.id)).state).toBe('failing');

    modes.delete(p.a.secret);
    const passed = await p.api.post(`/api/providers/${p.providerId}/keys/${p.a.id}/test`);
    expect(passed.body).toMatchObject({ ok: true, status: 200, key_id: p.a.id });
    expect((await keyView(p, p.a.id)).state).toBe('ok');
    const afterTest = fake.requests.length;
    for (let i = 0; i < 40 && sentWith(p.a.secret, afterTest) === 0; i++) await ask(p);
    expect(sentWith(p.a.secret, afterTest)).toBeGreaterThan(0);
  });

  it('when every key is rate limited the fallback model serves', async () => {
    const p = await pool({ fallback: true });
    modes.set(p.a.secret, '429-long');
    modes.set(p.b.secret, '429-long');
    const { data, response } = await ask(p);
    expect(response.headers.get('x-zai-model')).toBe('backup/spare');
    expect(data.choices[0]!.message.content).toBe('from spare');
    // The pool is known to be cooling down: the next request goes straight to the fallback.
    const since = fake.requests.length;
    const again = await ask(p);
    expect(again.response.headers.get('x-zai-model')).toBe('backup/spare');
    expect(fake.requests.length - since).toBe(1);
  });

  it('without a fallback, an exhausted pool answers 429 with the shortest retry-after of its keys', async () => {
    const p = await pool();
    modes.set(p.a.secret, '429-long');
    modes.set(p.b.secret, '429');
    const first = await ask(p).catch((err: unknown) => err);
    expect(first).toBeInstanceOf(OpenAI.APIError);
    expect((first as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    const second = await ask(p).catch((err: unknown) => err);
    expect((second as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect(Number((second as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after'))).toBeLessThanOrEqual(2);
    modes.delete(p.a.secret);
    modes.delete(p.b.secret);
  });

  it('with affinity, one conversation stays on one key while different ones spread', async () => {
    const p = await pool({ affinity: true });
    const keysFor = async (content: string): Promise<Set<string>> => {
      const since = fake.requests.length;
      for (let i = 0; i < 8; i++) {
        await p.client.chat.completions.create({
          model: 'openai/gpt-4o-mini',
          messages: [
            { role: 'system', content: 'You are terse.' },
            { role: 'user', content },
            ...(i > 0
              ? [
                  { role: 'assistant' as const, content: 'ok' },
                  { role: 'user' as const, content: `turn ${i}` },
                ]
              : []),
          ],
        });
      }
      return new Set(fake.requests.slice(since).map((r) => String(r.headers.authorization)));
    };
    const used = new Set<string>();
    for (let c = 0; c < 12; c++) {
      const keys = await keysFor(`conversation ${c}`);
      expect(keys.size).toBe(1);
      for (const k of keys) used.add(k);
    }
    expect(used.size).toBe(2);
  });

  it('manages keys: never returns them, checks weights, keeps at least one enabled key', async () => {
    const p = await pool();
    const list = await p.api.get('/api/providers');
    expect(list.text).not.toContain('0123456789abcdef');
    expect(list.text).toContain('"hint":"sk-…cdef"');
    const bad = await p.api.patch(`/api/providers/${p.providerId}/keys/${p.b.id}`, { weight: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { param: 'weight' } });
    expect(
      (await p.api.post(`/api/providers/${p.providerId}/keys`, { api_key: 'sk-x-0123456789abcdef', weight: 101 })).status,
    ).toBe(400);
    expect((await p.api.patch(`/api/providers/${p.providerId}/keys/${p.b.id}`, { enabled: false })).body).toMatchObject({
      enabled: false,
    });
    // Disabled: never chosen.
    const since = fake.requests.length;
    for (let i = 0; i < 10; i++) await ask(p);
    expect(sentWith(p.b.secret, since)).toBe(0);
    const last = await p.api.patch(`/api/providers/${p.providerId}/keys/${p.a.id}`, { enabled: false });
    expect(last.status).toBe(409);
    expect(last.body).toMatchObject({ error: { code: 'last_enabled_key' } });
    expect((await p.api.delete(`/api/providers/${p.providerId}/keys/${p.b.id}`)).status).toBe(204);
    const only = await p.api.delete(`/api/providers/${p.providerId}/keys/${p.a.id}`);
    expect(only.status).toBe(409);
    expect(only.body).toMatchObject({ error: { code: 'last_pool_key' } });
    // Another account's key is not found.
    const other = await pool();
    expect((await other.api.patch(`/api/providers/${p.providerId}/keys/${p.a.id}`, { weight: 2 })).status).toBe(404);
  });

  it('records which pool key served in the usage row', async () => {
    const p = await pool();
    modes.set(p.a.secret, '401');
    for (let i = 0; i < 5; i++) await ask(p);
    await zai.server.services.usage.flush();
    const rows = await zai.server.services.store.db
      .selectFrom('usage')
      .innerJoin('provider_keys', 'provider_keys.id', 'usage.pool_key_id')
      .select(['usage.pool_key_id', 'usage.status'])
      .where('provider_keys.provider_id', '=', p.providerId)
      .execute();
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.pool_key_id))).toEqual(new Set([p.b.id]));
    modes.delete(p.a.secret);
  });
});
