/**
 * Spend of keys with a budget period, one row per key and period (`key_period_spend`). Written by
 * the PostgreSQL ledger when it settles and by the usage writer for the other ledgers, always into
 * the period a request was reserved in; read by the ledger and by `GET /api/keys`.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** A key's spend in one budget period (0 before its first settled request). */
export async function periodSpent(db: Kysely<Database>, keyId: string, period: number): Promise<number> {
  const row = await db
    .selectFrom('key_period_spend')
    .select('spent_nano_usd')
    .where('key_id', '=', keyId)
    .where('period_start', '=', period)
    .executeTakeFirst();
  return row?.spent_nano_usd ?? 0;
}

/** Adds spend to a key's budget period (used by this ledger and by the usage writer). */
export async function addPeriodSpend(db: Kysely<Database>, keyId: string, period: number, cost: number): Promise<void> {
  await db
    .insertInto('key_period_spend')
    .values({ key_id: keyId, period_start: period, spent_nano_usd: cost })
    .onConflict((oc) =>
      oc
        .columns(['key_id', 'period_start'])
        .doUpdateSet({ spent_nano_usd: sql<number>`key_period_spend.spent_nano_usd + ${cost}` }),
    )
    .execute();
}

/** Spend of each key in the period it names (keys without a row spent nothing in it). */
export async function spendInPeriods(
  db: Kysely<Database>,
  periods: ReadonlyArray<{ keyId: string; periodStart: number }>,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (periods.length === 0) return out;
  const rows = await db
    .selectFrom('key_period_spend')
    .select(['key_id', 'period_start', 'spent_nano_usd'])
    .where('key_id', 'in', [...new Set(periods.map((p) => p.keyId))])
    .where('period_start', '>=', Math.min(...periods.map((p) => p.periodStart)))
    .execute();
  const wanted = new Map(periods.map((p) => [p.keyId, p.periodStart]));
  for (const row of rows) if (wanted.get(row.key_id) === row.period_start) out.set(row.key_id, row.spent_nano_usd);
  return out;
}
