/**
 * Scale-out: two Z-AI replicas on one PostgreSQL and one Redis behave as one; without Redis,
 * PostgreSQL alone still keeps caps; when Redis is gone requests fail closed and recover.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/crypto/fernet.js';
import { ApiClient, createTestDatabase } from '../helpers/harness.js';
import { json, openAICompletion, sleep, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';
import { startPrivateRedis, startReplica, type PrivateRedis, type Replica } from '../helpers/replicas.js';

let fake: FakeServer;
const encryptionKey = generateFernetKey();

beforeAll(async () => {
  fake = await startFakeServer(async (req, res) => {
    const body = req.json as { model: string };
    if (body.model === 'slow') await sleep(30);
    json(res, 200, openAICompletion({ usage: { prompt_tokens: 12, completion_tokens: 1000 } }));
  });
});

afterAll(async () => {
  await fake.close();
});

async function setup(a: Replica): Promise<{ api: ApiClient }> {
  const api = new ApiClient(a.url);
  expect((await api.signup('ops@example.com')).status).toBe(201);
  await api.post('/api/providers', { provider: 'openai', api_key: 'sk-replica-0123456789abcdef', base_url: `${fake.url}/v1` });
  await api.put('/api/prices', { model: 'openai/slow', input_usd_per_mtok: 1, output_usd_per_mtok: 1 });
  return { api };
}

async function capHolds(a: Replica, b: Replica, api: ApiClient): Promise<void> {
  const cap = 20_500; // each request really costs 1,012 micro-USD: about twenty fit
  const key = await api.post('/api/keys', { name: 'capped', spend_cap_micro_usd: cap });
  const clients = [a, b].map((r) => new OpenAI({ apiKey: String(key.body.key), baseURL: `${r.url}/v1`, maxRetries: 0 }));
  const results = await Promise.allSettled(
    Array.from({ length: 120 }, (_, i) =>
      clients[i % 2]!.chat.completions.create({
        model: 'openai/slow',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 1000,
      }),
    ),
  );
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  for (const r of results) if (r.status === 'rejected') expect((r.reason as { status: number }).status).toBe(402);
  await sleep(1500);
  const spent = (await api.get<{ data: Array<{ id: string; spent_micro_usd: number }> }>('/api/keys')).body.data.find(
    (k) => k.id === key.body.id,
  )!.spent_micro_usd;
  expect(spent).toBe(ok * 1012);
  expect(spent).toBeLessThanOrEqual(cap);
  expect(spent).toBeGreaterThanOrEqual(cap / 2);
}

describe('two replicas on PostgreSQL and Redis', () => {
  let redis: PrivateRedis;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: Replica;
  let b: Replica;
  let api: ApiClient;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      PROVIDER_KEY_ENCRYPTION_KEY: encryptionKey,
      ZAI_REDIS_PREFIX: `t${Date.now()}:`,
    };
    a = await startReplica(env);
    b = await startReplica(env);
    ({ api } = await setup(a));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    await db?.drop();
  });

  it('120 concurrent requests spread across both never exceed the cap', async () => {
    await capHolds(a, b, api);
  });

  it('a session from A works on B; a provider added on A serves on B', async () => {
    const onB = new ApiClient(b.url);
    Object.assign(onB, { cookie: (api as unknown as { cookie: string }).cookie });
    expect((await onB.get('/api/me')).status).toBe(200);
    const key = await api.post('/api/keys', { name: 'k' });
    const client = new OpenAI({ apiKey: String(key.body.key), baseURL: `${b.url}/v1`, maxRetries: 0 });
    // B caches the account's providers on first use…
    await client.chat.completions.create({ model: 'openai/x', messages: [{ role: 'user', content: 'hi' }] });
    const missing = await client.chat.completions
      .create({ model: 'groq/llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect((missing as { code: string }).code).toBe('provider_not_configured');
    // …and drops that cache when A adds a provider.
    await api.post('/api/providers', { provider: 'groq', api_key: 'gsk_replica0123456789', base_url: `${fake.url}/v1` });
    await sleep(300);
    const served = await client.chat.completions.create({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(served.model).toBe('groq/llama-3.3-70b-versatile');
  });

  it('a key revoked on A is refused by B within one second', async () => {
    const key = await api.post('/api/keys', { name: 'revoke me' });
    const onB = new OpenAI({ apiKey: String(key.body.key), baseURL: `${b.url}/v1`, maxRetries: 0 });
    await onB.chat.completions.create({ model: 'openai/x', messages: [{ role: 'user', content: 'hi' }] });
    expect((await api.delete(`/api/keys/${String(key.body.id)}`)).status).toBe(204);
    const revokedAt = Date.now();
    let refusedAt = 0;
    while (Date.now() - revokedAt < 3000) {
      const res = await onB.chat.completions
        .create({ model: 'openai/x', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e);
      if ((res as { status?: number }).status === 401) {
        refusedAt = Date.now();
        break;
      }
      await sleep(20);
    }
    expect(refusedAt).toBeGreaterThan(0);
    expect(refusedAt - revokedAt).toBeLessThan(1000);
  });

  it('an account disabled on A has its keys refused by B within one second, and working again once enabled', async () => {
    const member = new ApiClient(a.url);
    expect((await member.signup('member@example.com')).status).toBe(201);
    const provider = await member.post('/api/providers', {
      provider: 'openai',
      api_key: 'sk-member-0123456789abcdef',
      base_url: `${fake.url}/v1`,
    });
    expect(provider.status).toBe(201);
    const key = await member.post('/api/keys', { name: 'member key' });
    const onB = new OpenAI({ apiKey: String(key.body.key), baseURL: `${b.url}/v1`, maxRetries: 0 });
    const call = () =>
      onB.chat.completions.create({ model: 'openai/x', messages: [{ role: 'user', content: 'hi' }] }).then(
        () => 200,
        (e: unknown) => (e as { status: number }).status,
      );
    // B now holds the key in its cache.
    expect(await call()).toBe(200);
    const memberId = (await member.get<{ user: { id: string } }>('/api/me')).body.user.id;
    const untilStatus = async (status: number): Promise<number> => {
      const since = Date.now();
      while (Date.now() - since < 3000) {
        if ((await call()) === status) return Date.now() - since;
        await sleep(20);
      }
      return Infinity;
    };
    expect((await api.patch(`/api/admin/accounts/${memberId}`, { disabled: true })).status).toBe(200);
    expect(await untilStatus(403)).toBeLessThan(1000);
    expect((await api.patch(`/api/admin/accounts/${memberId}`, { disabled: false })).status).toBe(200);
    expect(await untilStatus(200)).toBeLessThan(1000);
  });

  it('fails closed with 503 while Redis is gone, and recovers by itself', async () => {
    const key = await api.post('/api/keys', { name: 'outage' });
    const client = new OpenAI({ apiKey: String(key.body.key), baseURL: `${a.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'openai/x', messages: [{ role: 'user', content: 'hi' }] });
    await redis.stop();
    await sleep(300);
    const down = await client.chat.completions
      .create({ model: 'openai/x', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect((down as { status: number }).status).toBe(503);
    expect((down as { code: string }).code).toBe('coordination_unavailable');
    expect((await fetch(`${a.url}/readyz`)).status).toBe(503);
    await redis.start();
    let recovered = false;
    for (let i = 0; i < 50 && !recovered; i++) {
      await sleep(200);
      recovered = (await fetch(`${a.url}/readyz`)).status === 200;
    }
    expect(recovered).toBe(true);
    const again = await client.chat.completions.create({ model: 'openai/x', messages: [{ role: 'user', content: 'hi' }] });
    expect(again.choices[0]?.finish_reason).toBe('stop');
  });

  it('SIGTERM under load: every successful answer has its usage row', async () => {
    const key = await api.post('/api/keys', { name: 'sigterm' });
    const client = new OpenAI({ apiKey: String(key.body.key), baseURL: `${b.url}/v1`, maxRetries: 0 });
    let ok = 0;
    const load = Array.from({ length: 8 }, async () => {
      for (;;) {
        try {
          await client.chat.completions.create({ model: 'openai/slow', messages: [{ role: 'user', content: 'hi' }] });
          ok += 1;
        } catch {
          return;
        }
      }
    });
    await sleep(800);
    expect(await b.stop('SIGTERM')).toBe(0);
    await Promise.all(load);
    expect(ok).toBeGreaterThan(10);
    const usage = await api.get<{ totals: { requests: number }; data: Array<{ status: number }> }>(
      `/api/usage?key_id=${String(key.body.id)}&limit=1000`,
    );
    expect(usage.body.data.filter((r) => r.status === 200).length).toBe(ok);
  });
});

describe('two replicas on PostgreSQL without Redis', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The default deadlines (1 s): a replica takes the key's row once for all of its queued requests.
    const env = { DATABASE_URL: db.url, PROVIDER_KEY_ENCRYPTION_KEY: encryptionKey };
    a = await startReplica(env);
    b = await startReplica(env);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('still never exceed a cap under 120 concurrent requests (row locks)', async () => {
    const { api } = await setup(a);
    await capHolds(a, b, api);
  });
});
