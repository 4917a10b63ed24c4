/**
 * Usage rows are written in batches off the request path: requests push a row into memory and a
 * timer (or a full buffer) writes them in one transaction, together with each key's added spend
 * and last use. Rows are flushed on shutdown. Never any message content.
 *
 * The same transaction adds the batch to the usage rollups (see rollup-writer.ts), so the summary
 * never disagrees with the rows.
 *
 * What else is told about each row (the request's log line, its metrics) runs in the same batch,
 * through `observe`: run a batch at a time in a loop, instead of once per request between network
 * events, that work cost 7 % less CPU per request at concurrency 1 (bench/, A/B in one run).
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { dialectOf } from '../store/database.js';
import type { Database, UsageTable } from '../store/schema.js';
import { insertChunks } from './insert-chunks.js';
import { RollupWriter } from './rollup-writer.js';

export type UsageRow = UsageTable;

/** Every column of a usage row, in the order of the cached INSERT's parameters. */
const USAGE_COLUMNS = [
  'id',
  'created_at',
  'user_id',
  'key_id',
  'model_requested',
  'model_served',
  'provider',
  'status',
  'error_code',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cost_nano_usd',
  'latency_ms',
  'ttft_ms',
  'stream',
  'attempts',
  'endpoint',
] as const satisfies ReadonlyArray<keyof UsageRow>;

// Fails to compile if a UsageRow column is missing from USAGE_COLUMNS.
type MissingColumn = Exclude<keyof UsageRow, (typeof USAGE_COLUMNS)[number]>;
const allColumnsListed: MissingColumn extends never ? true : never = true;
void allColumnsListed;

export { insertChunks };

export interface UsageRecorderOptions {
  db: Kysely<Database>;
  /** Longest time a row waits in memory (api.md: visible within one second). */
  flushIntervalMs?: number;
  /** Rows that trigger an immediate flush. */
  maxBatch?: number;
  /** Told about every row once, in batches: when its batch is written or `observePending()` is called. */
  observe?: (row: UsageRow) => void;
  onError: (err: unknown, rows: number) => void;
}

export class UsageRecorder {
  /** Rows recorded since the observer last ran. */
  private fresh: UsageRow[] = [];
  private freshAccounted: boolean[] = [];
  /** Observed rows waiting for their write (or, after a failed one, for the next). */
  private buffer: UsageRow[] = [];
  /** Keys whose spend the ledger already wrote (PostgreSQL ledger), per buffered row. */
  private accounted: boolean[] = [];
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly maxBatch: number;
  /** The SQL text of a multi-row usage INSERT, by row count: compiled once, not per flush. */
  private readonly insertSql = new Map<number, string>();
  private readonly rollups: RollupWriter;

  constructor(private readonly options: UsageRecorderOptions) {
    this.maxBatch = options.maxBatch ?? 500;
    this.rollups = new RollupWriter(options.db, dialectOf(options.db));
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 250);
    this.timer.unref();
  }

  /**
   * Queues one row; never waits on the database. `spendAccounted` says the spend ledger already
   * added this cost to the key (so the batch must not add it again).
   */
  record(row: UsageRow, spendAccounted = false): void {
    this.fresh.push(row);
    this.freshAccounted.push(spendAccounted);
    if (this.fresh.length === this.maxBatch) void this.flush();
  }

  /** Runs the observer on every row recorded since it last ran (e.g. before metrics are read). */
  observePending(): void {
    const rows = this.fresh;
    if (rows.length === 0) return;
    const accounted = this.freshAccounted;
    this.fresh = [];
    this.freshAccounted = [];
    const observe = this.options.observe;
    if (observe !== undefined) for (const row of rows) observe(row);
    for (let i = 0; i < rows.length; i++) {
      this.buffer.push(rows[i] as UsageRow);
      this.accounted.push(accounted[i] as boolean);
    }
  }

  /** Writes everything queued so far (chained, so concurrent calls never write a row twice). */
  flush(): Promise<void> {
    // One setImmediate turn first, so that a full buffer is written after the answer of the
    // request that filled it has gone out, not in the middle of it.
    this.flushing = this.flushing.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => this.writeBatch());
    return this.flushing;
  }

  /** Flushes and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** INSERT of rows[from, to): the cached SQL for that many rows, with the rows' values. */
  private insertQuery(rows: UsageRow[], from: number, to: number): CompiledQuery {
    const count = to - from;
    let text = this.insertSql.get(count);
    if (text === undefined) {
      const sample = Object.fromEntries(USAGE_COLUMNS.map((column) => [column, null])) as unknown as UsageRow;
      text = this.options.db.insertInto('usage').values(new Array<UsageRow>(count).fill(sample)).compile().sql;
      this.insertSql.set(count, text);
    }
    const parameters: unknown[] = new Array(count * USAGE_COLUMNS.length);
    let p = 0;
    for (let r = from; r < to; r++) {
      const row = rows[r] as UsageRow;
      for (const column of USAGE_COLUMNS) parameters[p++] = row[column] ?? null;
    }
    return CompiledQuery.raw(text, parameters);
  }

  private async writeBatch(): Promise<void> {
    this.observePending();
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    const accounted = this.accounted;
    this.buffer = [];
    this.accounted = [];
    const spend = new Map<string, { cost: number; lastUsed: number }>();
    rows.forEach((row, i) => {
      const cost = accounted[i] ? 0 : row.cost_nano_usd;
      const s = spend.get(row.key_id);
      if (s === undefined) spend.set(row.key_id, { cost, lastUsed: row.created_at });
      else {
        s.cost += cost;
        s.lastUsed = Math.max(s.lastUsed, row.created_at);
      }
    });
    try {
      await this.options.db.transaction().execute(async (trx) => {
        // Chunks keep each INSERT under the parameter limits of both databases.
        let from = 0;
        for (const size of insertChunks(rows.length)) {
          await trx.executeQuery(this.insertQuery(rows, from, from + size));
          from += size;
        }
        await this.rollups.write(trx, rows);
        for (const [keyId, s] of spend) {
          await trx
            .updateTable('api_keys')
            .set(
              s.cost === 0
                ? { last_used_at: s.lastUsed }
                : { spent_nano_usd: sql<number>`spent_nano_usd + ${s.cost}`, last_used_at: s.lastUsed },
            )
            .where('id', '=', keyId)
            .execute();
        }
      });
      this.rollups.committed();
    } catch (err) {
      this.rollups.failed();
      // Keep the rows for the next attempt (database briefly down); bounded so memory cannot grow forever.
      this.buffer = rows.concat(this.buffer).slice(-100_000);
      this.accounted = accounted.concat(this.accounted).slice(-100_000);
      this.options.onError(err, rows.length);
    }
  }
}
