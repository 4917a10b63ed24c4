/**
 * Retention: request rows older than the cutoff are deleted a few hundred at a time, per account,
 * through the (user_id, created_at) index. Rollups are not touched, so spend and usage history
 * outlive the rows (the summary reads rollups; only the request list and export need rows).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface PruneOptions {
  /** Rows per DELETE: one short transaction each. */
  batchSize?: number;
  /** Awaited between batches (the maintenance loop yields to other work there). */
  pause?: () => Promise<void>;
  /** Checked between batches: stop early (shutdown). */
  stopped?: () => boolean;
}

/** Deletes request rows created before `cutoff`; returns how many. */
export async function pruneUsage(db: Kysely<Database>, cutoff: number, options: PruneOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  const users = await db.selectFrom('usage_series').select('user_id').distinct().execute();
  let deleted = 0;
  for (const { user_id: userId } of users) {
    for (;;) {
      if (options.stopped?.()) return deleted;
      const result = await db
        .deleteFrom('usage')
        .where(
          'id',
          'in',
          db.selectFrom('usage').select('id').where('user_id', '=', userId).where('created_at', '<', cutoff).limit(batchSize),
        )
        .executeTakeFirst();
      const n = Number(result.numDeletedRows);
      deleted += n;
      if (n < batchSize) break;
      await options.pause?.();
    }
  }
  return deleted;
}
