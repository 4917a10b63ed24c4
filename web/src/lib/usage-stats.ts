/**
 * The Usage page's periods and the server's usage summary (GET /api/usage/summary): its types, the
 * period's query, and what the charts and breakdown tables draw from it. Every figure comes from
 * the server, computed over the whole period; nothing is summed from a sample of rows here.
 */
import { formatCompact, formatCount, formatMs, formatUsd } from './format';

export type PeriodId = '1h' | '24h' | '7d' | '30d' | '90d';

export interface Period {
  id: PeriodId;
  label: string;
  /** The summary's bucket (server names): UTC-aligned, days are UTC days. */
  bucket: '1m' | '5m' | '1h' | '6h' | '1d';
  bucketMs: number;
  buckets: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const PERIODS: readonly Period[] = [
  { id: '1h', label: '1 hour', bucket: '5m', bucketMs: 5 * MIN, buckets: 12 },
  { id: '24h', label: '24 hours', bucket: '1h', bucketMs: HOUR, buckets: 24 },
  { id: '7d', label: '7 days', bucket: '6h', bucketMs: 6 * HOUR, buckets: 28 },
  { id: '30d', label: '30 days', bucket: '1d', bucketMs: DAY, buckets: 30 },
  { id: '90d', label: '90 days', bucket: '1d', bucketMs: DAY, buckets: 90 },
];

export function periodById(id: PeriodId): Period {
  return PERIODS.find((p) => p.id === id) ?? (PERIODS[1] as Period);
}

/** The start of the period's first bucket: the last bucket is the one that holds `now`. */
export function periodSince(period: Period, now: number): number {
  return Math.floor(now / period.bucketMs) * period.bucketMs - (period.buckets - 1) * period.bucketMs;
}

export interface UsageFilters {
  keyId: string;
  endpoint: string;
}

/** The query string of a period and filters, for the summary, the list and the export. */
export function usageParams(
  period: Period,
  filters: UsageFilters,
  now: number,
  extra: Record<string, string | number> = {},
): string {
  const q = new URLSearchParams({ since: new Date(periodSince(period, now)).toISOString() });
  if (filters.keyId) q.set('key_id', filters.keyId);
  if (filters.endpoint) q.set('endpoint', filters.endpoint);
  for (const [k, v] of Object.entries(extra)) q.set(k, String(v));
  return q.toString();
}

export interface LatencyStats {
  count: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface SummarySums {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_nano_usd: number;
  cost_micro_usd: number;
  /** Requests served by a model without a price: their cost is unknown, not counted in the cost. */
  unpriced_requests: number;
  latency_ms: LatencyStats;
  ttft_ms: LatencyStats;
}

export interface UsageSummary {
  since: string;
  until: string;
  bucket_ms: number;
  totals: SummarySums;
  series: Array<SummarySums & { start: string }>;
  by_model: Array<SummarySums & { model: string }>;
  by_key: Array<SummarySums & { key_id: string }>;
  by_provider: Array<SummarySums & { provider: string | null }>;
  by_pool_key: Array<SummarySums & { provider: string | null; pool_key_id: string | null }>;
  by_endpoint: Array<SummarySums & { endpoint: string }>;
}

/**
 * The period's headline figures, formatted once from the summary's totals: the stat cards and the
 * chart headers show these same strings, so they cannot disagree (summing the chart's buckets
 * again could round differently).
 */
export interface Headlines {
  requests: string;
  tokens: string;
  cost: string;
  latency: string;
}

export function headlines(totals: SummarySums): Headlines {
  const { p50, p95 } = totals.latency_ms;
  return {
    requests: formatCount(totals.requests),
    tokens: formatCompact(totals.prompt_tokens + totals.completion_tokens),
    cost: formatUsd(totals.cost_micro_usd),
    latency: p50 === null ? 'p50 / p95' : `${formatMs(p50)} / ${formatMs(p95)}`,
  };
}

export interface ChartPoint {
  label: string;
  requests: number;
  ok: number;
  errors: number;
  /** Drawn: not rounded per bucket. */
  cost_micro_usd: number;
  prompt_tokens: number;
  completion_tokens: number;
  p50: number | null;
  p95: number | null;
}

export function chartPoints(summary: UsageSummary, period: Period): ChartPoint[] {
  return summary.series.map((b) => ({
    label: bucketLabel(Date.parse(b.start), period),
    requests: b.requests,
    ok: b.requests - b.errors,
    errors: b.errors,
    cost_micro_usd: b.cost_nano_usd / 1000,
    prompt_tokens: b.prompt_tokens,
    completion_tokens: b.completion_tokens,
    p50: b.latency_ms.p50,
    p95: b.latency_ms.p95,
  }));
}

export interface Breakdown {
  /** What the row stands for (a model, a key's id…): unique in its table. */
  key: string;
  label: string;
  /** A second line under the label (a pool key's provider). */
  detail?: string;
  requests: number;
  errors: number;
  unpriced: number;
  tokens: number;
  cost_micro_usd: number;
  p50: number | null;
}

export interface RowName {
  key: string;
  label: string;
  detail?: string;
}

export function breakdownRows<T extends SummarySums>(rows: readonly T[], nameOf: (row: T) => RowName): Breakdown[] {
  return rows.map((r) => ({
    ...nameOf(r),
    requests: r.requests,
    errors: r.errors,
    unpriced: r.unpriced_requests,
    tokens: r.prompt_tokens + r.completion_tokens,
    cost_micro_usd: r.cost_micro_usd,
    p50: r.latency_ms.p50,
  }));
}

export function bucketLabel(start: number, period: Period): string {
  const d = new Date(start);
  // Day buckets are UTC days (as the server sums them, and as providers bill).
  if (period.bucketMs >= DAY) return d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
  if (period.id === '7d') return d.toLocaleString('en-US', { month: 'short', day: 'numeric', hour: 'numeric' });
  return d.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
}
