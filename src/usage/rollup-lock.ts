/**
 * Several replicas on PostgreSQL write rollups at once. Compaction, the rebuild and a usage batch
 * with late rows (older than a few minutes: they may fall in hours already compacted) each hold
 * this advisory lock for their transaction, so a batch never adds to an hour while it is being
 * compacted, nor reads compaction progress that is about to change. Batches of fresh rows need no
 * lock: they write minutes that compaction reaches only COMPACTION_GRACE_MS later (replicas' clocks
 * must agree to within half of that). SQLite has one writer at a time already.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from '../store/database.js';
import type { Database } from '../store/schema.js';

/** The two 32-bit halves of the advisory lock key: "zai" and "rollups". */
const LOCK_NAMESPACE = 0x7a6169;
const LOCK_ROLLUPS = 1;

export async function lockRollups(trx: Transaction<Database> | Kysely<Database>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${LOCK_ROLLUPS})`.execute(trx);
}
