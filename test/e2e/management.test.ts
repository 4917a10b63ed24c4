/**
 * The management API end to end: real server, real HTTP, real SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startZai, type Zai } from '../helpers/harness.js';
import { json, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';

let zai: Zai;
let fake: FakeServer;

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer((req, res) => {
    if (req.headers.authorization === 'Bearer sk-good-0123456789abcdef') {
      json(res, 200, {
        object: 'list',
        data: [
          { id: 'gpt-4o-mini', object: 'model' },
          { id: 'gpt-4o', object: 'model' },
        ],
      });
    } else {
      json(res, 401, {
        error: {
          message: `Incorrect API key provided: ${String(req.headers.authorization).slice(7)}`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
    }
  });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

function expectOpenAIError(body: unknown, code?: string): void {
  expect(body).toMatchObject({ error: { message: expect.any(String), type: expect.any(String) } });
  expect(Object.keys((body as { error: object }).error).sort()).toEqual(['code', 'message', 'param', 'type']);
  if (code !== undefined) expect((body as { error: { code: string } }).error.code).toBe(code);
}

describe('accounts', () => {
  it('signup makes the first account admin and later ones members, with a session cookie', async () => {
    const first = new ApiClient(zai.url);
    const res = await first.signup('Admin@Example.com');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ user: { email: 'admin@example.com', role: 'admin' } });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/zai_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/);
    expect((await first.get('/api/me')).body).toMatchObject({ user: { role: 'admin' } });

    const second = new ApiClient(zai.url);
    expect((await second.signup('member@example.com')).body).toMatchObject({ user: { role: 'member' } });
  });

  it('signup refuses a taken email (409), a short password (400) and a bad email (400)', async () => {
    const api = new ApiClient(zai.url);
    await api.signup('taken@example.com');
    const again = await new ApiClient(zai.url).signup('TAKEN@example.com');
    expect(again.status).toBe(409);
    expectOpenAIError(again.body);
    const short = await new ApiClient(zai.url).post('/api/auth/signup', { email: 'short@example.com', password: '123456789' });
    expect(short.status).toBe(400);
    expectOpenAIError(short.body);
    expect(short.text).toContain('10 characters');
    const bad = await new ApiClient(zai.url).post('/api/auth/signup', {
      email: 'not-an-email',
      password: 'long enough password',
    });
    expect(bad.status).toBe(400);
    const wrongType = await new ApiClient(zai.url).post('/api/auth/signup', { email: 42, password: ['x'] });
    expect(wrongType.status).toBe(400);
  });

  it('login answers one message for an unknown email and a wrong password, and logout ends the session', async () => {
    const api = new ApiClient(zai.url);
    await api.signup('login@example.com', 'the right password');
    await api.post('/api/auth/logout');
    expect((await api.get('/api/me')).status).toBe(401);

    const unknown = await api.post('/api/auth/login', { email: 'nobody@example.com', password: 'the right password' });
    const wrong = await api.post('/api/auth/login', { email: 'login@example.com', password: 'the wrong password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect((unknown.body as { error: { message: string } }).error.message).toBe(
      (wrong.body as { error: { message: string } }).error.message,
    );

    const ok = await api.post('/api/auth/login', { email: 'LOGIN@example.com', password: 'the right password' });
    expect(ok.status).toBe(200);
    expect((await api.get('/api/me')).status).toBe(200);
    expect((await api.post('/api/auth/logout')).status).toBe(204);
    expect((await api.get('/api/me')).status).toBe(401);
  });

  it('repeated login failures for one email answer 429 with retry-after', async () => {
    const api = new ApiClient(zai.url);
    await api.signup('throttled@example.com', 'the right password');
    let last = 0;
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i++) {
      const res = await api.post('/api/auth/login', { email: 'throttled@example.com', password: 'wrong wrong wrong' });
      last = res.status;
      retryAfter = res.headers.get('retry-after');
    }
    expect(last).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Even the right password is refused while locked.
    expect((await api.post('/api/auth/login', { email: 'throttled@example.com', password: 'the right password' })).status).toBe(
      429,
    );
  });

  it('every /api route needs a session', async () => {
    const anon = new ApiClient(zai.url);
    for (const [method, path] of [
      ['GET', '/api/providers'],
      ['GET', '/api/keys'],
      ['GET', '/api/prices'],
      ['GET', '/api/usage'],
      ['POST', '/api/keys'],
    ] as const) {
      const res = await anon.request(method, path, method === 'POST' ? {} : undefined);
      expect(res.status, `${method} ${path}`).toBe(401);
      expectOpenAIError(res.body);
    }
  });

  it('state-changing requests must be JSON from our own origin', async () => {
    const api = new ApiClient(zai.url);
    await api.signup('csrf@example.com');
    const form = await api.request('POST', '/api/keys', 'name=evil', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expectOpenAIError(form.body);
    const foreign = await api.request('POST', '/api/keys', { name: 'x' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const same = await api.request('POST', '/api/keys', { name: 'ok' }, { origin: zai.url });
    expect(same.status).toBe(201);
  });
});

describe('providers', () => {
  it('creates, lists, patches and deletes a provider without ever returning the key', async () => {
    const api = new ApiClient(zai.url);
    await api.signup('providers@example.com');
    const created = await api.post('/api/providers', {
      provider: 'openai',
      api_key: '  sk-good-0123456789abcdef \n',
      base_url: `${fake.url}/v1/`,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ provider: 'openai', name: 'openai', base_url: `${fake.url}/v1`, key_hint: 'sk-…cdef' });
    expect(Object.keys(created.body).sort()).toEqual([
      'affinity',
      'base_url',
      'created_at',
      'id',
      'key_hint',
      'keys',
      'last_check',
      'name',
      'provider',
      'updated_at',
    ]);
    expect(created.body.last_check).toBeNull();
    expect(created.text).not.toContain('0123456789');
    const id = String(created.body.id);

    const list = await api.get<{ data: Array<Record<string, unknown>> }>('/api/providers');
    expect(list.body.data).toHaveLength(1);
    expect(list.text).not.toContain('0123456789');

    const tested = await api.post(`/api/providers/${id}/test`);
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ ok: true, status: 200 });
    expect(typeof tested.body.latency_ms).toBe('number');
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(tested.body.message).toBe('OK: 2 models available.');
    // The connection keeps its last Test, for the dashboard's status.
    const lastCheck = async () =>
      (await api.get<{ data: Array<{ last_check: Record<string, unknown> | null }> }>('/api/providers')).body.data[0]?.last_check;
    expect(await lastCheck()).toMatchObject({ ok: true, status: 200, message: 'OK: 2 models available.' });

    const patched = await api.patch(`/api/providers/${id}`, { api_key: 'sk-bad-zyxwvutsrq987654321' });
    expect(patched.status).toBe(200);
    expect(patched.body.key_hint).toBe('sk-…4321');
    // That Test was of the old key.
    expect(patched.body.last_check).toBeNull();
    expect(await lastCheck()).toBeNull();
    const failed = await api.post(`/api/providers/${id}/test`);
    expect(failed.body).toMatchObject({ ok: false, status: 401 });
    // The provider echoed the key; the message is scrubbed.
    expect(failed.text).not.toContain('zyxwvutsrq');
    expect(String(failed.body.message)).toContain('Incorrect API key');
    const stored = await lastCheck();
    expect(stored).toMatchObject({ ok: false, status: 401, message: failed.body.message, checked_at: expect.any(String) });
    expect(JSON.stringify(stored)).not.toContain('zyxwvutsrq');

    expect((await api.delete(`/api/providers/${id}`)).status).toBe(204);
    expect((await api.get<{ data: unknown[] }>('/api/providers')).body.data).toHaveLength(0);
    expect((await api.delete(`/api/providers/${id}`)).status).toBe(404);
  });

  it('refuses keys of another provider with a message naming the right one', async () => {
    const api = new ApiClient(zai.url);
    await api.signup('formats@example.com');
    const cases: Array<[string, string, string]> = [
      ['openai', 'sk-ant-api03-abcdefghijklmnop', 'Anthropic'],
      ['anthropic', 'AIzaSyA-abcdefghijklmnop', 'Google Gemini'],
      ['mistral', 'gsk_abcdefghijklmnopqrstuv', 'Groq'],
      ['together', 'fw_abcdefghijklmnopqrstuv', 'Fireworks AI'],
      ['gemini', 'sk-proj-abcdefghijklmnop', 'OpenAI'],
    ];
    for (const [provider, key, named] of cases) {
      const res = await api.post('/api/providers', { provider, api_key: key });
      expect(res.status, `${provider} ${key}`).toBe(400);
      expect(String((res.body as { error: { message: string } }).error.message)).toContain(`choose ${named}`);
      expect(res.text).not.toContain(key);
    }
    const inner = await api.post('/api/providers', { provider: 'openai', api_key: 'sk-abc def' });
    expect(inner.status).toBe(400);
    const unknown = await api.post('/api/providers', { provider: 'openrouter', api_key: 'x' });
    expect(unknown.status).toBe(400);
    const missing = await api.post('/api/providers', { provider: 'openai', api_key: '' });
    expect(missing.status).toBe(400);
  });

  it('custom providers need a base URL and a lowercase name that is not a built-in id; names are unique', async () => {
    const api = new ApiClient(zai.url);
    await api.signup('custom@example.com');
    expect((await api.post('/api/providers', { provider: 'custom', api_key: '', name: 'ollama' })).status).toBe(400);
    expect(
      (await api.post('/api/providers', { provider: 'custom', api_key: '', base_url: 'http://localhost:11434/v1' })).status,
    ).toBe(400);
    expect(
      (
        await api.post('/api/providers', {
          provider: 'custom',
          api_key: '',
          base_url: 'http://localhost:11434/v1',
          name: 'Ollama',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await api.post('/api/providers', {
          provider: 'custom',
          api_key: '',
          base_url: 'http://localhost:11434/v1',
          name: 'openai',
        })
      ).status,
    ).toBe(400);
    expect((await api.post('/api/providers', { provider: 'custom', api_key: '', base_url: 'ftp://x', name: 'ftp' })).status).toBe(
      400,
    );
    const ok = await api.post('/api/providers', {
      provider: 'custom',
      api_key: '',
      base_url: 'http://localhost:11434/v1',
      name: 'ollama',
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ name: 'ollama', key_hint: '' });
    const dup = await api.post('/api/providers', {
      provider: 'custom',
      api_key: 'x',
      base_url: 'http://localhost:8000/v1',
      name: 'ollama',
    });
    expect(dup.status).toBe(409);
    expect((await api.post('/api/providers', { provider: 'openai', api_key: 'sk-one-0123456789abcdef' })).status).toBe(201);
    expect((await api.post('/api/providers', { provider: 'openai', api_key: 'sk-two-0123456789abcdef' })).status).toBe(409);
    expect(
      (await api.post('/api/providers', { provider: 'openai', api_key: 'sk-two-0123456789abcdef', name: 'openai-team' })).status,
    ).toBe(201);
  });

  it('reports an unreachable provider in the test result', async () => {
    const api = new ApiClient(zai.url);
    await api.signup('unreachable@example.com');
    const created = await api.post('/api/providers', {
      provider: 'groq',
      api_key: 'gsk_0123456789abcdef',
      base_url: 'http://127.0.0.1:9/openai/v1',
    });
    const res = await api.post(`/api/providers/${String(created.body.id)}/test`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, status: null });
    expect(String(res.body.message)).toMatch(/could not be reached/);
  });
});

describe('keys', () => {
  it('creates a key shown once, lists, patches and revokes it', async () => {
    const api = new ApiClient(zai.url);
    await api.signup('keys@example.com');
    const created = await api.post('/api/keys', {
      name: 'ci',
      allowed_models: ['openai/*', 'anthropic/claude-*'],
      spend_cap_micro_usd: 5_000_000,
      fallback_model: ['groq/llama-3.3-70b-versatile'],
    });
    expect(created.status).toBe(201);
    const key = String(created.body.key);
    expect(key).toMatch(/^zai-[0-9A-Za-z]{43,}$/);
    expect(created.body).toMatchObject({
      name: 'ci',
      key_hint: `zai-…${key.slice(-4)}`,
      allowed_models: ['openai/*', 'anthropic/claude-*'],
      spend_cap_micro_usd: 5_000_000,
      spent_micro_usd: 0,
      fallback_model: ['groq/llama-3.3-70b-versatile'],
      revoked_at: null,
    });
    const list = await api.get<{ data: Array<Record<string, unknown>> }>('/api/keys');
    expect(list.text).not.toContain(key);
    expect(list.body.data[0]).not.toHaveProperty('key');
    const id = String(created.body.id);
    const patched = await api.patch(`/api/keys/${id}`, {
      spend_cap_micro_usd: null,
      fallback_model: 'openai/gpt-4o-mini',
      name: 'renamed',
    });
    expect(patched.body).toMatchObject({ spend_cap_micro_usd: null, fallback_model: 'openai/gpt-4o-mini', name: 'renamed' });
    expect((await api.delete(`/api/keys/${id}`)).status).toBe(204);
    const after = await api.get<{ data: Array<Record<string, unknown>> }>('/api/keys');
    expect(after.body.data[0]?.revoked_at).toEqual(expect.any(String));
  });

  it('validates names, patterns, caps and fallbacks with 400s', async () => {
    const api = new ApiClient(zai.url);
    await api.signup('keyval@example.com');
    // Each bad body, and the field its 400 names.
    const bad: Array<[Record<string, unknown> | unknown[] | string, string | null]> = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x', allowed_models: 'openai/*' }, 'allowed_models'],
      [{ name: 'x', allowed_models: ['gpt-4o'] }, 'allowed_models'],
      [{ name: 'x', allowed_models: ['openai/*-mini'] }, 'allowed_models'],
      [{ name: 'x', spend_cap_micro_usd: -1 }, 'spend_cap_micro_usd'],
      [{ name: 'x', spend_cap_micro_usd: 1.5 }, 'spend_cap_micro_usd'],
      [{ name: 'x', spend_cap_micro_usd: '100' }, 'spend_cap_micro_usd'],
      [{ name: 'x', fallback_model: 'gpt-4o' }, 'fallback_model'],
      [{ name: 'x', fallback_model: ['openai/*'] }, 'fallback_model'],
      [{ name: 'x', fallback_model: 7 }, 'fallback_model'],
      [{ name: 'x', fallback_model: ['openai/a', 'openai/b', 'openai/c', 'openai/d', 'openai/e', 'openai/f'] }, 'fallback_model'],
      [{ name: 'x', rate_limit_rpm: 0 }, 'rate_limit_rpm'],
      [['name', 'x'], null],
    ];
    for (const [body, param] of bad) {
      const res = await api.post('/api/keys', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectOpenAIError(res.body);
      expect((res.body as { error: { param: string | null } }).error.param, JSON.stringify(body)).toBe(param);
    }
    const ok = await api.post('/api/keys', {
      name: 'x',
      allowed_models: ['*', 'openai/gpt-4o'],
      spend_cap_micro_usd: 0,
      unknown_field: true,
    });
    expect(ok.status).toBe(201);
  });
});

describe('prices', () => {
  it('lists the catalog, and custom prices win, 0 is free, delete goes back to the catalog', async () => {
    const api = new ApiClient(zai.url);
    await api.signup('prices@example.com');
    const list = await api.get<{ data: Array<Record<string, unknown>> }>('/api/prices');
    const mini = list.body.data.find((p) => p.model === 'openai/gpt-4o-mini');
    expect(mini).toMatchObject({
      source: 'catalog',
      input_usd_per_mtok: expect.any(Number),
      output_usd_per_mtok: expect.any(Number),
    });
    const put = await api.put('/api/prices', { model: 'openai/gpt-4o-mini', input_usd_per_mtok: 1.25, output_usd_per_mtok: 2.5 });
    expect(put.body).toEqual({
      model: 'openai/gpt-4o-mini',
      input_usd_per_mtok: 1.25,
      output_usd_per_mtok: 2.5,
      cached_input_usd_per_mtok: null,
      cache_write_5m_usd_per_mtok: null,
      cache_write_1h_usd_per_mtok: null,
      effective: { cached_input_usd_per_mtok: 1.25, cache_write_5m_usd_per_mtok: 1.25, cache_write_1h_usd_per_mtok: 1.25 },
      source: 'custom',
    });
    const free = await api.put('/api/prices', {
      model: 'ollama/llama3.2',
      input_usd_per_mtok: 0,
      output_usd_per_mtok: 0,
      cached_input_usd_per_mtok: 0,
    });
    expect(free.status).toBe(200);
    const after = await api.get<{ data: Array<Record<string, unknown>> }>('/api/prices');
    expect(after.body.data.filter((p) => p.model === 'openai/gpt-4o-mini')).toEqual([put.body]);
    expect(after.body.data.find((p) => p.model === 'ollama/llama3.2')).toMatchObject({ input_usd_per_mtok: 0, source: 'custom' });
    expect((await api.delete('/api/prices?model=openai%2Fgpt-4o-mini')).status).toBe(204);
    const back = await api.get<{ data: Array<Record<string, unknown>> }>('/api/prices');
    expect(back.body.data.find((p) => p.model === 'openai/gpt-4o-mini')).toMatchObject({ source: 'catalog' });
    expect((await api.delete('/api/prices?model=openai%2Fgpt-4o-mini')).status).toBe(404);
    for (const body of [
      { model: 'x', input_usd_per_mtok: 1, output_usd_per_mtok: 1 },
      { model: 'a/b', input_usd_per_mtok: -1, output_usd_per_mtok: 1 },
      { model: 'a/b', input_usd_per_mtok: '1', output_usd_per_mtok: 1 },
      { model: 'a/b', input_usd_per_mtok: 0.0000001, output_usd_per_mtok: 1 },
    ]) {
      expect((await api.put('/api/prices', body)).status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('isolation between accounts', () => {
  it("an account can neither see nor change another account's providers, keys or prices", async () => {
    const alice = new ApiClient(zai.url);
    const bob = new ApiClient(zai.url);
    await alice.signup('alice@example.com');
    await bob.signup('bob@example.com');
    const provider = await alice.post('/api/providers', { provider: 'openai', api_key: 'sk-alice-0123456789abcdef' });
    const key = await alice.post('/api/keys', { name: 'alice key' });
    await alice.put('/api/prices', { model: 'ollama/x', input_usd_per_mtok: 1, output_usd_per_mtok: 1 });
    const pid = String(provider.body.id);
    const kid = String(key.body.id);

    expect((await bob.get<{ data: unknown[] }>('/api/providers')).body.data).toHaveLength(0);
    expect((await bob.get<{ data: unknown[] }>('/api/keys')).body.data).toHaveLength(0);
    expect((await bob.get<{ data: Array<{ model: string }> }>('/api/prices')).body.data.some((p) => p.model === 'ollama/x')).toBe(
      false,
    );
    expect((await bob.patch(`/api/providers/${pid}`, { name: 'stolen' })).status).toBe(404);
    expect((await bob.delete(`/api/providers/${pid}`)).status).toBe(404);
    expect((await bob.post(`/api/providers/${pid}/test`)).status).toBe(404);
    expect((await bob.patch(`/api/keys/${kid}`, { spend_cap_micro_usd: 0 })).status).toBe(404);
    expect((await bob.delete(`/api/keys/${kid}`)).status).toBe(404);
    expect((await bob.delete('/api/prices?model=ollama%2Fx')).status).toBe(404);
    expect((await alice.get<{ data: unknown[] }>('/api/providers')).body.data).toHaveLength(1);
    expect((await alice.get<{ data: Array<{ revoked_at: unknown }> }>('/api/keys')).body.data[0]?.revoked_at).toBeNull();
  });
});

describe('bad input', () => {
  it('malformed JSON, wrong types, huge bodies and unknown routes get OpenAI-shaped errors', async () => {
    const api = new ApiClient(zai.url);
    await api.signup('badinput@example.com');
    const malformed = await api.request('POST', '/api/keys', '{"name": ');
    expect(malformed.status).toBe(400);
    expectOpenAIError(malformed.body, 'invalid_request');
    const array = await api.request('POST', '/api/providers', '[1,2]');
    expect(array.status).toBe(400);
    const huge = await api.request('POST', '/api/keys', JSON.stringify({ name: 'x'.repeat(11 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expectOpenAIError(huge.body, 'request_too_large');
    const route = await api.get('/api/nope');
    expect(route.status).toBe(404);
    expectOpenAIError(route.body);
    const proto = await api.request('POST', '/api/keys', '{"name":"p","__proto__":{"admin":true}}');
    // Fastify's JSON parser refuses prototype-poisoning keys outright.
    expect(proto.status).toBe(400);
    expectOpenAIError(proto.body, 'invalid_request');
    expect((await fetch(`${zai.url}/healthz`)).status).toBe(200);
  });

  it('health and readiness answer', async () => {
    expect(await (await fetch(`${zai.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${zai.url}/readyz`)).status).toBe(200);
  });
});
