/**
 * Usage rows are written in batches off the request path: requests push a row into memory and a
 * timer (or a full buffer) writes them in one transaction, together with each key's added spend
 * and last use. Never any message content. (A request's log line and metrics come from the same
 * row through the RequestReporter, not from here.)
 *
 * No row is lost to a database that fails: a batch that cannot be written stays in memory and is
 * retried on every tick, up to `maxPending` rows (past that the oldest are dropped, and counted);
 * at shutdown `close()` keeps retrying until its deadline. Writes are idempotent: a row whose id is
 * already stored is skipped, and its spend is not added again, so a batch retried after a COMMIT
 * whose reply was lost is a no-op. A row may also settle a spend reservation held in the database
 * (PostgreSQL ledger): the reservation is deleted in the same transaction that adds the spend.
 * The same transaction adds the rows it inserted to the usage rollups (see rollup-writer.ts), so the
 * summary never disagrees with the rows.
 */
import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import { dialectOf } from '../store/database.js';
import type { Database, UsageTable } from '../store/schema.js';
import { addPeriodSpend } from '../billing/period-spend.js';
import { insertChunks } from './insert-chunks.js';
import { RollupWriter } from './rollup-writer.js';
import { RowQueue, settledReservations, type TakenRows } from './row-queue.js';
import { USAGE_COLUMNS } from './usage-columns.js';

export type UsageRow = UsageTable;

export { insertChunks };

export interface UsageRecorderOptions {
  db: Kysely<Database>;
  /** Longest time a row waits in memory (docs/api.md: visible within one second). */
  flushIntervalMs?: number;
  /** Rows that trigger an immediate flush. */
  maxBatch?: number;
  /** Rows kept while the database cannot take them; past this the oldest are dropped. */
  maxPending?: number;
  /** A write failed; its rows are kept. Told on the first failure after a success, then at most every 10 s. */
  onError: (err: unknown, pendingRows: number) => void;
  /** Rows written again after `failures` failed attempts. */
  onRecovered?: (failures: number) => void;
  /** Rows given up: past `maxPending`, or still unwritten when `close()`'s deadline came. */
  onDropped?: (rows: number, reason: 'memory' | 'shutdown') => void;
  /** Database spend reservations settled by written rows, or never to be settled by dropped ones. */
  onReservationsDone?: (reservationIds: string[]) => void;
}

/** Rows per transaction: a backlog after an outage is written in several. */
const MAX_WRITE_ROWS = 1000;
/** Reservation ids per DELETE. */
const MAX_DELETE_IDS = 500;
const ERROR_REPORT_INTERVAL_MS = 10_000;

export class UsageRecorder {
  /** Rows waiting for their write (or, after a failed one, for the next), with the reservation and budget period of each. */
  private readonly queue = new RowQueue();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private writing = false;
  /** Rows of the write under way (out of the buffer until it fails or succeeds). */
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private readonly rollups: RollupWriter;
  private failures = 0;
  private lastErrorReport = 0;
  /** The SQL text of a multi-row usage INSERT, by row count and RETURNING or not: compiled once, not per flush. */
  private readonly insertSql = new Map<string, string>();
  /**
   * better-sqlite3 runs each statement on the event loop's thread: between statements the write
   * lets the loop serve what came in (see docs/performance.md, "A usage write yields between statements").
   */
  private readonly yieldBetweenStatements: boolean;

  constructor(private readonly options: UsageRecorderOptions) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxPending = options.maxPending ?? 100_000;
    const dialect = dialectOf(options.db);
    this.rollups = new RollupWriter(options.db, dialect);
    this.yieldBetweenStatements = dialect === 'sqlite';
    // A tick while a write (or a retry against a hung database) is under way adds nothing.
    this.timer = setInterval(() => {
      if (!this.writing && this.queue.length > 0) void this.flush();
    }, options.flushIntervalMs ?? 250);
    this.timer.unref();
  }

  /** Rows not yet written. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /**
   * Queues one row; never waits on the database. `reservationId`: the database spend reservation
   * (spend_reservations) this row's cost settles, removed when the row is written.
   * `budgetPeriodStart`: the budget period the request reserved in (0: the key's total budget);
   * the row's cost is added to that period's spend in the same transaction.
   */
  record(row: UsageRow, reservationId?: string, budgetPeriodStart = 0): void {
    this.queue.push(row, reservationId, budgetPeriodStart);
    const queued = this.queue.length;
    if (queued > this.maxPending) this.dropOldest();
    else if (queued === this.maxBatch && !this.writing) void this.flush();
  }

  /** Writes everything queued so far (chained, so concurrent calls never write a row twice). */
  flush(): Promise<void> {
    // One setImmediate turn first, so that a full buffer is written after the answer of the
    // request that filled it has gone out, not in the middle of it.
    const next = this.flushing.then(nextTurn).then(() => this.writeAll());
    // Database errors are handled in writeOne; whatever else is thrown must not stop every later flush.
    this.flushing = next.catch(() => undefined);
    return this.flushing;
  }

  /**
   * Stops the timer and writes what is left, retrying until written or until `deadline` (epoch
   * ms; default: one attempt). Returns how many rows could not be written (they are reported dropped).
   */
  async close(deadline = 0): Promise<number> {
    clearInterval(this.timer);
    await this.flush();
    for (let wait = 100; this.queue.length > 0 && Date.now() + wait < deadline; wait = Math.min(wait * 2, 1000)) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      await this.flush();
    }
    const lost = this.queue.length;
    if (lost > 0) this.drop(lost, 'shutdown');
    return lost;
  }

  /** INSERT of rows[from, to): the cached SQL for that many rows, with the rows' values. */
  private insertQuery(rows: UsageRow[], from: number, to: number, returning: boolean): CompiledQuery<{ id: string }> {
    const count = to - from;
    const shape = `${count}${returning ? 'r' : ''}`;
    let text = this.insertSql.get(shape);
    if (text === undefined) {
      const sample = Object.fromEntries(USAGE_COLUMNS.map((column) => [column, null])) as unknown as UsageRow;
      const insert = this.options.db
        .insertInto('usage')
        .values(new Array<UsageRow>(count).fill(sample))
        .onConflict((oc) => oc.column('id').doNothing());
      text = (returning ? insert.returning('id') : insert).compile().sql;
      this.insertSql.set(shape, text);
    }
    const parameters: unknown[] = new Array(count * USAGE_COLUMNS.length);
    let p = 0;
    for (let r = from; r < to; r++) {
      const row = rows[r] as UsageRow;
      for (const column of USAGE_COLUMNS) parameters[p++] = row[column] ?? null;
    }
    return CompiledQuery.raw(text, parameters);
  }

  private async writeAll(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      // The rows queued now. Those that come while it writes wait for the next flush: a write
      // that yields to the event loop must not trail a string of small transactions behind it.
      let due = this.queue.length;
      while (due > 0) {
        // Rows may have been dropped meanwhile (the buffer over its bound).
        const count = Math.min(due, this.queue.length, MAX_WRITE_ROWS);
        if (count === 0) break;
        const outcome = await this.writeOne(count);
        if (outcome === 'failed') break;
        if (outcome === 'written') due -= count;
      }
    } finally {
      this.writing = false;
    }
  }

  /**
   * Writes the oldest `count` rows in one transaction: 'again' when it met rows already stored
   * (they are back in the buffer, to be written again at once), 'failed' when the database failed.
   */
  private async writeOne(count: number): Promise<'written' | 'again' | 'failed'> {
    const taken = this.queue.take(count);
    const settled = settledReservations(taken.reservations);
    this.inFlight = count;
    try {
      await this.options.db.transaction().execute((trx) => this.writeRows(trx, taken, settled));
      this.rollups.committed();
    } catch (err) {
      this.rollups.failed();
      this.inFlight = 0;
      // Kept, in order, ahead of the rows that came meanwhile (their next write is a retry).
      this.queue.putBack(taken);
      // A first write that met rows already stored is written again at once, asking which it inserts.
      if (err instanceof AlreadyStored) return 'again';
      if (this.queue.length > this.maxPending) this.dropOldest();
      this.failures += 1;
      const now = Date.now();
      if (this.failures === 1 || now - this.lastErrorReport >= ERROR_REPORT_INTERVAL_MS) {
        this.lastErrorReport = now;
        this.options.onError(err, this.queue.length);
      }
      return 'failed';
    }
    this.inFlight = 0;
    if (this.failures > 0) {
      this.options.onRecovered?.(this.failures);
      this.failures = 0;
    }
    if (settled.length > 0) this.options.onReservationsDone?.(settled);
    return 'written';
  }

  private async writeRows(trx: Transaction<Database>, { rows, periods, retry }: TakenRows, settled: string[]): Promise<void> {
    // Chunks keep each INSERT under the parameter limits of both databases. A row already stored
    // (a retry of a batch that was committed) is not returned, and its spend is not added again.
    // Only a retry asks which rows it inserted (RETURNING costs about a microsecond a row); a
    // first write checks the count, and should a row be there already, starts over as a retry.
    // Loops, not filter/some/forEach callbacks: a callback made per flush is compiled again by V8's
    // optimising compiler for each flush (seen with --log-code), on the serving core.
    const inserted = new Array<boolean>(rows.length).fill(true);
    let from = 0;
    for (const size of insertChunks(rows.length)) {
      if (from > 0 && this.yieldBetweenStatements) await nextTurn();
      const result = await trx.executeQuery(this.insertQuery(rows, from, from + size, retry));
      if (!retry && result.numAffectedRows !== BigInt(size)) throw new AlreadyStored();
      if (retry && result.rows.length < size) {
        const ids = new Set(result.rows.map((r) => r.id));
        for (let i = from; i < from + size; i++) inserted[i] = ids.has((rows[i] as UsageRow).id);
      }
      from += size;
    }
    // Only what this transaction stored is added to the rollups: a retried row is counted once.
    if (this.yieldBetweenStatements) await nextTurn();
    const stored: UsageRow[] = [];
    /** The budget period (start) each stored row's spend counts in; 0 for keys without a periodic budget. */
    const storedPeriods: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      if (!inserted[i]) continue;
      stored.push(rows[i] as UsageRow);
      storedPeriods.push(periods[i] as number);
    }
    await this.rollups.write(trx, stored);
    const spend = new Map<string, { cost: number; lastUsed: number }>();
    // Per key and budget period ("key@start"): the spend of rows whose key has a periodic budget.
    const periodSpend = new Map<string, { keyId: string; start: number; cost: number }>();
    for (let i = 0; i < stored.length; i++) {
      const row = stored[i] as UsageRow;
      const start = storedPeriods[i] as number;
      if (start !== 0 && row.cost_nano_usd > 0) {
        const id = `${row.key_id}@${start}`;
        const p = periodSpend.get(id);
        if (p === undefined) periodSpend.set(id, { keyId: row.key_id, start, cost: row.cost_nano_usd });
        else p.cost += row.cost_nano_usd;
      }
      const s = spend.get(row.key_id);
      if (s === undefined) spend.set(row.key_id, { cost: row.cost_nano_usd, lastUsed: row.created_at });
      else {
        s.cost += row.cost_nano_usd;
        s.lastUsed = Math.max(s.lastUsed, row.created_at);
      }
    }
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
    for (const p of periodSpend.values()) await addPeriodSpend(trx, p.keyId, p.start, p.cost);
    // The spend is in; the reservations that held room for it go in the same transaction.
    for (let i = 0; i < settled.length; i += MAX_DELETE_IDS) {
      await trx
        .deleteFrom('spend_reservations')
        .where('id', 'in', settled.slice(i, i + MAX_DELETE_IDS))
        .execute();
    }
  }

  /** Past the bound: drops the oldest rows, a hundredth of the bound at a time (not one per request). */
  private dropOldest(): void {
    const queued = this.queue.length;
    this.drop(Math.min(queued, Math.max(queued - this.maxPending, Math.ceil(this.maxPending / 100))), 'memory');
  }

  private drop(count: number, reason: 'memory' | 'shutdown'): void {
    const reservations = this.queue.drop(count);
    this.options.onDropped?.(count, reason);
    if (reservations.length > 0) this.options.onReservationsDone?.(reservations);
  }
}

/** Resolves after the event loop has handled what is waiting (I/O callbacks included). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A first write met a row that is stored already; the transaction is rolled back and the batch retried. */
class AlreadyStored extends Error {}
