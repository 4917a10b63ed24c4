/**
 * A request's details (`GET /api/usage/:id`) and what the usage rows and summary say of unpriced
 * models and pool keys, through real `/v1` requests (the openai SDK) to fake upstreams: every
 * attempt of a fallback chain and of a pool retry with its status, the cost line by line adding up
 * to the row's cost, unpriced answers marked and counted, usage split by pool key, and another
 * account's request as unknown as a made-up id. On SQLite and PostgreSQL (vitest.config.ts).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startZai, type Zai } from '../helpers/harness.js';
import { json, openAICompletion, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';

interface Attempt {
  model: string;
  provider: string | null;
  pool_key_id: string | null;
  status: number;
  error_code: string | null;
  latency_ms: number;
}
interface CostLine {
  class: string;
  tokens: number;
  usd_per_mtok: number;
  cost_micro_usd: number;
}
interface Row {
  id: string;
  model_requested: string;
  model_served: string | null;
  provider: string | null;
  status: number;
  error_code: string | null;
  error_message: string | null;
  cost_micro_usd: number;
  cost_nano_usd: number;
  attempts: number;
  pool_key_id: string | null;
  unpriced: boolean;
}
interface Detail extends Row {
  attempt_log: Attempt[];
  cost: { priced: boolean; lines: CostLine[]; total_micro_usd: number };
}
interface Sums {
  requests: number;
  errors: number;
  unpriced_requests: number;
  cost_nano_usd: number;
}
interface Summary {
  totals: Sums;
  by_pool_key: Array<Sums & { provider: string | null; pool_key_id: string | null }>;
  by_model: Array<Sums & { model: string }>;
}

let zai: Zai;
let fake: FakeServer;
/** Accounts (their keys' tag) whose pool has refused its first `pooled` call already. */
const refusedOnce = new Set<string>();

interface Account {
  api: ApiClient;
  client: OpenAI;
  a: { id: string; secret: string };
  b: { id: string; secret: string };
  backupKeyId: string;
}

async function account(email: string): Promise<Account> {
  const tag = Math.random().toString(36).slice(2, 10);
  const api = new ApiClient(zai.url);
  expect((await api.signup(email)).status).toBe(201);
  const secretA = `sk-canary-${tag}-A-0123456789abcdef`;
  const secretB = `sk-canary-${tag}-B-0123456789abcdef`;
  const created = await api.post('/api/providers', { provider: 'openai', api_key: secretA, base_url: `${fake.url}/v1` });
  expect(created.status, created.text).toBe(201);
  const providerId = String(created.body.id);
  const aId = (created.body.keys as Array<{ id: string }>)[0]!.id;
  const added = await api.post(`/api/providers/${providerId}/keys`, { api_key: secretB, label: 'B' });
  expect(added.status, added.text).toBe(201);
  const backup = await api.post('/api/providers', {
    provider: 'custom',
    name: 'backup',
    api_key: `sk-canary-${tag}-backup-0123456789`,
    base_url: `${fake.url}/v1`,
  });
  expect(backup.status, backup.text).toBe(201);
  // Round prices: every cost below can be worked out by hand.
  const price = await api.put('/api/prices', {
    model: 'backup/spare',
    input_usd_per_mtok: 2,
    output_usd_per_mtok: 8,
    cached_input_usd_per_mtok: 0.5,
  });
  expect(price.status, price.text).toBe(200);
  const key = await api.post('/api/keys', { name: 'k', fallback_model: ['backup/spare'] });
  expect(key.status, key.text).toBe(201);
  return {
    api,
    client: new OpenAI({ apiKey: String(key.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 }),
    a: { id: aId, secret: secretA },
    b: { id: String(added.body.id), secret: secretB },
    backupKeyId: String((backup.body.keys as Array<{ id: string }>)[0]!.id),
  };
}

/** Sends one chat request; returns its request id (the usage row's id) and status. */
async function ask(acc: Account, model: string): Promise<{ id: string; status: number; cost: string | null }> {
  try {
    const { response } = await acc.client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'a private question' }] })
      .withResponse();
    return {
      id: String(response.headers.get('x-zai-request-id')),
      status: response.status,
      cost: response.headers.get('x-zai-cost-micro-usd'),
    };
  } catch (err) {
    if (!(err instanceof OpenAI.APIError)) throw err;
    return { id: String(err.headers?.get('x-zai-request-id')), status: err.status ?? 0, cost: null };
  }
}

async function detail(acc: Account, id: string): Promise<Detail> {
  await zai.server.services.usage.flush();
  const res = await acc.api.get<Detail>(`/api/usage/${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

let admin: Account;
let member: Account;
/** Its pool ends up cooling down: used for that alone. */
let cooled: Account;

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer((req, res) => {
    const body = req.json as { model: string };
    const auth = String(req.headers.authorization);
    if (body.model === 'fails-500') return json(res, 500, { error: { message: 'boom', type: 'server_error' } });
    if (body.model === 'fails-429')
      return json(res, 429, { error: { message: 'Rate limit reached', type: 'rate_limit_error' } }, { 'retry-after': '30' });
    if (body.model === 'fails-400')
      // An upstream that quotes the key it was sent: the client and the row only ever see it scrubbed.
      return json(res, 400, {
        error: { message: `Bad request for key ${auth.replace(/^Bearer /, '')}`, type: 'invalid_request_error', code: null },
      });
    // The first call of an account's pool (its keys share a tag) is refused; its other key serves.
    const account = /sk-canary-([a-z0-9]+)-/.exec(auth)?.[1] ?? '';
    if (body.model === 'pooled' && !refusedOnce.has(account)) {
      refusedOnce.add(account);
      return json(res, 429, { error: { message: 'Rate limit reached', type: 'rate_limit_error' } }, { 'retry-after': '1' });
    }
    return json(res, 200, openAICompletion({ usage: { prompt_tokens: 1200, completion_tokens: 300, cached: 200 } }));
  });
  admin = await account('details-admin@example.com');
  member = await account('details-member@example.com');
  cooled = await account('details-cooled@example.com');
});

afterAll(async () => {
  await zai?.close();
  await fake?.close();
});

describe('request details', () => {
  it('a fallback chain: the failed model and the one that served, each with its status, and the cost line by line', async () => {
    const sent = await ask(admin, 'openai/fails-500');
    expect(sent.status).toBe(200);
    const d = await detail(admin, sent.id);
    expect(d).toMatchObject({
      id: sent.id,
      model_requested: 'openai/fails-500',
      model_served: 'backup/spare',
      provider: 'backup',
      status: 200,
      attempts: 2,
      pool_key_id: admin.backupKeyId,
      unpriced: false,
      error_message: null,
    });
    expect(d.attempt_log).toHaveLength(2);
    expect(d.attempt_log[0]).toMatchObject({ model: 'openai/fails-500', provider: 'openai', status: 500 });
    expect([admin.a.id, admin.b.id]).toContain(d.attempt_log[0]!.pool_key_id);
    expect(d.attempt_log[1]).toMatchObject({
      model: 'backup/spare',
      provider: 'backup',
      pool_key_id: admin.backupKeyId,
      status: 200,
      error_code: null,
    });
    for (const a of d.attempt_log) expect(a.latency_ms).toBeGreaterThanOrEqual(0);

    // 1,000 uncached input tokens at $2, 200 cached at $0.50 and 300 output at $8 per million.
    expect(d.cost).toEqual({
      priced: true,
      lines: [
        { class: 'input', tokens: 1000, usd_per_mtok: 2, cost_micro_usd: 2000 },
        { class: 'cached_input', tokens: 200, usd_per_mtok: 0.5, cost_micro_usd: 100 },
        { class: 'output', tokens: 300, usd_per_mtok: 8, cost_micro_usd: 2400 },
      ],
      total_micro_usd: 4500,
    });
    expect(d.cost.lines.reduce((sum, l) => sum + l.cost_micro_usd, 0)).toBe(d.cost_micro_usd);
    expect(d.cost_micro_usd).toBe(4500);
    expect(sent.cost).toBe('4500');

    // The row is the list's row, plus the details.
    const list = await admin.api.get<{ data: Row[] }>('/api/usage?limit=1000');
    const { attempt_log: _log, cost: _cost, ...row } = d;
    expect(list.body.data.find((r) => r.id === sent.id)).toEqual(row);
  });

  it('a rate-limited model: each pool key it tried with its 429, then the fallback that served', async () => {
    const sent = await ask(cooled, 'openai/fails-429');
    expect(sent.status).toBe(200);
    const d = await detail(cooled, sent.id);
    expect(d).toMatchObject({ model_served: 'backup/spare', status: 200, attempts: 2, pool_key_id: cooled.backupKeyId });
    expect(d.attempt_log.map((a) => [a.model, a.provider, a.status])).toEqual([
      ['openai/fails-429', 'openai', 429],
      ['openai/fails-429', 'openai', 429],
      ['backup/spare', 'backup', 200],
    ]);
    expect(new Set(d.attempt_log.slice(0, 2).map((a) => a.pool_key_id))).toEqual(new Set([cooled.a.id, cooled.b.id]));
    expect(d.cost.lines.reduce((sum, l) => sum + l.cost_micro_usd, 0)).toBe(d.cost_micro_usd);
  });

  it('a pool retry: the refused key and the key that served', async () => {
    const sent = await ask(admin, 'openai/pooled');
    expect(sent.status).toBe(200);
    const d = await detail(admin, sent.id);
    expect(d.attempts).toBe(1);
    expect(d.attempt_log.map((a) => [a.model, a.status])).toEqual([
      ['openai/pooled', 429],
      ['openai/pooled', 200],
    ]);
    const [refused, served] = d.attempt_log as [Attempt, Attempt];
    expect(new Set([refused.pool_key_id, served.pool_key_id])).toEqual(new Set([admin.a.id, admin.b.id]));
    expect(d.pool_key_id).toBe(served.pool_key_id);
    // openai/pooled has no price: served, so unpriced.
    expect(d).toMatchObject({ unpriced: true, cost_micro_usd: 0, cost: { priced: false, lines: [], total_micro_usd: 0 } });
  });

  it('an unpriced model is marked in the row and counted in the summary; a failure is not unpriced', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const served = await ask(member, 'openai/no-price-anywhere');
    const failed = await ask(member, 'openai/fails-400');
    expect(served.status).toBe(200);
    expect(failed.status).toBe(400);
    await zai.server.services.usage.flush();
    const list = await member.api.get<{ data: Row[]; totals: Sums }>('/api/usage');
    const byId = new Map(list.body.data.map((r) => [r.id, r]));
    expect(byId.get(served.id)).toMatchObject({ unpriced: true, cost_micro_usd: 0, status: 200, error_message: null });
    expect(byId.get(failed.id)).toMatchObject({ unpriced: false, status: 400 });
    // The client's message, with the provider key it quoted scrubbed.
    const message = byId.get(failed.id)?.error_message ?? '';
    expect(message).toContain('Bad request for key');
    expect(message).toContain('[redacted]');
    expect(message).not.toContain('0123456789abcdef');
    expect(list.body.totals.unpriced_requests).toBe(1);

    const summary = await member.api.get<Summary>(`/api/usage/summary?since=${since}`);
    expect(summary.body.totals).toMatchObject({ requests: 2, errors: 1, unpriced_requests: 1 });
    expect(summary.body.by_model.find((m) => m.model === 'openai/no-price-anywhere')?.unpriced_requests).toBe(1);
    const failedDetail = await detail(member, failed.id);
    expect(failedDetail.cost).toEqual({ priced: true, lines: [], total_micro_usd: 0 });
    expect(failedDetail.attempt_log).toMatchObject([{ model: 'openai/fails-400', status: 400 }]);
  });

  it('by_pool_key splits usage by the key that served, and pool_key_id filters the list and the summary', async () => {
    for (let i = 0; i < 6; i++) expect((await ask(admin, 'backup/spare')).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await ask(admin, 'openai/gpt-4o-mini')).status).toBe(200);
    await zai.server.services.usage.flush();
    const list = await admin.api.get<{ data: Row[] }>('/api/usage?limit=1000');
    const rows = list.body.data;
    const expected = new Map<string, Row[]>();
    for (const r of rows) {
      const k = `${r.provider}|${r.pool_key_id}`;
      expected.set(k, [...(expected.get(k) ?? []), r]);
    }
    const summary = await admin.api.get<Summary>('/api/usage/summary');
    expect(summary.status).toBe(200);
    const split = new Map(summary.body.by_pool_key.map((p) => [`${p.provider}|${p.pool_key_id}`, p]));
    expect(new Set(split.keys())).toEqual(new Set(expected.keys()));
    for (const [k, group] of expected) {
      expect(split.get(k), k).toMatchObject({
        requests: group.length,
        unpriced_requests: group.filter((r) => r.unpriced).length,
        cost_nano_usd: group.reduce((sum, r) => sum + r.cost_nano_usd, 0),
      });
    }
    expect(split.get(`backup|${admin.backupKeyId}`)?.requests).toBeGreaterThanOrEqual(7);

    for (const poolKey of [admin.a.id, admin.b.id, admin.backupKeyId]) {
      const only = await admin.api.get<{ data: Row[]; totals: Sums }>(`/api/usage?pool_key_id=${poolKey}`);
      const mine = rows.filter((r) => r.pool_key_id === poolKey);
      expect(only.body.data.map((r) => r.id).sort()).toEqual(mine.map((r) => r.id).sort());
      expect(only.body.totals.requests).toBe(mine.length);
      const s = await admin.api.get<Summary>(`/api/usage/summary?pool_key_id=${poolKey}`);
      expect(s.body.totals.requests).toBe(mine.length);
      expect(s.body.by_pool_key.map((p) => p.pool_key_id)).toEqual(mine.length === 0 ? [] : [poolKey]);
    }
  });

  it("another account's request, admins included, is not found, as is an unknown id; without a session 401", async () => {
    const mine = await ask(member, 'backup/spare');
    const theirs = await ask(admin, 'backup/spare');
    await zai.server.services.usage.flush();
    expect((await member.api.get(`/api/usage/${mine.id}`)).status).toBe(200);
    for (const [acc, id] of [
      [member, theirs.id],
      [admin, mine.id],
      [admin, 'req_does_not_exist'],
    ] as const) {
      const res = await acc.api.get<{ error: { code: string; type: string; message: string } }>(`/api/usage/${id}`);
      expect(res.status, id).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'not_found', type: 'not_found_error' });
    }
    expect((await new ApiClient(zai.url).get(`/api/usage/${mine.id}`)).status).toBe(401);
  });

  it('stores no content and no key in the row: ids, numbers and codes only', async () => {
    await zai.server.services.usage.flush();
    const stored = await zai.server.services.store.db.selectFrom('usage').select(['detail', 'error_message']).execute();
    expect(stored.length).toBeGreaterThan(10);
    const text = JSON.stringify(stored);
    expect(text).not.toContain('a private question');
    expect(text).not.toContain('Hello from the fake');
    expect(text).not.toMatch(/sk-canary-[a-z0-9]+-[AB]-0123/);
    for (const { detail } of stored) expect((detail ?? '').length).toBeLessThan(600);
  });
});
