/**
 * The usage writer's rollup part: in the same transaction as a batch's request rows, the batch is
 * summed per series and minute and added to the minute rollups (one multi-row upsert; histograms
 * are appended, not merged, so no row is read back). Hours and days are compacted later from the
 * minutes (rollup-compactor.ts); a row older than its account's compaction progress — a batch
 * retried after the database was down — is also added to its hour and day.
 *
 * Series ids are cached in memory; a batch asks the database only for series it has not seen.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from '../store/database.js';
import type { Database, UsageTable } from '../store/schema.js';
import { lockRollups } from './rollup-lock.js';
import {
  COMPACTION_GRACE_MS,
  DAY,
  HOUR,
  MINUTE,
  RollupGroup,
  RollupStatements,
  dimsKey,
  dimsOf,
  floorTo,
  rowDimsKey,
  type Grain,
  type SeriesDims,
} from './rollups.js';

/** Rows younger than this cannot be older than a compacted hour (compaction waits the full grace). */
const LATE_MARGIN_MS = COMPACTION_GRACE_MS / 2;
/** Series ids kept in memory; past this the cache starts over (a member inventing model names). */
const MAX_CACHED_SERIES = 100_000;
const SERIES_CHUNK = 64;

/** Finds or creates the ids of series, inside the caller's transaction. */
export async function ensureSeries(
  trx: Transaction<Database> | Kysely<Database>,
  wanted: Map<string, SeriesDims>,
): Promise<Map<string, number>> {
  const dims = [...wanted.values()];
  for (let i = 0; i < dims.length; i += SERIES_CHUNK) {
    await trx
      .insertInto('usage_series')
      .values(dims.slice(i, i + SERIES_CHUNK))
      .onConflict((oc) =>
        oc.columns(['user_id', 'key_id', 'model_requested', 'model_served', 'provider', 'endpoint', 'status_class']).doNothing(),
      )
      .execute();
  }
  const found = new Map<string, number>();
  const users = [...new Set(dims.map((d) => d.user_id))];
  const keys = [...new Set(dims.map((d) => d.key_id))];
  const models = [...new Set(dims.map((d) => d.model_requested))];
  for (let i = 0; i < models.length; i += SERIES_CHUNK) {
    const rows = await trx
      .selectFrom('usage_series')
      .selectAll()
      .where('user_id', 'in', users)
      .where('key_id', 'in', keys)
      .where('model_requested', 'in', models.slice(i, i + SERIES_CHUNK))
      .execute();
    for (const row of rows) {
      const key = dimsKey(row);
      if (wanted.has(key)) found.set(key, row.id);
    }
  }
  if (found.size !== wanted.size) throw new Error('usage series missing after insert');
  return found;
}

/** Compaction progress of these accounts (0 for an account never compacted). */
export async function compactedUntil(
  trx: Transaction<Database> | Kysely<Database>,
  users: string[],
): Promise<Map<string, number>> {
  const rows = await trx.selectFrom('usage_rollup_progress').selectAll().where('user_id', 'in', users).execute();
  return new Map(rows.map((r) => [r.user_id, Number(r.compacted_until)]));
}

/** Sums rows into groups by grain, bucket and series. */
export class GroupIndex {
  readonly groups: RollupGroup[] = [];
  private readonly index = new Map<number, Map<number, RollupGroup>>();

  group(userId: string, grain: Grain, bucket: number, seriesId: number): RollupGroup {
    // Bucket starts are whole milliseconds far below 2^51: room for the grain in the low bits.
    const slot = bucket * 4 + (grain === MINUTE ? 1 : grain === HOUR ? 2 : 3);
    let bySeries = this.index.get(slot);
    if (bySeries === undefined) this.index.set(slot, (bySeries = new Map()));
    let g = bySeries.get(seriesId);
    if (g === undefined) {
      g = new RollupGroup(userId, grain, bucket, seriesId);
      bySeries.set(seriesId, g);
      this.groups.push(g);
    }
    return g;
  }
}

export class RollupWriter {
  private readonly series = new Map<string, number>();
  private pending: Map<string, number> | undefined;
  private readonly statements: RollupStatements;

  constructor(
    db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {
    this.statements = new RollupStatements(db, dialect);
  }

  /** Adds `rows` to the rollups inside the batch's transaction. Call committed() or failed() after it. */
  async write(trx: Transaction<Database>, rows: readonly UsageTable[], now = Date.now()): Promise<void> {
    await lockRollups(trx, this.dialect, 'shared');
    const ids = new Array<number>(rows.length);
    let missing: Map<string, SeriesDims> | undefined;
    let lateUsers: Set<string> | undefined;
    const lateBefore = now - LATE_MARGIN_MS;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as UsageTable;
      const key = rowDimsKey(row);
      const id = this.series.get(key);
      if (id === undefined) (missing ??= new Map()).set(key, dimsOf(row));
      else ids[i] = id;
      if (row.created_at < lateBefore) (lateUsers ??= new Set()).add(row.user_id);
    }
    if (missing !== undefined) {
      const fresh = await ensureSeries(trx, missing);
      for (let i = 0; i < rows.length; i++) {
        if (ids[i] === undefined) ids[i] = fresh.get(rowDimsKey(rows[i] as UsageTable)) as number;
      }
      this.pending = fresh;
    }
    const progress = lateUsers === undefined ? undefined : await compactedUntil(trx, [...lateUsers]);

    const index = new GroupIndex();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as UsageTable;
      const seriesId = ids[i] as number;
      const minute = floorTo(row.created_at, MINUTE);
      index.group(row.user_id, MINUTE, minute, seriesId).addRow(row);
      const until = progress?.get(row.user_id) ?? 0;
      if (minute < until) {
        index.group(row.user_id, HOUR, floorTo(minute, HOUR), seriesId).addRow(row);
        const day = floorTo(minute, DAY);
        if (day + DAY <= until) index.group(row.user_id, DAY, day, seriesId).addRow(row);
      }
    }
    await this.statements.write(trx, 'add', index.groups);
  }

  /** The batch's transaction committed: series it created are cached. */
  committed(): void {
    const fresh = this.pending;
    this.pending = undefined;
    if (fresh === undefined) return;
    if (this.series.size + fresh.size > MAX_CACHED_SERIES) this.series.clear();
    for (const [key, id] of fresh) this.series.set(key, id);
  }

  /** The batch's transaction rolled back: series it created may not exist. */
  failed(): void {
    this.pending = undefined;
  }
}
