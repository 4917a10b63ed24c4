/**
 * What the rollup writer, compactor and rebuild share: grains, series dimensions, a group of rows
 * being summed, and the statements that store minute rollups (cached SQL per row count, like the
 * usage INSERT). A group sums one series (account, key, model requested and served, provider,
 * endpoint, status class, pool key, unpriced) over one UTC-aligned minute, hour or day; minutes are stored a row per
 * series, hours and days a row per account (rollup-pack.ts).
 */
import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from '../store/database.js';
import type { Database, UsageEndpoint, UsageMinuteRollupsTable, UsageTable } from '../store/schema.js';
import { addEncoded, binOf, emptyHistogram, encodeDense, encodeEntries } from '../store/latency-histogram.js';
import { insertChunks } from './insert-chunks.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export type Grain = typeof MINUTE | typeof HOUR | typeof DAY;

/** Hours are compacted this long after they end, so batches still in flight land in minutes first. */
export const COMPACTION_GRACE_MS = 10 * MINUTE;

export function floorTo(t: number, grain: number): number {
  return Math.floor(t / grain) * grain;
}

export function statusClass(status: number): number {
  return Math.min(5, Math.max(1, Math.floor(status / 100)));
}

export interface SeriesDims {
  user_id: string;
  key_id: string;
  model_requested: string;
  /** '' when no model served. */
  model_served: string;
  /** '' when no provider was chosen. */
  provider: string;
  endpoint: UsageEndpoint;
  status_class: number;
  /** '' when no pool key served. */
  pool_key_id: string;
  /** 1: served by a model without a price. */
  unpriced: number;
}

/** The columns that name a series (usage_series' unique constraint). */
export const SERIES_DIMS = [
  'user_id',
  'key_id',
  'model_requested',
  'model_served',
  'provider',
  'endpoint',
  'status_class',
  'pool_key_id',
  'unpriced',
] as const satisfies ReadonlyArray<keyof SeriesDims>;

export function dimsOf(row: UsageTable): SeriesDims {
  return {
    user_id: row.user_id,
    key_id: row.key_id,
    model_requested: row.model_requested,
    model_served: row.model_served ?? '',
    provider: row.provider ?? '',
    endpoint: row.endpoint,
    status_class: statusClass(row.status),
    pool_key_id: row.pool_key_id ?? '',
    unpriced: row.unpriced === 1 ? 1 : 0,
  };
}

/** A map key for a series' dimensions (NUL cannot occur in any of them). */
export function seriesKey(
  userId: string,
  keyId: string,
  modelRequested: string,
  modelServed: string,
  provider: string,
  endpoint: string,
  statusClass: number,
  poolKeyId: string,
  unpriced: number,
): string {
  return `${userId}\0${keyId}\0${modelRequested}\0${modelServed}\0${provider}\0${endpoint}\0${statusClass}\0${poolKeyId}\0${unpriced}`;
}

export function dimsKey(d: SeriesDims): string {
  return seriesKey(
    d.user_id,
    d.key_id,
    d.model_requested,
    d.model_served,
    d.provider,
    d.endpoint,
    d.status_class,
    d.pool_key_id,
    d.unpriced,
  );
}

export function rowDimsKey(row: UsageTable): string {
  return seriesKey(
    row.user_id,
    row.key_id,
    row.model_requested,
    row.model_served ?? '',
    row.provider ?? '',
    row.endpoint,
    statusClass(row.status),
    row.pool_key_id ?? '',
    row.unpriced === 1 ? 1 : 0,
  );
}

/** Sums of rows (or rollups) of one series in one bucket. */
export class RollupGroup {
  requests = 0;
  prompt = 0;
  completion = 0;
  cached = 0;
  cost = 0;
  latencySum = 0;
  ttftCount = 0;
  ttftSum = 0;
  /** Row by row: bins with counts (few per group); merged rollups: dense histograms. */
  private latBins: number[] = [];
  private latCounts: number[] = [];
  private ttftBins: number[] = [];
  private ttftCounts: number[] = [];
  private latDense: Float64Array | undefined;
  private ttftDense: Float64Array | undefined;

  constructor(
    readonly userId: string,
    readonly bucket: number,
    readonly seriesId: number,
  ) {}

  addRow(row: UsageTable): void {
    this.requests += 1;
    this.prompt += row.prompt_tokens;
    this.completion += row.completion_tokens;
    this.cached += row.cached_tokens;
    this.cost += row.cost_nano_usd;
    this.latencySum += row.latency_ms;
    const lat = binOf(row.latency_ms);
    if (this.latDense === undefined) addBin(this.latBins, this.latCounts, lat);
    else this.latDense[lat] = (this.latDense[lat] as number) + 1;
    if (row.ttft_ms !== null) {
      this.ttftCount += 1;
      this.ttftSum += row.ttft_ms;
      const ttft = binOf(row.ttft_ms);
      if (this.ttftDense === undefined) addBin(this.ttftBins, this.ttftCounts, ttft);
      else this.ttftDense[ttft] = (this.ttftDense[ttft] as number) + 1;
    }
  }

  /** Switches to dense histograms (to merge many), keeping the bins added so far. */
  private dense(): [Float64Array, Float64Array] {
    if (this.latDense === undefined || this.ttftDense === undefined) {
      const lat = (this.latDense = emptyHistogram());
      const ttft = (this.ttftDense = emptyHistogram());
      this.latBins.forEach((bin, i) => (lat[bin] = (lat[bin] as number) + (this.latCounts[i] as number)));
      this.ttftBins.forEach((bin, i) => (ttft[bin] = (ttft[bin] as number) + (this.ttftCounts[i] as number)));
      this.latBins = [];
      this.latCounts = [];
      this.ttftBins = [];
      this.ttftCounts = [];
    }
    return [this.latDense, this.ttftDense];
  }

  /** Adds a stored minute rollup, or a series of a pack (compaction, late rows). */
  addRollup(r: Pick<UsageMinuteRollupsTable, RollupSums>): void {
    this.requests += r.requests;
    this.prompt += r.prompt_tokens;
    this.completion += r.completion_tokens;
    this.cached += r.cached_tokens;
    this.cost += r.cost_nano_usd;
    this.latencySum += r.latency_ms_sum;
    this.ttftCount += r.ttft_count;
    this.ttftSum += r.ttft_ms_sum;
    const [lat, ttft] = this.dense();
    addEncoded(lat, r.latency_hist);
    addEncoded(ttft, r.ttft_hist);
  }
  latencyBytes(): Buffer {
    return this.latDense ? encodeDense(this.latDense) : encodeEntries(this.latBins, this.latCounts, this.latBins.length);
  }

  ttftBytes(): Buffer {
    return this.ttftDense ? encodeDense(this.ttftDense) : encodeEntries(this.ttftBins, this.ttftCounts, this.ttftBins.length);
  }

  /** Parameters in MINUTE_COLUMNS order. */
  pushParameters(out: unknown[]): void {
    out.push(
      this.userId,
      this.bucket,
      this.seriesId,
      this.requests,
      this.prompt,
      this.completion,
      this.cached,
      this.cost,
      this.latencySum,
      this.ttftCount,
      this.ttftSum,
      this.latencyBytes(),
      this.ttftBytes(),
    );
  }
}

type RollupSums =
  | 'requests'
  | 'prompt_tokens'
  | 'completion_tokens'
  | 'cached_tokens'
  | 'cost_nano_usd'
  | 'latency_ms_sum'
  | 'ttft_count'
  | 'ttft_ms_sum'
  | 'latency_hist'
  | 'ttft_hist';

/** Keeps bins ascending, so SQLite's merge of a minute's entries stays linear. */
function addBin(bins: number[], counts: number[], bin: number): void {
  let i = bins.length;
  while (i > 0 && (bins[i - 1] as number) > bin) i--;
  if (i > 0 && bins[i - 1] === bin) counts[i - 1] = (counts[i - 1] as number) + 1;
  else {
    bins.splice(i, 0, bin);
    counts.splice(i, 0, 1);
  }
}

/** The summed columns of a minute rollup (what the summary and the compactor read besides the histograms). */
export const MINUTE_SUM_COLUMNS = [
  'requests',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cost_nano_usd',
  'latency_ms_sum',
  'ttft_count',
  'ttft_ms_sum',
] as const satisfies ReadonlyArray<keyof UsageMinuteRollupsTable>;

/** Every column of a minute rollup, in the order of RollupGroup.pushParameters. */
export const MINUTE_COLUMNS = [
  'user_id',
  'bucket_start',
  'series_id',
  ...MINUTE_SUM_COLUMNS,
  'latency_hist',
  'ttft_hist',
] as const satisfies ReadonlyArray<keyof UsageMinuteRollupsTable>;

type MissingColumn = Exclude<keyof UsageMinuteRollupsTable, (typeof MINUTE_COLUMNS)[number]>;
const allColumnsListed: MissingColumn extends never ? true : never = true;
void allColumnsListed;

const SQLITE_MERGE_AT = 256;

const SUMMED = [
  'requests',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cost_nano_usd',
  'latency_ms_sum',
  'ttft_count',
  'ttft_ms_sum',
] as const;

/**
 * Adds minute groups: an upsert that adds sums and appends histogram entries to an existing row
 * (so the writer never reads one back, and a rebuild racing a writer on PostgreSQL still adds up).
 * SQL texts are compiled once per row count.
 */
export class MinuteStatements {
  private readonly texts = new Map<number, string>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  private text(count: number): string {
    let text = this.texts.get(count);
    if (text !== undefined) return text;
    const sample = Object.fromEntries(MINUTE_COLUMNS.map((c) => [c, null])) as unknown as UsageMinuteRollupsTable;
    const insert = this.db.insertInto('usage_minute_rollups').values(new Array<UsageMinuteRollupsTable>(count).fill(sample));
    // Histograms are appended (no read back); on SQLite a minute's bytes are merged once they pass
    // SQLITE_MERGE_AT, so a busy minute (240 batches) stays small instead of spilling to overflow
    // pages: 2.3 µs per upsert against 5.9 appending only. PostgreSQL copies the row on update
    // anyway and compaction merges within the hour.
    const concat = (column: 'latency_hist' | 'ttft_hist') => {
      const stored = sql.ref(`usage_minute_rollups.${column}`);
      const added = sql.ref(`excluded.${column}`);
      return this.dialect === 'sqlite'
        ? sql<Uint8Array>`case when length(${stored}) < ${sql.lit(SQLITE_MERGE_AT)} then cast(${stored} || ${added} as blob) else zai_hist_merge(${stored}, ${added}) end`
        : sql<Uint8Array>`${stored} || ${added}`;
    };
    text = insert
      .onConflict((oc) =>
        oc.columns(['user_id', 'bucket_start', 'series_id']).doUpdateSet((eb) => ({
          ...Object.fromEntries(SUMMED.map((c) => [c, eb(`usage_minute_rollups.${c}`, '+', eb.ref(`excluded.${c}`))])),
          latency_hist: concat('latency_hist'),
          ttft_hist: concat('ttft_hist'),
        })),
      )
      .compile().sql;
    this.texts.set(count, text);
    return text;
  }

  /** Writes `groups` in INSERTs of at most 64 rows. */
  async add(trx: Transaction<Database> | Kysely<Database>, groups: readonly RollupGroup[]): Promise<void> {
    let from = 0;
    for (const size of insertChunks(groups.length)) {
      const parameters: unknown[] = [];
      for (let i = from; i < from + size; i++) (groups[i] as RollupGroup).pushParameters(parameters);
      await trx.executeQuery(CompiledQuery.raw(this.text(size), parameters));
      from += size;
    }
  }
}
