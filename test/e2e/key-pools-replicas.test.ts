/**
 * Key pool health is shared between replicas through Redis: a key cooled down on one replica is
 * avoided by the other within a second.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFernetKey } from '../../src/crypto/fernet.js';
import { ApiClient, createTestDatabase } from '../helpers/harness.js';
import { json, openAICompletion, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';
import { startPrivateRedis, startReplica, type PrivateRedis, type Replica } from '../helpers/replicas.js';

const SECRET_A = 'sk-replica-A-0123456789abcdef';
const SECRET_B = 'sk-replica-B-0123456789abcdef';

let fake: FakeServer;
let redis: PrivateRedis;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let one: Replica;
let two: Replica;

beforeAll(async () => {
  fake = await startFakeServer((req, res) => {
    if (req.headers.authorization === `Bearer ${SECRET_A}`) {
      return json(res, 429, { error: { message: 'Rate limit reached', type: 'rate_limit_error' } }, { 'retry-after': '30' });
    }
    json(res, 200, openAICompletion());
  });
  redis = await startPrivateRedis();
  db = await createTestDatabase();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    PROVIDER_KEY_ENCRYPTION_KEY: generateFernetKey(),
    ZAI_REDIS_PREFIX: `p${Date.now()}:`,
  };
  one = await startReplica(env);
  two = await startReplica(env);
}, 60_000);

afterAll(async () => {
  await one?.stop();
  await two?.stop();
  await redis?.stop();
  await db?.drop();
  await fake?.close();
});

function sentWithA(since: number): number {
  return fake.requests.slice(since).filter((r) => r.headers.authorization === `Bearer ${SECRET_A}`).length;
}

describe('key pools across replicas', () => {
  it('a key cooled down on one replica is avoided by the other within a second', async () => {
    const api = new ApiClient(one.url);
    expect((await api.signup('pools@example.com')).status).toBe(201);
    const created = await api.post('/api/providers', { provider: 'openai', api_key: SECRET_A, base_url: `${fake.url}/v1` });
    const providerId = String(created.body.id);
    expect((await api.post(`/api/providers/${providerId}/keys`, { api_key: SECRET_B })).status).toBe(201);
    const key = String((await api.post('/api/keys', { name: 'k' })).body.key);
    const clients = [one, two].map((r) => new OpenAI({ apiKey: key, baseURL: `${r.url}/v1`, maxRetries: 0 }));
    const ask = (i: number) =>
      clients[i]!.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

    // Replica one meets A's 429 (and serves from B).
    const since = fake.requests.length;
    for (let i = 0; i < 50 && sentWithA(since) === 0; i++) await ask(0);
    expect(sentWithA(since)).toBe(1);
    const cooledAt = Date.now();

    // Within a second replica two knows: none of its requests goes to A.
    await new Promise((r) => setTimeout(r, Math.max(0, cooledAt + 1000 - Date.now())));
    const onTwo = fake.requests.length;
    for (let i = 0; i < 30; i++) await ask(1);
    expect(sentWithA(onTwo)).toBe(0);
    // Replica two shows A cooling down too.
    const viaTwo = new ApiClient(two.url);
    Object.assign(viaTwo, { cookie: (api as unknown as { cookie: string }).cookie });
    const view = await viaTwo.get<{ data: Array<{ keys: Array<{ id: string; state: string }> }> }>('/api/providers');
    const aId = (created.body.keys as Array<{ id: string }>)[0]!.id;
    expect(view.body.data[0]!.keys.find((k) => k.id === aId)?.state).toBe('cooling_down');
  }, 60_000);
});
