/**
 * Turns usage rows into what the Usage page draws: time buckets (cost, requests, errors,
 * latency p50 / p95, tokens) and breakdowns by model and by key. Pure functions.
 */
import type { UsageRecord } from './types';

export type PeriodId = '1h' | '24h' | '7d' | '30d' | '90d';

export interface Period {
  id: PeriodId;
  label: string;
  /** Bucket width in ms; day buckets follow local midnights. */
  bucketMs: number;
  buckets: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const PERIODS: readonly Period[] = [
  { id: '1h', label: '1 hour', bucketMs: 5 * MIN, buckets: 12 },
  { id: '24h', label: '24 hours', bucketMs: HOUR, buckets: 24 },
  { id: '7d', label: '7 days', bucketMs: 6 * HOUR, buckets: 28 },
  { id: '30d', label: '30 days', bucketMs: DAY, buckets: 30 },
  { id: '90d', label: '90 days', bucketMs: DAY, buckets: 90 },
];

export function periodById(id: PeriodId): Period {
  return PERIODS.find((p) => p.id === id) ?? (PERIODS[1] as Period);
}

function floorToBucket(t: number, bucketMs: number): number {
  if (bucketMs >= DAY) {
    const d = new Date(t);
    d.setHours(0, 0, 0, 0);
    return d.getTime();
  }
  const offset = new Date(t).getTimezoneOffset() * MIN;
  return Math.floor((t - offset) / bucketMs) * bucketMs + offset;
}

/** Bucket start times, oldest first, ending with the bucket that holds `now`. */
export function bucketStarts(period: Period, now = Date.now()): number[] {
  const last = floorToBucket(now, period.bucketMs);
  const starts: number[] = [];
  for (let i = period.buckets - 1; i >= 0; i--) {
    if (period.bucketMs >= DAY) {
      const d = new Date(last);
      d.setDate(d.getDate() - i);
      starts.push(d.getTime());
    } else {
      starts.push(last - i * period.bucketMs);
    }
  }
  return starts;
}

/** Nearest-rank percentile of ascending values; null when there are none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

export interface Bucket {
  start: number;
  requests: number;
  errors: number;
  cost_micro_usd: number;
  prompt_tokens: number;
  completion_tokens: number;
  p50: number | null;
  p95: number | null;
}

export function bucketize(rows: readonly UsageRecord[], period: Period, now = Date.now()): Bucket[] {
  const starts = bucketStarts(period, now);
  const buckets: Bucket[] = starts.map((start) => ({
    start,
    requests: 0,
    errors: 0,
    cost_micro_usd: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    p50: null,
    p95: null,
  }));
  const latencies: number[][] = starts.map(() => []);
  for (const row of rows) {
    const t = Date.parse(row.created_at);
    let index = starts.length - 1;
    while (index >= 0 && (starts[index] as number) > t) index--;
    const bucket = buckets[index];
    if (index < 0 || !bucket) continue;
    bucket.requests += 1;
    if (row.status >= 400) bucket.errors += 1;
    bucket.cost_micro_usd += row.cost_micro_usd;
    bucket.prompt_tokens += row.prompt_tokens;
    bucket.completion_tokens += row.completion_tokens;
    latencies[index]?.push(row.latency_ms);
  }
  buckets.forEach((bucket, i) => {
    const sorted = (latencies[i] ?? []).sort((a, b) => a - b);
    bucket.p50 = percentile(sorted, 0.5);
    bucket.p95 = percentile(sorted, 0.95);
  });
  return buckets;
}

export interface Breakdown {
  label: string;
  requests: number;
  errors: number;
  tokens: number;
  cost_micro_usd: number;
  p50: number | null;
}

export function breakdown(rows: readonly UsageRecord[], labelOf: (row: UsageRecord) => string): Breakdown[] {
  const groups = new Map<string, { rows: UsageRecord[] }>();
  for (const row of rows) {
    const label = labelOf(row);
    const group = groups.get(label) ?? { rows: [] };
    group.rows.push(row);
    groups.set(label, group);
  }
  return [...groups.entries()]
    .map(([label, { rows: g }]) => ({
      label,
      requests: g.length,
      errors: g.filter((r) => r.status >= 400).length,
      tokens: g.reduce((s, r) => s + r.prompt_tokens + r.completion_tokens, 0),
      cost_micro_usd: g.reduce((s, r) => s + r.cost_micro_usd, 0),
      p50: percentile(
        g.map((r) => r.latency_ms).sort((a, b) => a - b),
        0.5,
      ),
    }))
    .sort((a, b) => b.cost_micro_usd - a.cost_micro_usd || b.requests - a.requests);
}

export function latencySummary(rows: readonly UsageRecord[]): { p50: number | null; p95: number | null } {
  const sorted = rows.map((r) => r.latency_ms).sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
}

export function bucketLabel(start: number, period: Period): string {
  const d = new Date(start);
  if (period.bucketMs >= DAY) return d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
  if (period.id === '7d') return d.toLocaleString('en-US', { month: 'short', day: 'numeric', hour: 'numeric' });
  return d.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
}
