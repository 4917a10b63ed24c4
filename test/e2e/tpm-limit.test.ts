/**
 * Tokens per minute: a key's `rate_limit_tpm` counts each request's input estimate plus the output
 * it may produce when it starts, corrected to the real usage when it ends. Over the limit: 429
 * `rate_limit_exceeded` with `retry-after`. Replicas share the count through Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimatePromptTokensUpperBound } from '../../src/billing/estimate.js';
import { generateFernetKey } from '../../src/crypto/fernet.js';
import { ApiClient, createTestDatabase, startZai, type Zai } from '../helpers/harness.js';
import { json, openAICompletion, sleep, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';
import { startReplica, type Replica } from '../helpers/replicas.js';

let fake: FakeServer;
const MESSAGES = [{ role: 'user', content: 'x' }];
/** The input estimate each request below is counted with. */
const INPUT = estimatePromptTokensUpperBound({ model: 'openai/m', messages: MESSAGES as never });

beforeAll(async () => {
  // Uses every output token it was allowed (model "short": one), after a pause that keeps
  // concurrent requests in flight.
  fake = await startFakeServer(async (req, res) => {
    const body = req.json as { model: string; max_tokens?: number; max_completion_tokens?: number };
    await sleep(300);
    const allowed = body.max_completion_tokens ?? body.max_tokens ?? 1;
    json(res, 200, openAICompletion({ usage: { prompt_tokens: 12, completion_tokens: body.model === 'short' ? 1 : allowed } }));
  });
});

afterAll(async () => {
  await fake.close();
});

async function keyWithTpm(baseUrl: string, tpm: number): Promise<string> {
  const api = new ApiClient(baseUrl);
  expect((await api.signup(`tpm${Math.random().toString(36).slice(2)}@example.com`)).status).toBe(201);
  const provider = await api.post('/api/providers', {
    provider: 'openai',
    api_key: 'sk-test-0123456789abcdefghij',
    base_url: `${fake.url}/v1`,
  });
  expect(provider.status, provider.text).toBe(201);
  const key = await api.post('/api/keys', { name: 'tpm', rate_limit_tpm: tpm });
  expect(key.status, key.text).toBe(201);
  expect(key.body.rate_limit_tpm).toBe(tpm);
  return String(key.body.key);
}

function chat(baseUrl: string, key: string, maxTokens: number, model = 'openai/m'): Promise<Response> {
  return fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: maxTokens, messages: MESSAGES }),
  });
}

/** Counts are per clock minute: start a test well inside one, so it ends in the same minute. */
async function startOfSafeMinute(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await sleep(left + 50);
}

describe('tokens-per-minute limit', () => {
  let zai: Zai;
  beforeAll(async () => {
    zai = await startZai();
  });
  afterAll(async () => {
    await zai.close();
  });

  it('refuses concurrent requests over the limit with 429 and retry-after, and corrects to the real usage', async () => {
    // Room for exactly four requests asking for 200 output tokens each.
    await startOfSafeMinute();
    const key = await keyWithTpm(zai.url, 4 * (INPUT + 200) + 10);
    const answers = await Promise.all(Array.from({ length: 10 }, () => chat(zai.url, key, 200)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    for (const refused of answers.filter((r) => r.status === 429)) {
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('rate_limit_exceeded');
      expect(body.error.message).toContain('tokens per minute');
    }
  });

  it('gives the reserved output back when the real usage is smaller', async () => {
    const key = await keyWithTpm(zai.url, INPUT + 1000 + 10);
    await startOfSafeMinute();
    // The first may use 1,000 output tokens but uses 1 (+ 12 input): the second fits only because
    // the first was corrected to its real usage.
    expect((await chat(zai.url, key, 1000, 'openai/short')).status).toBe(200);
    expect((await chat(zai.url, key, 900)).status).toBe(200);
    expect((await chat(zai.url, key, 900)).status).toBe(429);
  });
});

describe('tokens-per-minute limit across replicas', () => {
  let a: Replica;
  let b: Replica;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: 'redis://127.0.0.1:6379',
      ZAI_REDIS_PREFIX: `tpm${Date.now().toString(36)}:`,
      PROVIDER_KEY_ENCRYPTION_KEY: generateFernetKey(),
      ZAI_PRIVATE_UPSTREAMS: 'all',
    };
    a = await startReplica(env);
    b = await startReplica(env);
  }, 60_000);
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await db.drop();
  });

  it('shares one count: two requests fit the minute, the third is refused on either replica', async () => {
    const key = await keyWithTpm(a.url, 2 * (INPUT + 200) + 10);
    await startOfSafeMinute();
    expect((await chat(a.url, key, 200)).status).toBe(200);
    expect((await chat(b.url, key, 200)).status).toBe(200);
    const third = await chat(a.url, key, 200);
    // Each replica alone would have had room for this one.
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).not.toBeNull();
  });
});
