/**
 * The usage writer's rollup part: in the same transaction as a batch's request rows, the batch is
 * summed per series and minute and added to the minute rollups (one multi-row upsert; histograms
 * are appended, not merged, so no row is read back). Hours and days are compacted later from the
 * minutes (rollup-compactor.ts); a row older than its account's compaction progress — a batch
 * retried after the database was down — is also added to its hour and day packs (read, added to,
 * written back: rare, so under the exclusive rollup lock).
 *
 * Series ids are cached in memory; a batch asks the database only for series it has not seen.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from '../store/database.js';
import type { Database, UsageTable } from '../store/schema.js';
import { lockRollups } from './rollup-lock.js';
import { readPack, unpackInto, writePack } from './rollup-pack.js';
import {
  COMPACTION_GRACE_MS,
  DAY,
  HOUR,
  MINUTE,
  MinuteStatements,
  RollupGroup,
  SERIES_DIMS,
  dimsKey,
  dimsOf,
  floorTo,
  rowDimsKey,
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
      .onConflict((oc) => oc.columns(SERIES_DIMS).doNothing())
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

/** Sums rows into groups by bucket and series. */
export class GroupIndex {
  readonly groups: RollupGroup[] = [];
  private readonly index = new Map<number, Map<number, RollupGroup>>();

  group(userId: string, bucket: number, seriesId: number): RollupGroup {
    let bySeries = this.index.get(bucket);
    if (bySeries === undefined) this.index.set(bucket, (bySeries = new Map()));
    let g = bySeries.get(seriesId);
    if (g === undefined) {
      g = new RollupGroup(userId, bucket, seriesId);
      bySeries.set(seriesId, g);
      this.groups.push(g);
    }
    return g;
  }
}

/** Adds rows to the packs of their hours (and days, when whole) before `until` (late rows). */
async function addToPacks(
  trx: Transaction<Database>,
  userId: string,
  rows: Array<[UsageTable, number]>,
  until: number,
): Promise<void> {
  for (const grain of [HOUR, DAY] as const) {
    const byBucket = new Map<number, Array<[UsageTable, number]>>();
    for (const entry of rows) {
      const bucket = floorTo(entry[0].created_at, grain);
      if (bucket + grain > until && grain === DAY) continue;
      const list = byBucket.get(bucket);
      if (list === undefined) byBucket.set(bucket, [entry]);
      else list.push(entry);
    }
    for (const [bucket, list] of byBucket) {
      const groups = new Map<number, RollupGroup>();
      const body = await readPack(trx, userId, grain, bucket);
      if (body !== undefined) unpackInto(groups, body, userId, bucket);
      for (const [row, seriesId] of list) {
        let g = groups.get(seriesId);
        if (g === undefined) groups.set(seriesId, (g = new RollupGroup(userId, bucket, seriesId)));
        g.addRow(row);
      }
      await writePack(trx, userId, grain, bucket, groups.values());
    }
  }
}

export class RollupWriter {
  private readonly series = new Map<string, number>();
  private pending: Map<string, number> | undefined;
  private readonly statements: MinuteStatements;

  constructor(
    db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {
    this.statements = new MinuteStatements(db, dialect);
  }

  /** Adds `rows` to the rollups inside the batch's transaction. Call committed() or failed() after it. */
  async write(trx: Transaction<Database>, rows: readonly UsageTable[], now = Date.now()): Promise<void> {
    const lateBefore = now - LATE_MARGIN_MS;
    let lateUsers: Set<string> | undefined;
    for (const row of rows) if (row.created_at < lateBefore) (lateUsers ??= new Set()).add(row.user_id);
    // Rows that may belong to compacted hours read the compaction progress and rewrite packs: that
    // waits for (and holds off) compaction. Other rows land in minutes no compaction touches yet.
    if (lateUsers !== undefined) await lockRollups(trx, this.dialect);
    const ids = new Array<number>(rows.length);
    let missing: Map<string, SeriesDims> | undefined;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as UsageTable;
      const key = rowDimsKey(row);
      const id = this.series.get(key);
      if (id === undefined) (missing ??= new Map()).set(key, dimsOf(row));
      else ids[i] = id;
    }
    if (missing !== undefined) {
      const fresh = await ensureSeries(trx, missing);
      for (let i = 0; i < rows.length; i++) {
        if (ids[i] === undefined) ids[i] = fresh.get(rowDimsKey(rows[i] as UsageTable)) as number;
      }
      this.pending = fresh;
    }

    const index = new GroupIndex();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as UsageTable;
      index.group(row.user_id, floorTo(row.created_at, MINUTE), ids[i] as number).addRow(row);
    }
    await this.statements.add(trx, index.groups);

    if (lateUsers === undefined) return;
    const progress = await compactedUntil(trx, [...lateUsers]);
    const late = new Map<string, Array<[UsageTable, number]>>();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as UsageTable;
      if (floorTo(row.created_at, MINUTE) >= (progress.get(row.user_id) ?? 0)) continue;
      const list = late.get(row.user_id);
      if (list === undefined) late.set(row.user_id, [[row, ids[i] as number]]);
      else list.push([row, ids[i] as number]);
    }
    for (const [userId, list] of late) await addToPacks(trx, userId, list, progress.get(userId) ?? 0);
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
