/**
 * Several replicas on PostgreSQL write rollups at once. Writers hold a shared advisory lock for
 * their batch's transaction; compaction and rebuild take it exclusively, so a batch never reads an
 * account's compaction progress that is about to change (see rollup-writer.ts). SQLite has one
 * writer at a time already.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from '../store/database.js';
import type { Database } from '../store/schema.js';

/** The two 32-bit halves of the advisory lock key: "zai" and "rollups". */
const LOCK_NAMESPACE = 0x7a6169;
const LOCK_ROLLUPS = 1;

export async function lockRollups(
  trx: Transaction<Database> | Kysely<Database>,
  dialect: Dialect,
  mode: 'shared' | 'exclusive',
): Promise<void> {
  if (dialect !== 'postgres') return;
  if (mode === 'shared') await sql`select pg_advisory_xact_lock_shared(${LOCK_NAMESPACE}, ${LOCK_ROLLUPS})`.execute(trx);
  else await sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${LOCK_ROLLUPS})`.execute(trx);
}
