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
 * The price: one short transaction per capped key and replica at a time, which takes the key's row
 * lock once for every reservation of that key that queued on this replica meanwhile (KeyBatches):
 * a burst of one key's requests holds one pooled connection, not all of them. Uncapped keys never
 * touch this path.
 */
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { storageUnavailable } from '../store/storage-error.js';
import { KeyBatches } from './key-batches.js';
import { LeaseRenewal } from './lease-renewal.js';
import { periodSpent } from './period-spend.js';
import { RetryQueue } from './retry-queue.js';
import { spendCapReached, type CapSubject, type Reservation, type SpendLedger } from './spend-ledger.js';

/** Reservation ids per statement, and reservations per transaction. */
const MAX_IDS = 500;

export interface PostgresSpendLedgerOptions {
  /** Reservation lease; renewed every third of it while held. */
  leaseMs?: number;
  /** Longest a reservation may take before the request answers 503 (a hung database). */
  deadlineMs?: number;
  /** Between two retries of a release that failed. */
  retryIntervalMs?: number;
}

interface PendingReservation {
  id: string;
  amount: number;
  /** Set when the request stopped waiting (deadline): its batch skips it. */
  abandoned: boolean;
}

export class PostgresSpendLedger implements SpendLedger {
  readonly settlesWithUsage = true;
  private readonly batches = new KeyBatches<CapSubject, PendingReservation, boolean>(
    (subject, requests) => this.insertReservations(subject, requests),
    MAX_IDS,
  );
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
    const request: PendingReservation = {
      id: crypto.randomUUID(),
      amount: Math.max(0, Math.ceil(amountNanoUsd)),
      abandoned: false,
    };
    const { id } = request;
    const attempt = this.batches.run(`${subject.keyId}:${subject.periodStart ?? 0}`, subject, request);
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let ok: boolean;
    try {
      ok = await Promise.race([
        attempt,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            timedOut = true;
            request.abandoned = true;
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

  /** One transaction for every reservation of one key and period that queued meanwhile, in order. */
  private insertReservations(subject: CapSubject, requests: readonly PendingReservation[]): Promise<boolean[]> {
    // A reservation counts against its budget period's spend, and the usage row that settles it
    // adds its cost to that period (the request's period, given to the usage writer with the row).
    const period = subject.periodStart ?? 0;
    if (requests.every((r) => r.abandoned)) return Promise.resolve(requests.map(() => false));
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const key = await trx
        .selectFrom('api_keys')
        .select(['spend_cap_nano_usd', 'spent_nano_usd'])
        .where('id', '=', subject.keyId)
        .forUpdate()
        .executeTakeFirst();
      if (!key) return requests.map(() => false);
      await trx.deleteFrom('spend_reservations').where('key_id', '=', subject.keyId).where('expires_at', '<', now).execute();
      const held = await trx
        .selectFrom('spend_reservations')
        .select(sql<string>`coalesce(sum(amount_nano_usd), 0)`.as('total'))
        .where('key_id', '=', subject.keyId)
        .where('period_start', '=', period)
        .executeTakeFirstOrThrow();
      let committed = (period === 0 ? key.spent_nano_usd : await periodSpent(trx, subject.keyId, period)) + Number(held.total);
      // The database's cap is the truth here; the cached one may be a second old.
      const cap = key.spend_cap_nano_usd;
      const expiresAt = this.leases.expiry(now);
      const rows: Array<{ id: string; key_id: string; amount_nano_usd: number; expires_at: number; period_start: number }> = [];
      const results = requests.map((r) => {
        // A request that gave up waiting has answered 503 already: it takes no room.
        if (r.abandoned || (cap !== null && committed + r.amount > cap)) return false;
        committed += r.amount;
        rows.push({ id: r.id, key_id: subject.keyId, amount_nano_usd: r.amount, expires_at: expiresAt, period_start: period });
        return true;
      });
      if (rows.length > 0) await trx.insertInto('spend_reservations').values(rows).execute();
      return results;
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
