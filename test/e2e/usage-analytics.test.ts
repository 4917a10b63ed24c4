/**
 * Usage analytics against brute force, on SQLite and on PostgreSQL (vitest.config.ts): random
 * rows written through the real usage writer — some compacted into hours and days, some arriving
 * late for hours already compacted, some in the current minute — and random periods (to the
 * millisecond), buckets and filters. Sums must be equal; each percentile must lie in the bin the
 * summary names and its value within 1/32 of the exact nearest-rank value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageTable } from '../../src/store/schema.js';
import { rebuildRollups } from '../../src/usage/rollup-rebuild.js';
import { ApiClient, startZai, type Zai } from '../helpers/harness.js';
import {
  groupBy,
  matches,
  nearestRank,
  randomRow,
  seeded,
  sums,
  writeRows,
  type ExpectedSums,
  type Filter,
} from '../helpers/usage-rows.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const BUCKETS: Record<string, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '1h': HOUR,
  '6h': 6 * HOUR,
  '1d': DAY,
};
const SHAPE = {
  keys: ['key_alpha', 'key_beta', 'key_gamma'],
  models: ['openai/gpt-4o-mini', 'anthropic/claude-haiku', 'gemini/flash', 'groq/llama'],
};

interface Stats {
  count: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  bounds?: Record<'p50' | 'p95' | 'p99', [number, number] | null>;
}
interface SumsOut {
  requests: number;
  errors: number;
  unpriced_requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_nano_usd: number;
  cost_micro_usd: number;
  latency_ms: Stats;
  ttft_ms: Stats;
}
interface Summary {
  since: string;
  until: string;
  bucket_ms: number;
  totals: SumsOut;
  series: Array<SumsOut & { start: string }>;
  by_model: Array<SumsOut & { model: string }>;
  by_key: Array<SumsOut & { key_id: string }>;
  by_provider: Array<SumsOut & { provider: string | null }>;
  by_endpoint: Array<SumsOut & { endpoint: string }>;
  by_pool_key: Array<SumsOut & { provider: string | null; pool_key_id: string | null }>;
}

let zai: Zai;
let api: ApiClient;
let userId: string;
const rows: UsageTable[] = [];
const now = Date.now();

function expectPercentiles(actual: Stats, sorted: number[], where: string): void {
  expect(actual.count, where).toBe(sorted.length);
  const mean = sorted.length === 0 ? null : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  if (mean === null) expect(actual.mean, where).toBeNull();
  else expect(Math.abs((actual.mean as number) - mean), where).toBeLessThanOrEqual(0.05 + 1e-9);
  for (const [name, p] of [
    ['p50', 0.5],
    ['p95', 0.95],
    ['p99', 0.99],
  ] as const) {
    const exact = nearestRank(sorted, p);
    const value = actual[name];
    if (exact === null) {
      expect(value, `${where} ${name}`).toBeNull();
      continue;
    }
    // The honest tolerance of a log-linear histogram with 16 bins per power of two.
    expect(Math.abs((value as number) - exact), `${where} ${name}: ${value} vs exact ${exact}`).toBeLessThanOrEqual(
      exact / 32 + 0.5,
    );
    const bounds = actual.bounds?.[name];
    if (actual.bounds !== undefined) {
      expect(bounds, `${where} ${name} bounds`).not.toBeNull();
      expect(exact, `${where} ${name} in its bin`).toBeGreaterThanOrEqual((bounds as [number, number])[0]);
      expect(exact, `${where} ${name} in its bin`).toBeLessThanOrEqual((bounds as [number, number])[1]);
    }
  }
}

function expectSums(actual: SumsOut, expected: ExpectedSums, where: string): void {
  expect(
    {
      requests: actual.requests,
      errors: actual.errors,
      unpriced_requests: actual.unpriced_requests,
      prompt_tokens: actual.prompt_tokens,
      completion_tokens: actual.completion_tokens,
      cached_tokens: actual.cached_tokens,
      cost_nano_usd: actual.cost_nano_usd,
      cost_micro_usd: actual.cost_micro_usd,
    },
    where,
  ).toEqual({
    requests: expected.requests,
    errors: expected.errors,
    unpriced_requests: expected.unpriced_requests,
    prompt_tokens: expected.prompt_tokens,
    completion_tokens: expected.completion_tokens,
    cached_tokens: expected.cached_tokens,
    cost_nano_usd: expected.cost_nano_usd,
    cost_micro_usd: Math.round(expected.cost_nano_usd / 1000),
  });
  expectPercentiles(actual.latency_ms, expected.latencies, `${where} latency`);
  expectPercentiles(actual.ttft_ms, expected.ttfts, `${where} ttft`);
}

function expectBreakdown<T extends SumsOut>(
  actual: T[],
  label: (r: T) => string | null,
  groups: Map<string | null, UsageTable[]>,
  where: string,
): void {
  expect(new Set(actual.map(label)), where).toEqual(new Set(groups.keys()));
  for (const row of actual) expectSums(row, sums(groups.get(label(row)) ?? []), `${where} ${label(row)}`);
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  return q.toString();
}

/** Checks one summary against the rows; returns the number of requests it covered. */
async function checkSummary(since: number, until: number, bucket: string, filter: Filter): Promise<number> {
  const res = await api.get<Summary>(
    `/api/usage/summary?${query({ since: new Date(since).toISOString(), until: new Date(until).toISOString(), bucket, ...filter })}`,
  );
  expect(res.status, res.text).toBe(200);
  const s = res.body;
  const where = `${new Date(since).toISOString()}..${new Date(until).toISOString()} ${bucket} ${JSON.stringify(filter)}`;
  const inPeriod = rows.filter((r) => r.created_at >= since && r.created_at < until && matches(r, filter));
  expectSums(s.totals, sums(inPeriod), where);

  const width = BUCKETS[bucket] as number;
  expect(s.bucket_ms).toBe(width);
  const first = Math.floor(since / width) * width;
  expect(s.series.length).toBe(Math.ceil((until - first) / width));
  const byBucket = groupBy(inPeriod, (r) => Math.floor((r.created_at - first) / width));
  s.series.forEach((point, i) => {
    expect(Date.parse(point.start)).toBe(first + i * width);
    expectSums(point, sums(byBucket.get(i) ?? []), `${where} bucket ${point.start}`);
  });
  expectBreakdown(
    s.by_model,
    (r) => r.model,
    groupBy(inPeriod, (r) => r.model_served ?? r.model_requested),
    `${where} by model`,
  );
  expectBreakdown(
    s.by_key,
    (r) => r.key_id,
    groupBy(inPeriod, (r) => r.key_id),
    `${where} by key`,
  );
  expectBreakdown(
    s.by_provider,
    (r) => r.provider,
    groupBy(inPeriod, (r) => r.provider),
    `${where} by provider`,
  );
  expectBreakdown(
    s.by_endpoint,
    (r) => r.endpoint,
    groupBy(inPeriod, (r) => r.endpoint),
    `${where} by endpoint`,
  );
  expectBreakdown(
    s.by_pool_key,
    (r) => `${r.provider}/${r.pool_key_id}`,
    groupBy(inPeriod, (r) => `${r.provider}/${r.pool_key_id}`),
    `${where} by pool key`,
  );
  return inPeriod.length;
}

function randomFilter(random: () => number): Filter {
  const f: Filter = {};
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  if (random() < 0.25) f.key_id = pick(SHAPE.keys);
  if (random() < 0.25) f.model = pick(SHAPE.models);
  if (random() < 0.15) f.provider = pick(['openai', 'anthropic', 'gemini', 'groq']);
  if (random() < 0.15) f.endpoint = pick(['chat.completions', 'embeddings', 'messages', 'responses']);
  if (random() < 0.15) f.status_class = pick(['2xx', '4xx', '5xx'] as const);
  if (random() < 0.1) f.pool_key_id = pick(['pky_openai_a', 'pky_openai_b', 'pky_anthropic_a']);
  return f;
}

beforeAll(async () => {
  zai = await startZai();
  api = new ApiClient(zai.url);
  await api.signup('analytics@example.com');
  userId = (await api.get<{ user: { id: string } }>('/api/me')).body.user.id;
  const random = seeded(20);
  const spread = (n: number, from: number, to: number, user = userId) =>
    Array.from({ length: n }, () => randomRow(random, user, Math.floor(from + random() * (to - from)), SHAPE));

  // Three days of rows, then compaction (hours and days before about ten minutes ago).
  const first = spread(2500, now - 3 * DAY, now);
  await writeRows(zai, first);
  const compacted = await zai.server.services.usageMaintenance.runOnce(now);
  expect(compacted.compactedHours).toBeGreaterThan(60);
  // Late rows for hours and days already compacted, and rows of the last minutes.
  const late = [...spread(300, now - 3 * DAY, now - 2 * HOUR), ...spread(200, now - 10 * MINUTE, now)];
  await writeRows(zai, late);
  rows.push(...first, ...late);
  // Another account's rows never count.
  await writeRows(zai, spread(300, now - 3 * DAY, now, 'usr_someone_else'));
}, 60_000);

afterAll(async () => {
  await zai?.close();
});

describe('usage summary', () => {
  it('equals a brute-force computation over the rows, for random periods, buckets and filters', async () => {
    const random = seeded(7);
    let covered = 0;
    // The whole data set at a glance, then random periods to the millisecond.
    covered += await checkSummary(now - 4 * DAY, now + MINUTE, '1d', {});
    for (let i = 0; i < 50; i++) {
      const until = now - Math.floor(random() * 2 * DAY) + MINUTE;
      const since = until - 1 - Math.floor(random() * random() * 3.5 * DAY);
      const candidates = Object.keys(BUCKETS).filter((b) => (until - since) / (BUCKETS[b] as number) < 1500);
      const bucket = candidates[Math.floor(random() * candidates.length)] as string;
      covered += await checkSummary(since, until, bucket, randomFilter(random));
    }
    // Not a test of empty answers: most periods held requests.
    expect(covered).toBeGreaterThan(20_000);
  });

  it('the request list: totals over the whole filter on the first page only, newest first by keyset pages', async () => {
    const random = seeded(11);
    for (let i = 0; i < 8; i++) {
      const until = now - Math.floor(random() * DAY);
      const since = until - Math.floor(random() * 2 * DAY);
      const filter = randomFilter(random);
      const expected = rows
        .filter((r) => r.created_at >= since && r.created_at < until && matches(r, filter))
        .sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1));
      const q = query({ since: new Date(since).toISOString(), until: new Date(until).toISOString(), limit: 200, ...filter });
      const page = await api.get<{
        data: Array<{ id: string }>;
        totals: Record<string, number> | null;
        next_cursor: string | null;
      }>(`/api/usage?${q}`);
      expect(page.status).toBe(200);
      const e = sums(expected);
      expect(page.body.totals).toEqual({
        requests: e.requests,
        unpriced_requests: e.unpriced_requests,
        prompt_tokens: e.prompt_tokens,
        completion_tokens: e.completion_tokens,
        cached_tokens: e.cached_tokens,
        cost_nano_usd: e.cost_nano_usd,
        cost_micro_usd: Math.round(e.cost_nano_usd / 1000),
      });
      const ids = page.body.data.map((r) => r.id);
      let cursor = page.body.next_cursor;
      while (cursor !== null) {
        const next = await api.get<{ data: Array<{ id: string }>; totals: unknown; next_cursor: string | null }>(
          `/api/usage?${q}&cursor=${cursor}`,
        );
        expect(next.body.totals).toBeNull();
        ids.push(...next.body.data.map((r) => r.id));
        cursor = next.body.next_cursor;
      }
      // Newest first; rows of one millisecond in the database's order of ids (its collation).
      const createdAt = new Map(expected.map((r) => [r.id, r.created_at]));
      expect([...ids].sort()).toEqual(expected.map((r) => r.id).sort());
      expect(ids.map((id) => createdAt.get(id))).toEqual(expected.map((r) => r.created_at));
    }
  });

  it('refuses bad parameters in the API error shape', async () => {
    for (const [q, param] of [
      ['bucket=2h', 'bucket'],
      ['since=yesterday', 'since'],
      ['endpoint=completions', 'endpoint'],
      ['status_class=3xx', 'status_class'],
      ['since=2020-01-01T00:00:00Z&until=2026-01-01T00:00:00Z&bucket=1m', 'bucket'],
      ['since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', 'until'],
    ] as const) {
      const res = await api.get<{ error: { param: string; type: string } }>(`/api/usage/summary?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param });
    }
    const anonymous = await new ApiClient(zai.url).get('/api/usage/summary');
    expect(anonymous.status).toBe(401);
  });

  it('zai usage rebuild-rollups gives the same answers', async () => {
    const result = await rebuildRollups(zai.server.services.store.db);
    expect(result.rows).toBe(rows.length + 300);
    await checkSummary(now - 4 * DAY, now + MINUTE, '1d', {});
    await checkSummary(now - 3 * DAY + 12_345, now - 5 * HOUR + 678, '1h', { status_class: '2xx' });
    await checkSummary(now - 2 * HOUR - 5, now, '1m', { key_id: 'key_beta' });
  });
});
