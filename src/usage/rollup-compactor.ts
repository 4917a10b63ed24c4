/**
 * Compaction: an account's minute rollups of a finished hour are summed into the hour's pack, and
 * an hour that completes a UTC day sums the day's hour packs into a day pack (rollup-pack.ts), so a
 * month's summary reads about thirty rows instead of one per series and minute. Each step (one
 * hour of one account) is its own short transaction: on SQLite it runs on the writer's connection
 * between usage batches.
 *
 * `usage_rollup_progress.compacted_until` (hour-aligned) says how far an account is compacted:
 * hours before it have hour packs, whole days before it day packs. Hours are compacted
 * COMPACTION_GRACE_MS after they end; a row that still arrives for an earlier hour is added to its
 * hour and day by the writer (rollup-writer.ts).
 */
import type { Kysely, Transaction } from 'kysely';
import { dialectOf, type Dialect } from '../store/database.js';
import type { Database } from '../store/schema.js';
import { compactedUntil } from './rollup-writer.js';
import { lockRollups } from './rollup-lock.js';
import { unpackInto, writePack } from './rollup-pack.js';
import { COMPACTION_GRACE_MS, DAY, HOUR, MINUTE_SUM_COLUMNS, RollupGroup, floorTo } from './rollups.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Runs `fn` in a transaction, or in the caller's when `db` already is one. */
export async function inTransaction<T>(db: Db, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Transaction<Database>) : db.transaction().execute(fn);
}

export async function setProgress(trx: Db, userId: string, until: number): Promise<void> {
  await trx
    .insertInto('usage_rollup_progress')
    .values({ user_id: userId, compacted_until: until })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ compacted_until: until }))
    .execute();
}

/** The last hour that may be compacted at `now` ends here. */
export function compactionLimit(now: number): number {
  return floorTo(now - COMPACTION_GRACE_MS, HOUR);
}

export class RollupCompactor {
  private readonly dialect: Dialect;

  constructor(private readonly db: Kysely<Database>) {
    this.dialect = dialectOf(db);
  }

  /** Accounts that have any usage. */
  async users(): Promise<string[]> {
    const rows = await this.db.selectFrom('usage_series').select('user_id').distinct().execute();
    return rows.map((r) => r.user_id);
  }

  /**
   * Compacts the next hour of `userId` that has minutes, before `limit` (default: what `now`
   * allows). Returns true when it compacted one (more may be ready), false when caught up.
   */
  async step(userId: string, now: number, limit = compactionLimit(now), db: Db = this.db): Promise<boolean> {
    return inTransaction(db, async (trx) => {
      await lockRollups(trx, this.dialect);
      const from = (await compactedUntil(trx, [userId])).get(userId) ?? 0;
      if (from >= limit) return false;
      const next = await trx
        .selectFrom('usage_minute_rollups')
        .select((eb) => eb.fn.min('bucket_start').as('first'))
        .where('user_id', '=', userId)
        .where('bucket_start', '>=', from)
        .where('bucket_start', '<', limit)
        .executeTakeFirst();
      const first = next?.first === null || next?.first === undefined ? undefined : Number(next.first);
      const hour = first === undefined ? limit : floorTo(first, HOUR);
      // Hours without minutes up to `hour`: nothing to sum, but a day they end holds compacted hours.
      if (from % DAY !== 0) {
        const dayEnd = floorTo(from, DAY) + DAY;
        if (dayEnd <= hour) await this.compactDay(trx, userId, dayEnd - DAY);
      }
      let until = hour;
      if (first !== undefined) {
        await this.compactHour(trx, userId, hour);
        until = hour + HOUR;
        if (until % DAY === 0) await this.compactDay(trx, userId, until - DAY);
      }
      await setProgress(trx, userId, until);
      return first !== undefined;
    });
  }

  private async compactHour(trx: Transaction<Database>, userId: string, hour: number): Promise<void> {
    const rows = await trx
      .selectFrom('usage_minute_rollups')
      .select(['series_id', ...MINUTE_SUM_COLUMNS, 'latency_hist', 'ttft_hist'])
      .where('user_id', '=', userId)
      .where('bucket_start', '>=', hour)
      .where('bucket_start', '<', hour + HOUR)
      .execute();
    const groups = new Map<number, RollupGroup>();
    for (const row of rows) {
      let g = groups.get(row.series_id);
      if (g === undefined) groups.set(row.series_id, (g = new RollupGroup(userId, hour, row.series_id)));
      g.addRollup(row);
    }
    await writePack(trx, userId, HOUR, hour, groups.values());
  }

  private async compactDay(trx: Transaction<Database>, userId: string, day: number): Promise<void> {
    const packs = await trx
      .selectFrom('usage_rollup_packs')
      .select('body')
      .where('user_id', '=', userId)
      .where('grain', '=', HOUR)
      .where('bucket_start', '>=', day)
      .where('bucket_start', '<', day + DAY)
      .execute();
    const groups = new Map<number, RollupGroup>();
    for (const { body } of packs) unpackInto(groups, body, userId, day);
    await writePack(trx, userId, DAY, day, groups.values());
  }
}
