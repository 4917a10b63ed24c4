/**
 * Spend caps across replicas on PostgreSQL alone (no Redis): each reservation is a row inserted in
 * a transaction that first locks the key's row (`SELECT … FOR UPDATE`), so concurrent reservations
 * for one key queue up and the cap check sees every reservation before it.
 *
 * A reservation is settled by the request's usage row: the usage writer adds the row's cost to the
 * key and deletes the reservation in one transaction (idempotent by request id), so a settlement
 * never fails an answer and is retried with the row while the database is down; the reservation
 * keeps holding room until then. Reservations are leases this replica renews while it holds them
 * (request in flight, usage row not yet written): those of a replica that died expire within one
 * lease and are deleted by the next reservation of their key.
 *
 * The price: one short transaction per request of a capped key, during which requests of that key
 * serialise on its row lock. Uncapped keys never touch this path.
 */
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { storageUnavailable } from '../store/storage-error.js';
import { LeaseRenewal } from './lease-renewal.js';
import { periodSpent } from './period-spend.js';
import { RetryQueue } from './retry-queue.js';
import { spendCapReached, type CapSubject, type Reservation, type SpendLedger } from './spend-ledger.js';

/** Reservation ids per statement. */
const MAX_IDS = 500;

export interface PostgresSpendLedgerOptions {
  /** Reservation lease; renewed every third of it while held. */
  leaseMs?: number;
  /** Longest a reservation may take before the request answers 503 (a hung database). */
  deadlineMs?: number;
  /** Between two retries of a release that failed. */
  retryIntervalMs?: number;
}

export class PostgresSpendLedger implements SpendLedger {
  readonly settlesWithUsage = true;
  private readonly leases: LeaseRenewal<true>;
  private readonly releases: RetryQueue<true>;
  private readonly deadlineMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    options: PostgresSpendLedgerOptions = {},
  ) {
    this.leases = new LeaseRenewal((held, expiresAt) => this.renew([...held.keys()], expiresAt), options.leaseMs ?? 30_000);
    this.releases = new RetryQueue((id) => this.deleteReservations([id]), options.retryIntervalMs ?? 1000);
    this.deadlineMs = options.deadlineMs ?? 2000;
  }

  get unsettled(): number {
    return this.releases.size;
  }

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
    const attempt = this.insertReservation(subject, amount, id);
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let ok: boolean;
    try {
      ok = await Promise.race([
        attempt,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            timedOut = true;
            reject(new Error(`spend reservation took longer than ${this.deadlineMs} ms`));
          }, this.deadlineMs);
        }),
      ]);
    } catch (err) {
      // The transaction may still commit (or may have, with its reply lost): its row is deleted
      // once the database answers, rather than held until its lease ends.
      if (timedOut) void attempt.then((held) => held && this.releases.add(id, true)).catch(() => this.releases.add(id, true));
      else this.releases.add(id, true);
      throw storageUnavailable(err);
    } finally {
      clearTimeout(timer);
    }
    if (!ok) throw spendCapReached(subject.periodResetsAt);
    this.leases.hold(id, true);
    let open = true;
    return {
      id,
      // The usage row carries this id and settles the reservation when it is written; the lease
      // is renewed until then (see usageWritten).
      settle: async () => {
        open = false;
      },
      release: async () => {
        if (!open) return;
        open = false;
        this.leases.drop(id);
        try {
          await this.deleteReservations([id]);
        } catch {
          this.releases.add(id, true);
        }
      },
    };
  }

  /** The usage writer wrote (or gave up) the rows that settle these reservations: stop renewing them. */
  usageWritten(ids: readonly string[]): void {
    for (const id of ids) this.leases.drop(id);
  }

  async close(deadline: number): Promise<number> {
    // Renewed while the retries last: a pending settlement keeps holding its room.
    const left = await this.releases.close(deadline);
    this.leases.stop();
    return left;
  }

  private insertReservation(subject: CapSubject, amount: number, id: string): Promise<boolean> {
    // A reservation counts against its budget period's spend, and the usage row that settles it
    // adds its cost to that period (the request's period, given to the usage writer with the row).
    const period = subject.periodStart ?? 0;
    return this.db.transaction().execute(async (trx) => {
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
          expires_at: this.leases.expiry(now),
          period_start: period,
        })
        .execute();
      return true;
    });
  }

  private async deleteReservations(ids: string[]): Promise<void> {
    await this.db.deleteFrom('spend_reservations').where('id', 'in', ids).execute();
  }

  private async renew(ids: string[], expiresAt: number): Promise<void> {
    for (let i = 0; i < ids.length; i += MAX_IDS) {
      await this.db
        .updateTable('spend_reservations')
        .set({ expires_at: expiresAt })
        .where('id', 'in', ids.slice(i, i + MAX_IDS))
        .execute();
    }
  }
}
