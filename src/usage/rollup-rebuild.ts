/**
 * Rebuilds the usage rollups from the request rows (`zai usage rebuild-rollups`, and once at start
 * when a database's rows predate the rollups). Day by day, oldest first, each day in one
 * transaction: the day's rollups of every grain are deleted and summed again from its rows, so a
 * rerun (or a crash halfway) leaves correct rollups. Days before `since` are left as they are:
 * their rows may have been pruned by retention while their rollups keep the history.
 */
import type { Kysely } from 'kysely';
import { dialectOf } from '../store/database.js';
import type { Database, UsageTable } from '../store/schema.js';
import { RollupCompactor, compactionLimit, inTransaction, setProgress } from './rollup-compactor.js';
import { lockRollups } from './rollup-lock.js';
import { writePack } from './rollup-pack.js';
import { compactedUntil, ensureSeries, GroupIndex } from './rollup-writer.js';
import { DAY, HOUR, MINUTE, MinuteStatements, RollupGroup, dimsOf, floorTo, rowDimsKey, type SeriesDims } from './rollups.js';

export interface RebuildOptions {
  /** Rebuild from the first whole UTC day at or after this time (default: the oldest row's day). */
  since?: number;
  now?: number;
  /** Told after each day. */
  onDay?: (day: number, rows: number) => void;
}

export interface RebuildResult {
  days: number;
  rows: number;
}

async function accounts(db: Kysely<Database>): Promise<string[]> {
  const fromRows = await db.selectFrom('usage').select('user_id').distinct().execute();
  const fromSeries = await db.selectFrom('usage_series').select('user_id').distinct().execute();
  return [...new Set([...fromRows, ...fromSeries].map((r) => r.user_id))];
}

export async function rebuildRollups(db: Kysely<Database>, options: RebuildOptions = {}): Promise<RebuildResult> {
  const now = options.now ?? Date.now();
  const dialect = dialectOf(db);
  const statements = new MinuteStatements(db, dialect);
  const compactor = new RollupCompactor(db);
  const limit = compactionLimit(now);
  const users = await accounts(db);
  let start: number | undefined = options.since === undefined ? undefined : Math.ceil(options.since / DAY) * DAY;
  if (start === undefined) {
    for (const user of users) {
      const first = await db
        .selectFrom('usage')
        .select((eb) => eb.fn.min('created_at').as('first'))
        .where('user_id', '=', user)
        .executeTakeFirst();
      if (first?.first !== null && first?.first !== undefined)
        start = Math.min(start ?? Infinity, floorTo(Number(first.first), DAY));
    }
  }
  const result: RebuildResult = { days: 0, rows: 0 };
  if (start === undefined) return result;
  // Hours before `start` keep their rollups; whatever of them is not compacted yet is compacted
  // first, so that progress can move past them.
  for (const user of users) {
    while (await compactor.step(user, now, Math.min(start, limit), db));
  }

  for (let day = start; day <= floorTo(now, DAY); day += DAY) {
    const dayEnd = day + DAY;
    const rows = await inTransaction(db, async (trx) => {
      await lockRollups(trx, dialect);
      let count = 0;
      const progress = await compactedUntil(trx, users);
      for (const user of users) {
        await trx
          .deleteFrom('usage_minute_rollups')
          .where('user_id', '=', user)
          .where('bucket_start', '>=', day)
          .where('bucket_start', '<', dayEnd)
          .execute();
        await trx
          .deleteFrom('usage_rollup_packs')
          .where('user_id', '=', user)
          .where('bucket_start', '>=', day)
          .where('bucket_start', '<', dayEnd)
          .execute();
        const rows: UsageTable[] = await trx
          .selectFrom('usage')
          .selectAll()
          .where('user_id', '=', user)
          .where('created_at', '>=', day)
          .where('created_at', '<', dayEnd)
          .execute();
        count += rows.length;
        const wanted = new Map<string, SeriesDims>();
        for (const row of rows) wanted.set(rowDimsKey(row), dimsOf(row));
        const ids = wanted.size === 0 ? new Map<string, number>() : await ensureSeries(trx, wanted);
        // Hours before the account's progress must have hour rows (it may be ahead of `limit`).
        const before = progress.get(user) ?? 0;
        const closed = Math.max(limit, before);
        const minutes = new GroupIndex();
        const hours = new GroupIndex();
        const whole = new Map<number, RollupGroup>();
        for (const row of rows) {
          const seriesId = ids.get(rowDimsKey(row)) as number;
          const minute = floorTo(row.created_at, MINUTE);
          minutes.group(user, minute, seriesId).addRow(row);
          if (minute < closed) hours.group(user, floorTo(minute, HOUR), seriesId).addRow(row);
          if (dayEnd <= closed) {
            let g = whole.get(seriesId);
            if (g === undefined) whole.set(seriesId, (g = new RollupGroup(user, day, seriesId)));
            g.addRow(row);
          }
        }
        await statements.add(trx, minutes.groups);
        const byHour = new Map<number, RollupGroup[]>();
        for (const g of hours.groups) {
          const list = byHour.get(g.bucket);
          if (list === undefined) byHour.set(g.bucket, [g]);
          else list.push(g);
        }
        for (const [hour, groups] of byHour) await writePack(trx, user, HOUR, hour, groups);
        if (whole.size > 0) await writePack(trx, user, DAY, day, whole.values());
        const until = Math.max(before, Math.min(dayEnd, limit));
        if (until !== before) await setProgress(trx, user, until);
      }
      return count;
    });
    result.days += 1;
    result.rows += rows;
    options.onDay?.(day, rows);
  }
  await markBuilt(db, now);
  return result;
}

export async function markBuilt(db: Kysely<Database>, at: number): Promise<void> {
  await db
    .insertInto('usage_rollup_state')
    .values({ name: 'built', value: at })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: at }))
    .execute();
}

/**
 * At start: a database whose request rows predate the rollups (upgraded from before migration
 * 005) gets them built once, before anything reads them. Returns the rows summed (0 when built).
 */
export async function ensureRollupsBuilt(db: Kysely<Database>, onDay?: (day: number, rows: number) => void): Promise<number> {
  const built = await db.selectFrom('usage_rollup_state').select('value').where('name', '=', 'built').executeTakeFirst();
  if (built !== undefined) return 0;
  const result = await rebuildRollups(db, onDay === undefined ? {} : { onDay });
  if (result.days === 0) await markBuilt(db, Date.now());
  return result.rows;
}
