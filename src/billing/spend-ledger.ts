/**
 * Spend caps that are never exceeded, also under concurrency: before forwarding, a request
 * reserves its worst-case cost; after the answer it settles to the actual cost and releases the
 * rest. `spent + reserved + this reservation > cap` answers 402.
 *
 * Three implementations share this interface: `MemorySpendLedger` (one process; SQLite or a single
 * replica), the Redis one and the PostgreSQL one (several replicas). Across replicas a reservation
 * is a lease its replica renews while it needs it, so a replica that dies cannot hold a cap for
 * long; and a settlement that cannot land (the shared store is down) is kept and retried, its
 * reservation still holding room meanwhile, so that the cap is never exceeded.
 */
import { GatewayError } from '../errors.js';

export interface CapSubject {
  keyId: string;
  /** The cap in nano-USD, or null for none (the reservation then always succeeds). */
  capNanoUsd: number | null;
  /** Spend already persisted for the key (in the period `periodStart`) when it was loaded. */
  spentNanoUsd: number;
  /**
   * The budget period the reservation counts against and settles in (its start, epoch ms), for a
   * key whose cap applies per day / week / month; 0 or absent: the key's total budget.
   */
  periodStart?: number;
  /** When that period ends (epoch ms), named in the 402. */
  periodResetsAt?: number | null;
}

export interface Reservation {
  readonly id: string;
  /**
   * Turns the reservation into spend of `actualNanoUsd` (may exceed the reservation only for
   * uncapped keys). Never fails the answer: what cannot land now is retried. Idempotent with release.
   */
  settle(actualNanoUsd: number): Promise<void>;
  /** Gives the whole reservation back (request failed before any cost). Safe to call after settle: no-op. */
  release(): Promise<void>;
}

export interface SpendLedger {
  /**
   * True when a reservation is a database row that the request's usage row settles: the usage
   * writer adds the spend and deletes the reservation in one transaction (PostgreSQL ledger).
   */
  readonly settlesWithUsage: boolean;
  /** Reserves `amountNanoUsd` against the key's cap or throws 402 `spend_cap_reached`. */
  reserve(subject: CapSubject, amountNanoUsd: number): Promise<Reservation>;
  /**
   * What the key's cap leaves now (cap − spent − reserved, ≥ 0; Infinity without a cap): how far a
   * request that cannot have its worst case may be shortened. Advisory: reserve() still decides.
   */
  available(subject: CapSubject): Promise<number>;
  /** Settlements and releases that have not landed yet (retried). */
  readonly unsettled: number;
  /** Stops renewing; retries what has not landed until `deadline` (epoch ms). Returns what was given up. */
  close(deadline: number): Promise<number>;
}

export function spendCapReached(resetsAt?: number | null): GatewayError {
  const when =
    resetsAt === undefined || resetsAt === null ? '' : ` The key's budget period resets at ${new Date(resetsAt).toISOString()}.`;
  return new GatewayError({
    status: 402,
    type: 'insufficient_quota',
    code: 'spend_cap_reached',
    message: `This key's spend cap cannot cover this request. Raise the cap (PATCH /api/keys/:id) or use another key.${when}`,
  });
}

/** The ledger's counter of a key in a budget period: the key id alone for the total budget. */
export function spendCounterId(subject: CapSubject): string {
  const period = subject.periodStart ?? 0;
  return period === 0 ? subject.keyId : `${subject.keyId}@${period}`;
}

interface KeyState {
  spent: number;
  reserved: number;
}

/** Exact in one process: JavaScript runs one reservation at a time, so check-and-add is atomic. */
export class MemorySpendLedger implements SpendLedger {
  readonly settlesWithUsage = false;
  readonly unsettled = 0;
  private nextId = 0;
  private readonly keys = new Map<string, KeyState>();

  /** The counter of each key's latest budget period, so an ended period's is dropped. */
  private readonly latestPeriod = new Map<string, string>();

  /**
   * A reservation still open in the ended period settles into its own state object, which it holds;
   * the map need not keep that state, and would otherwise grow by a counter per key and period.
   */
  private forgetEarlierPeriod(keyId: string, counter: string): void {
    if (counter === keyId) return;
    const previous = this.latestPeriod.get(keyId);
    if (previous !== undefined && previous !== counter) this.keys.delete(previous);
    this.latestPeriod.set(keyId, counter);
  }

  async available(subject: CapSubject): Promise<number> {
    if (subject.capNanoUsd === null) return Number.POSITIVE_INFINITY;
    const state = this.keys.get(spendCounterId(subject)) ?? { spent: subject.spentNanoUsd, reserved: 0 };
    return Math.max(0, subject.capNanoUsd - state.spent - state.reserved);
  }

  async reserve(subject: CapSubject, amountNanoUsd: number): Promise<Reservation> {
    const counter = spendCounterId(subject);
    let state = this.keys.get(counter);
    if (state === undefined) {
      state = { spent: subject.spentNanoUsd, reserved: 0 };
      this.keys.set(counter, state);
      this.forgetEarlierPeriod(subject.keyId, counter);
    }
    const amount = Math.max(0, Math.ceil(amountNanoUsd));
    if (subject.capNanoUsd !== null && state.spent + state.reserved + amount > subject.capNanoUsd) {
      throw spendCapReached(subject.periodResetsAt);
    }
    state.reserved += amount;
    const held = state;
    let open = true;
    return {
      id: `res_${++this.nextId}`,
      async settle(actual) {
        if (!open) return;
        open = false;
        held.reserved -= amount;
        held.spent += Math.max(0, Math.ceil(actual));
      },
      async release() {
        if (!open) return;
        open = false;
        held.reserved -= amount;
      },
    };
  }

  async close(): Promise<number> {
    return 0;
  }
}
