/**
 * Usage rows for analytics tests: random rows (seeded) written through the server's real usage
 * writer, and the brute-force computation the summary must agree with — straight from the rows,
 * sharing no code with the server's rollups.
 */
import type { UsageEndpoint, UsageTable } from '../../src/store/schema.js';
import type { Zai } from './harness.js';

export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENDPOINTS: UsageEndpoint[] = ['chat.completions', 'embeddings', 'messages', 'responses'];
const STATUSES = [200, 200, 200, 200, 200, 200, 429, 400, 502, 499];

export interface RowShape {
  keys: string[];
  models: string[];
}

let counter = 0;

/** A random row of `userId` at `createdAt`: any key, model, fallback, provider, endpoint, status. */
export function randomRow(random: () => number, userId: string, createdAt: number, shape: RowShape): UsageTable {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const status = pick(STATUSES);
  const model = pick(shape.models);
  const served = status === 200 ? (random() < 0.2 ? pick(shape.models) : model) : random() < 0.5 ? null : model;
  const provider = status === 400 && random() < 0.7 ? null : ((served ?? model).split('/')[0] ?? null);
  // Latencies from 0 ms to ten minutes, most of them between 50 ms and 5 s.
  const latency =
    random() < 0.05 ? Math.floor(random() * 32) : Math.round(Math.exp(4 + random() * 4.5 + (random() < 0.02 ? 4 : 0)));
  const stream = random() < 0.5;
  // A served answer came from one of two pool keys of its provider (rarely none: rows from before
  // pools), and a few came from models without a price: unpriced, cost unknown (0).
  const poolKey = status === 200 && provider !== null && random() < 0.9 ? `pky_${provider}_${random() < 0.6 ? 'a' : 'b'}` : null;
  const unpriced = status === 200 && served !== null && random() < 0.15;
  counter += 1;
  return {
    id: `req_t${userId.slice(-6)}${counter.toString(36)}_${Math.floor(random() * 1e9).toString(36)}`,
    created_at: createdAt,
    user_id: userId,
    key_id: pick(shape.keys),
    model_requested: model,
    model_served: served,
    provider,
    status,
    error_code: status === 200 ? null : `error_${status}`,
    prompt_tokens: status === 200 ? Math.floor(random() * 5000) : 0,
    completion_tokens: status === 200 ? Math.floor(random() * 2000) : 0,
    cached_tokens: status === 200 && random() < 0.3 ? Math.floor(random() * 1000) : 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_nano_usd: status === 200 && !unpriced ? Math.floor(random() * 50_000_000) : 0,
    latency_ms: latency,
    ttft_ms: stream && status === 200 ? Math.floor(latency * random()) : null,
    stream: stream ? 1 : 0,
    attempts: 1 + Math.floor(random() * 2),
    endpoint: pick(ENDPOINTS),
    pool_key_id: poolKey,
    unpriced: unpriced ? 1 : 0,
    error_message: status === 200 ? null : `Upstream provider returned ${status}: "slow down, please"`,
    detail: null,
  };
}

/** Writes rows through the running server's usage writer (rows, rollups, spend) and waits. */
export async function writeRows(zai: Zai, rows: UsageTable[]): Promise<void> {
  for (const row of rows) zai.server.services.usage.record(row);
  await zai.server.services.usage.flush();
}

export interface Filter {
  key_id?: string;
  model?: string;
  provider?: string;
  endpoint?: string;
  status_class?: '2xx' | '4xx' | '5xx';
  pool_key_id?: string;
}

export function matches(row: UsageTable, f: Filter): boolean {
  return (
    (f.key_id === undefined || row.key_id === f.key_id) &&
    (f.model === undefined || row.model_requested === f.model || row.model_served === f.model) &&
    (f.provider === undefined || row.provider === f.provider) &&
    (f.endpoint === undefined || row.endpoint === f.endpoint) &&
    (f.status_class === undefined || Math.floor(row.status / 100) === Number(f.status_class[0])) &&
    (f.pool_key_id === undefined || row.pool_key_id === f.pool_key_id)
  );
}

export interface ExpectedSums {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_nano_usd: number;
  unpriced_requests: number;
  latencies: number[];
  ttfts: number[];
}

export function sums(rows: UsageTable[]): ExpectedSums {
  const out: ExpectedSums = {
    requests: 0,
    errors: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    cached_tokens: 0,
    cost_nano_usd: 0,
    unpriced_requests: 0,
    latencies: [],
    ttfts: [],
  };
  for (const r of rows) {
    out.requests += 1;
    if (r.status >= 400) out.errors += 1;
    out.prompt_tokens += r.prompt_tokens;
    out.completion_tokens += r.completion_tokens;
    out.cached_tokens += r.cached_tokens;
    out.cost_nano_usd += r.cost_nano_usd;
    out.unpriced_requests += r.unpriced;
    out.latencies.push(r.latency_ms);
    if (r.ttft_ms !== null) out.ttfts.push(r.ttft_ms);
  }
  out.latencies.sort((a, b) => a - b);
  out.ttfts.sort((a, b) => a - b);
  return out;
}

/** The nearest-rank percentile: the smallest value with at least p of all values at or below it. */
export function nearestRank(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] as number;
}

export function groupBy<K>(rows: UsageTable[], key: (r: UsageTable) => K): Map<K, UsageTable[]> {
  const out = new Map<K, UsageTable[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list === undefined) out.set(k, [r]);
    else list.push(r);
  }
  return out;
}
