/**
 * Spend caps across replicas on PostgreSQL alone (no Redis): each reservation is a row inserted in
 * a transaction that first locks the key's row (`SELECT … FOR UPDATE`), so concurrent reservations
 * for one key queue up and the cap check sees every reservation before it. Settling moves the
 * actual cost into `api_keys.spent_nano_usd` at once (the usage writer then leaves spend alone).
 *
 * The price: two short transactions (reserve, settle) per request of a capped key, and requests of
 * one key serialise on its row lock for the duration of the reserve transaction. Uncapped keys
 * never touch this path.
 */
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { GatewayError } from '../errors.js';
import type { Database } from '../store/schema.js';
import { periodSpent, addPeriodSpend } from './period-spend.js';
import { spendCapReached, type CapSubject, type Reservation, type SpendLedger } from './spend-ledger.js';

const RESERVATION_TTL_MS = 60 * 60_000;

function storageUnavailable(cause: unknown): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'service_unavailable_error',
    code: 'storage_unavailable',
    message: 'Z-AI cannot reach its database to account for spend. Try again shortly.',
    cause,
  });
}

export class PostgresSpendLedger implements SpendLedger {
  readonly persistsSpend = true;
  constructor(private readonly db: Kysely<Database>) {}

  async available(subject: CapSubject): Promise<number> {
    if (subject.capNanoUsd === null) return Number.POSITIVE_INFINITY;
    const period = subject.periodStart ?? 0;
    try {
      const key = await this.db
        .selectFrom('api_keys')
        .select(['spend_cap_nano_usd', 'spent_nano_usd'])
        .where('id', '=', subject.keyId)
        .executeTakeFirst();
      if (!key || key.spend_cap_nano_usd === null) return key ? Number.POSITIVE_INFINITY : 0;
      const held = await this.db
        .selectFrom('spend_reservations')
        .select(sql<string>`coalesce(sum(amount_nano_usd), 0)`.as('total'))
        .where('key_id', '=', subject.keyId)
        .where('period_start', '=', period)
        .where('expires_at', '>=', Date.now())
        .executeTakeFirstOrThrow();
      const spent = period === 0 ? key.spent_nano_usd : await periodSpent(this.db, subject.keyId, period);
      return Math.max(0, key.spend_cap_nano_usd - spent - Number(held.total));
    } catch (err) {
      throw storageUnavailable(err);
    }
  }

  async reserve(subject: CapSubject, amountNanoUsd: number): Promise<Reservation> {
    const amount = Math.max(0, Math.ceil(amountNanoUsd));
    const id = crypto.randomUUID();
    const period = subject.periodStart ?? 0;
    let ok: boolean;
    try {
      ok = await this.db.transaction().execute(async (trx) => {
        const now = Date.now();
        const key = await trx
          .selectFrom('api_keys')
          .select(['spend_cap_nano_usd', 'spent_nano_usd'])
          .where('id', '=', subject.keyId)
          .forUpdate()
          .executeTakeFirst();
        if (!key) return false;
        await trx.deleteFrom('spend_reservations').where('key_id', '=', subject.keyId).where('expires_at', '<', now).execute();
        const held = await trx
          .selectFrom('spend_reservations')
          .select(sql<string>`coalesce(sum(amount_nano_usd), 0)`.as('total'))
          .where('key_id', '=', subject.keyId)
          .where('period_start', '=', period)
          .executeTakeFirstOrThrow();
        const spent = period === 0 ? key.spent_nano_usd : await periodSpent(trx, subject.keyId, period);
        // The database's cap is the truth here; the cached one may be a second old.
        const cap = key.spend_cap_nano_usd;
        if (cap !== null && spent + Number(held.total) + amount > cap) return false;
        await trx
          .insertInto('spend_reservations')
          .values({
            id,
            key_id: subject.keyId,
            amount_nano_usd: amount,
            expires_at: now + RESERVATION_TTL_MS,
            period_start: period,
          })
          .execute();
        return true;
      });
    } catch (err) {
      throw storageUnavailable(err);
    }
    if (!ok) throw spendCapReached(subject.periodResetsAt);
    let open = true;
    const db = this.db;
    return {
      async settle(actual) {
        if (!open) return;
        open = false;
        const cost = Math.max(0, Math.ceil(actual));
        await db.transaction().execute(async (trx) => {
          await trx.deleteFrom('spend_reservations').where('id', '=', id).execute();
          if (cost > 0) {
            await trx
              .updateTable('api_keys')
              .set({ spent_nano_usd: sql<number>`spent_nano_usd + ${cost}` })
              .where('id', '=', subject.keyId)
              .execute();
            // In the period the reservation was made in, even if the answer ended after it.
            if (period !== 0) await addPeriodSpend(trx, subject.keyId, period, cost);
          }
        });
      },
      async release() {
        if (!open) return;
        open = false;
        // If this fails the row expires by itself.
        await db
          .deleteFrom('spend_reservations')
          .where('id', '=', id)
          .execute()
          .catch(() => undefined);
      },
    };
  }
}
