/**
 * The usage summary of one account over a period: totals, a time series, breakdowns by model,
 * key, provider, endpoint and pool key, and latency / TTFT percentiles — summed from day and hour
 * packs, minute rollups and, for the partial minutes at the period's ends, request rows
 * (summary-plan.ts), in one snapshot. Sums are exact; percentiles are exact to their histogram bin
 * (store/latency-histogram.ts).
 */
import { binOf, type Percentile } from '../../store/latency-histogram.js';
import { PackCursor } from '../rollup-pack.js';
import { Acc, addEntries, addSums, type LatencyStats, type Sums } from './summary-acc.js';
import { DAY, MINUTE, MINUTE_SUM_COLUMNS, SERIES_DIMS, seriesKey, statusClass } from '../rollups.js';
import { planPeriod } from './summary-plan.js';
import { filterRows, seriesMatches, type SeriesInfo, type UsageFilter } from './usage-params.js';
import type { Row, RunQuery, UsageReader } from './usage-reader.js';

export interface SummaryRequest {
  userId: string;
  since: number;
  until: number;
  /** Time series bucket width (ms); undefined: no series. */
  bucketMs: number | undefined;
  filter: UsageFilter;
  /** false: sums only (no histograms read): the request list's totals, the admin's accounts. */
  percentiles: boolean;
}

export type { LatencyStats, Sums };

export interface LatencyStatsWithBounds extends LatencyStats {
  /** Inclusive bounds (ms) of the histogram bin each percentile lies in: the exact value is inside. */
  bounds: { p50: [number, number] | null; p95: [number, number] | null; p99: [number, number] | null };
}

export interface SeriesPoint extends Sums {
  start: string;
  latency_ms: LatencyStats;
  ttft_ms: LatencyStats;
}

export interface BreakdownRow extends Sums {
  latency_ms: LatencyStats;
  ttft_ms: LatencyStats;
}

export interface UsageSummary {
  since: string;
  until: string;
  bucket_ms: number | null;
  totals: Sums & { latency_ms: LatencyStatsWithBounds; ttft_ms: LatencyStatsWithBounds };
  series: SeriesPoint[];
  by_model: Array<BreakdownRow & { model: string }>;
  by_key: Array<BreakdownRow & { key_id: string }>;
  by_provider: Array<BreakdownRow & { provider: string | null }>;
  by_endpoint: Array<BreakdownRow & { endpoint: string }>;
  /** null pool_key_id: requests no pool key served (failures, and rows from before key pools). */
  by_pool_key: Array<BreakdownRow & { provider: string | null; pool_key_id: string | null }>;
}

/** The latest time a Date can hold: "until" when none is given. */
export const END_OF_TIME = 8.64e15;

/** Breakdown rows returned per dimension (largest cost first). */
export const BREAKDOWN_LIMIT = 100;
/** Series that get their own histograms (breakdown percentiles); past this only sums (guards memory). */
const MAX_SERIES_HISTOGRAMS = 5000;

interface SeriesState extends SeriesInfo {
  acc: Acc;
}

async function loadSeries(reader: UsageReader, run: RunQuery, userId: string): Promise<SeriesState[]> {
  const rows = await run(
    reader.q
      .selectFrom('usage_series')
      .select(['id', ...SERIES_DIMS.filter((d) => d !== 'user_id')])
      .where('user_id', '=', userId),
  );
  return rows.map((r) => ({
    id: Number(r[0]),
    keyId: String(r[1]),
    modelRequested: String(r[2]),
    modelServed: r[3] === '' ? null : String(r[3]),
    provider: r[4] === '' ? null : String(r[4]),
    endpoint: String(r[5]),
    statusClass: Number(r[6]),
    poolKeyId: r[7] === '' ? null : String(r[7]),
    unpriced: Number(r[8]) === 1,
    acc: new Acc(),
  }));
}

function seriesStateKey(userId: string, s: SeriesState): string {
  return seriesKey(
    userId,
    s.keyId,
    s.modelRequested,
    s.modelServed ?? '',
    s.provider ?? '',
    s.endpoint,
    s.statusClass,
    s.poolKeyId ?? '',
    s.unpriced ? 1 : 0,
  );
}

/** Sums for the request, read inside the caller's snapshot. */
export async function summarize(reader: UsageReader, run: RunQuery, req: SummaryRequest): Promise<UsageSummary> {
  const { userId, since, until, filter } = req;
  const withPercentiles = req.percentiles;
  const all = await loadSeries(reader, run, userId);
  const byId = new Map<number, SeriesState>();
  const byDims = new Map<string, SeriesState>();
  let histograms = 0;
  for (const s of all) {
    if (!seriesMatches(s, filter)) continue;
    if (withPercentiles && histograms < MAX_SERIES_HISTOGRAMS) {
      s.acc.withHistograms();
      histograms += 1;
    }
    byId.set(s.id, s);
    byDims.set(seriesStateKey(userId, s), s);
  }
  const progressRows = await run(
    reader.q.selectFrom('usage_rollup_progress').select('compacted_until').where('user_id', '=', userId),
  );
  const compacted = progressRows.length === 0 ? 0 : Number(progressRows[0]?.[0]);

  const bucketMs = req.bucketMs;
  const firstBucket = bucketMs === undefined ? since : Math.floor(since / bucketMs) * bucketMs;
  const bucketCount = bucketMs === undefined ? 0 : Math.max(0, Math.ceil((until - firstBucket) / bucketMs));
  const buckets: Acc[] = Array.from({ length: bucketCount }, () => (withPercentiles ? new Acc().withHistograms() : new Acc()));
  const totals = withPercentiles ? new Acc().withHistograms() : new Acc();
  const bucketOf = (t: number): Acc | undefined =>
    bucketMs === undefined ? undefined : buckets[Math.floor((t - firstBucket) / bucketMs)];

  // Without a time series any grain fits.
  const plan = planPeriod(since, until, bucketMs ?? DAY, compacted);
  // Narrow the rollup reads to the matching series when a filter leaves few of them.
  const filtered = byId.size < all.length;
  const ids = filtered && byId.size <= 500 ? [...byId.keys()] : undefined;
  if (!filtered || byId.size > 0) {
    for (const range of plan.rollups) {
      if (range.grain === MINUTE) {
        const rows = await run(minuteQuery(reader, userId, range.from, range.to, ids, withPercentiles));
        for (const r of rows) addMinute(r, byId, bucketOf, totals, withPercentiles);
      } else {
        const packs = await run(
          reader.q
            .selectFrom('usage_rollup_packs')
            .select(['bucket_start', 'body'])
            .where('user_id', '=', userId)
            .where('grain', '=', range.grain)
            .where('bucket_start', '>=', range.from)
            .where('bucket_start', '<', range.to),
        );
        for (const [start, body] of packs) addPack(body as Uint8Array, bucketOf(Number(start)), byId, totals, withPercentiles);
      }
    }
  }
  for (const range of plan.raw) {
    const rows = await run(
      filterRows(
        reader.q
          .selectFrom('usage')
          .select([
            'created_at',
            'user_id',
            'key_id',
            'model_requested',
            'model_served',
            'provider',
            'endpoint',
            'status',
            'prompt_tokens',
            'completion_tokens',
            'cached_tokens',
            'cost_nano_usd',
            'latency_ms',
            'ttft_ms',
            'pool_key_id',
            'unpriced',
          ]),
        userId,
        filter,
      )
        .where('created_at', '>=', range.from)
        .where('created_at', '<', range.to),
    );
    for (const r of rows) addRaw(r, byDims, byId, bucketOf, totals, withPercentiles);
  }

  const lat = totals.stats('latency');
  const ttft = totals.stats('ttft');
  const bounds = (ps: Array<Percentile | null>) => ({
    p50: ps[0] ? ([ps[0].low, ps[0].high] as [number, number]) : null,
    p95: ps[1] ? ([ps[1].low, ps[1].high] as [number, number]) : null,
    p99: ps[2] ? ([ps[2].low, ps[2].high] as [number, number]) : null,
  });
  const series = [...byId.values()];
  return {
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    bucket_ms: bucketMs ?? null,
    totals: {
      ...totals.sums(),
      latency_ms: { ...lat.stats, bounds: bounds(lat.ps) },
      ttft_ms: { ...ttft.stats, bounds: bounds(ttft.ps) },
    },
    series: buckets.map((b, i) => ({
      start: new Date(firstBucket + i * (bucketMs as number)).toISOString(),
      ...b.sums(),
      latency_ms: b.stats('latency').stats,
      ttft_ms: b.stats('ttft').stats,
    })),
    by_model: breakdown(series, (s) => s.modelServed ?? s.modelRequested, withPercentiles).map(([model, row]) => ({
      model,
      ...row,
    })),
    by_key: breakdown(series, (s) => s.keyId, withPercentiles).map(([key_id, row]) => ({ key_id, ...row })),
    by_provider: breakdown(series, (s) => s.provider, withPercentiles).map(([provider, row]) => ({ provider, ...row })),
    by_endpoint: breakdown(series, (s) => s.endpoint, withPercentiles).map(([endpoint, row]) => ({ endpoint, ...row })),
    // A pool key belongs to one provider entry; the provider is in the group's key all the same,
    // so that "no pool key" is a row per provider.
    by_pool_key: breakdown(series, (s) => `${s.provider ?? ''}\0${s.poolKeyId ?? ''}`, withPercentiles).map(([group, row]) => {
      const [provider = '', poolKeyId = ''] = group.split('\0');
      return { provider: provider === '' ? null : provider, pool_key_id: poolKeyId === '' ? null : poolKeyId, ...row };
    }),
  };
}

function minuteQuery(
  reader: UsageReader,
  userId: string,
  from: number,
  to: number,
  ids: number[] | undefined,
  withHistograms: boolean,
) {
  let q = reader.q
    .selectFrom('usage_minute_rollups')
    .select(['bucket_start', 'series_id', ...MINUTE_SUM_COLUMNS])
    .where('user_id', '=', userId)
    .where('bucket_start', '>=', from)
    .where('bucket_start', '<', to);
  if (ids !== undefined) q = q.where('series_id', 'in', ids);
  return withHistograms ? q.select(['latency_hist', 'ttft_hist']) : q;
}

function addMinute(
  r: Row,
  byId: Map<number, SeriesState>,
  bucketOf: (t: number) => Acc | undefined,
  totals: Acc,
  withHistograms: boolean,
): void {
  const s = byId.get(r[1] as number);
  if (s === undefined) return;
  const requests = Number(r[2]);
  const args = [
    requests,
    s.statusClass >= 4 ? requests : 0,
    s.unpriced ? requests : 0,
    Number(r[3]),
    Number(r[4]),
    Number(r[5]),
    Number(r[6]),
    Number(r[7]),
    Number(r[8]),
    Number(r[9]),
  ] as const;
  const bucket = bucketOf(Number(r[0]));
  addSums(s.acc, ...args);
  addSums(totals, ...args);
  if (bucket !== undefined) addSums(bucket, ...args);
  if (withHistograms) {
    const lat = r[10] as Uint8Array;
    const ttft = r[11] as Uint8Array;
    addEntries(lat, 0, lat.length, s.acc.lat, totals.lat, bucket?.lat);
    addEntries(ttft, 0, ttft.length, s.acc.ttft, totals.ttft, bucket?.ttft);
  }
}

/** Adds every matching series of an hour or day pack. */
function addPack(
  body: Uint8Array,
  bucket: Acc | undefined,
  byId: Map<number, SeriesState>,
  totals: Acc,
  withHistograms: boolean,
): void {
  const c = new PackCursor(body);
  while (c.next()) {
    const s = byId.get(c.seriesId);
    if (s === undefined) continue;
    const errors = s.statusClass >= 4 ? c.requests : 0;
    const unpriced = s.unpriced ? c.requests : 0;
    for (const acc of bucket === undefined ? [s.acc, totals] : [s.acc, totals, bucket])
      addSums(acc, c.requests, errors, unpriced, c.prompt, c.completion, c.cached, c.cost, c.latencySum, c.ttftCount, c.ttftSum);
    if (withHistograms) {
      addEntries(body, c.latFrom, c.latTo, s.acc.lat, totals.lat, bucket?.lat);
      addEntries(body, c.ttftFrom, c.ttftTo, s.acc.ttft, totals.ttft, bucket?.ttft);
    }
  }
}

function addRaw(
  r: Row,
  byDims: Map<string, SeriesState>,
  byId: Map<number, SeriesState>,
  bucketOf: (t: number) => Acc | undefined,
  totals: Acc,
  withHistograms: boolean,
): void {
  const createdAt = Number(r[0]);
  const modelServed = r[4] === null ? null : String(r[4]);
  const provider = r[5] === null ? null : String(r[5]);
  const status = Number(r[7]);
  const poolKeyId = r[14] === null ? null : String(r[14]);
  const unpriced = Number(r[15]) === 1;
  const key = seriesKey(
    String(r[1]),
    String(r[2]),
    String(r[3]),
    modelServed ?? '',
    provider ?? '',
    String(r[6]),
    statusClass(status),
    poolKeyId ?? '',
    unpriced ? 1 : 0,
  );
  let s = byDims.get(key);
  if (s === undefined) {
    // A row without a series (cannot happen once rollups are built): summed on its own.
    s = {
      id: -1 - byDims.size,
      keyId: String(r[2]),
      modelRequested: String(r[3]),
      modelServed,
      provider,
      endpoint: String(r[6]),
      statusClass: statusClass(status),
      poolKeyId,
      unpriced,
      acc: withHistograms ? new Acc().withHistograms() : new Acc(),
    };
    byDims.set(key, s);
    byId.set(s.id, s);
  }
  const latency = Number(r[12]);
  const ttft = r[13] === null ? null : Number(r[13]);
  const bucket = bucketOf(createdAt);
  for (const acc of [s.acc, totals, bucket]) {
    if (acc === undefined) continue;
    acc.requests += 1;
    if (status >= 400) acc.errors += 1;
    if (unpriced) acc.unpriced += 1;
    acc.prompt += Number(r[8]);
    acc.completion += Number(r[9]);
    acc.cached += Number(r[10]);
    acc.cost += Number(r[11]);
    acc.latencySum += latency;
    if (acc.lat !== undefined) acc.lat[binOf(latency)] = (acc.lat[binOf(latency)] as number) + 1;
    if (ttft !== null) {
      acc.ttftCount += 1;
      acc.ttftSum += ttft;
      if (acc.ttft !== undefined) acc.ttft[binOf(ttft)] = (acc.ttft[binOf(ttft)] as number) + 1;
    }
  }
}

function breakdown<K extends string | null>(
  series: SeriesState[],
  label: (s: SeriesState) => K,
  withPercentiles: boolean,
): Array<[K, BreakdownRow]> {
  const groups = new Map<K, Acc>();
  for (const s of series) {
    if (s.acc.requests === 0) continue;
    const k = label(s);
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = withPercentiles ? new Acc().withHistograms() : new Acc()));
    g.addSums(s.acc);
  }
  return [...groups.entries()]
    .sort((x, y) => y[1].cost - x[1].cost || y[1].requests - x[1].requests)
    .slice(0, BREAKDOWN_LIMIT)
    .map(([k, g]) => [k, { ...g.sums(), latency_ms: g.stats('latency').stats, ttft_ms: g.stats('ttft').stats }]);
}
