/**
 * Spend caps across replicas: reservations and settlements as atomic Redis scripts. Per key, a
 * hash holds `spent` (initialised from the database on first use) and `reserved`; each
 * reservation is listed with its amount and its lease expiry. A replica renews the leases of the
 * reservations it holds, so those of a replica that died are given back by the next reservation
 * once their lease is over, within one lease.
 *
 * Both scripts are idempotent by reservation id, since the reply of a command can be lost (a
 * reservation that timed out is released later; a settlement is retried until it lands):
 * reserving an id already held does nothing, and finishing one that is no longer held does nothing,
 * unless its lease lapsed (then its settlement still adds the spend, once: a lapsed id is kept).
 */
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { coordinationUnavailable } from '../store/coordination-error.js';
import { LeaseRenewal } from './lease-renewal.js';
import { RetryQueue } from './retry-queue.js';
import { spendCapReached, type CapSubject, type Reservation, type SpendLedger } from './spend-ledger.js';

/** How long the id of a reservation whose lease lapsed is kept for its late settlement. */
const LAPSED_KEEP_MS = 24 * 60 * 60_000;
/** How long a budget period's counters outlive the period (for its last answers' settlements). */
const PERIOD_KEEP_MS = 60 * 60_000;

// KEYS: 1 state hash, 2 lease expiries (zset), 3 amounts (hash), 4 lapsed ids (zset, by lapse time)
// ARGV: spentFromDb, cap (-1 = none), amount, reservationId, now, expiresAt, lapsedKeepMs
const RESERVE = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
for _, id in ipairs(expired) do
  local amt = redis.call('HGET', KEYS[3], id)
  if amt then redis.call('HINCRBY', KEYS[1], 'reserved', -tonumber(amt)) end
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[4], ARGV[5], id)
end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', tonumber(ARGV[5]) - tonumber(ARGV[7])) end
if redis.call('HEXISTS', KEYS[3], ARGV[4]) == 1 then return 1 end
redis.call('HSETNX', KEYS[1], 'spent', ARGV[1])
redis.call('HSETNX', KEYS[1], 'reserved', 0)
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent'))
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved'))
local cap = tonumber(ARGV[2])
local amount = tonumber(ARGV[3])
if cap >= 0 and spent + reserved + amount > cap then return 0 end
redis.call('HINCRBY', KEYS[1], 'reserved', amount)
redis.call('HSET', KEYS[3], ARGV[4], amount)
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[4])
return 1
`;

// ARGV: reservationId, actual (-1 = release only)
const FINISH = `
local amt = redis.call('HGET', KEYS[3], ARGV[1])
if amt then
  redis.call('HINCRBY', KEYS[1], 'reserved', -tonumber(amt))
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
elseif redis.call('ZREM', KEYS[4], ARGV[1]) == 0 then
  return 0
end
if tonumber(ARGV[2]) > 0 then redis.call('HINCRBY', KEYS[1], 'spent', ARGV[2]) end
return 1
`;

type KeyNames = [state: string, expiry: string, amounts: string, lapsed: string];

interface Finish {
  keys: KeyNames;
  /** Nano-USD to add to the key's spend; -1 for a release. */
  actual: number;
}

export interface RedisSpendLedgerOptions {
  prefix?: string;
  /** Reservation lease; renewed every third of it while held. */
  leaseMs?: number;
  /** Between two retries of what has not landed. */
  retryIntervalMs?: number;
}

export class RedisSpendLedger implements SpendLedger {
  readonly settlesWithUsage = false;
  private readonly prefix: string;
  private readonly leases: LeaseRenewal<KeyNames>;
  /** Settlements and releases that did not land; a pending settlement's reservation stays held. */
  private readonly finishes: RetryQueue<Finish>;

  constructor(
    private readonly redis: Redis,
    options: RedisSpendLedgerOptions = {},
  ) {
    this.prefix = options.prefix ?? 'zai:';
    this.leases = new LeaseRenewal((held, expiresAt) => this.renew(held, expiresAt), options.leaseMs ?? 30_000);
    this.finishes = new RetryQueue((id, finish) => this.finish(id, finish), options.retryIntervalMs ?? 1000);
  }

  get unsettled(): number {
    return this.finishes.size;
  }

  private keys(subject: CapSubject): KeyNames {
    // The hash tag keeps a key's structures in one slot (Redis Cluster); a budget period has its
    // own counter, so a reservation settles in the period it was made in.
    const period = subject.periodStart ?? 0;
    const base = `${this.prefix}spend:{${subject.keyId}}${period === 0 ? '' : `:p${period}`}`;
    return [`${base}:state`, `${base}:expiry`, `${base}:amounts`, `${base}:lapsed`];
  }

  async available(subject: CapSubject): Promise<number> {
    if (subject.capNanoUsd === null) return Number.POSITIVE_INFINITY;
    let values: Array<string | null>;
    try {
      values = await this.redis.hmget(this.keys(subject)[0], 'spent', 'reserved');
    } catch (err) {
      throw coordinationUnavailable(err);
    }
    // A counter not yet created starts from the database's figure, as reserve() would.
    const spent = values[0] === null || values[0] === undefined ? subject.spentNanoUsd : Number(values[0]);
    const reserved = Number(values[1] ?? 0);
    return Math.max(0, subject.capNanoUsd - spent - reserved);
  }

  async reserve(subject: CapSubject, amountNanoUsd: number): Promise<Reservation> {
    const amount = Math.max(0, Math.ceil(amountNanoUsd));
    const id = crypto.randomUUID();
    const now = Date.now();
    const keys = this.keys(subject);
    let ok: unknown;
    try {
      ok = await this.redis.eval(
        RESERVE,
        4,
        ...keys,
        subject.spentNanoUsd,
        subject.capNanoUsd ?? -1,
        amount,
        id,
        now,
        this.leases.expiry(now),
        LAPSED_KEEP_MS,
      );
    } catch (err) {
      // The script may have run with its reply lost: give the reservation back once Redis answers.
      this.finishes.add(id, { keys, actual: -1 });
      throw coordinationUnavailable(err);
    }
    if (ok !== 1) throw spendCapReached(subject.periodResetsAt);
    this.leases.hold(id, keys);
    if (subject.periodResetsAt !== undefined && subject.periodResetsAt !== null) {
      // A period's counter is of no use once the period and its last reservations are over. A
      // relative expiry, so that only this replica's clock says when the period ends, not Redis's.
      const ttl = Math.max(PERIOD_KEEP_MS, subject.periodResetsAt + PERIOD_KEEP_MS - now);
      const expiry = this.redis.multi();
      for (const key of keys) expiry.pexpire(key, ttl);
      void expiry.exec().catch(() => undefined);
    }
    let open = true;
    const close = async (actual: number): Promise<void> => {
      if (!open) return;
      open = false;
      try {
        await this.finish(id, { keys, actual });
      } catch {
        // Retried until it lands. A settlement's reservation keeps holding room (renewed)
        // meanwhile; a release's is left to lapse if Redis stays away longer than its lease.
        if (actual < 0) this.leases.drop(id);
        this.finishes.add(id, { keys, actual });
      }
    };
    return {
      id,
      settle: (actual) => close(Math.max(0, Math.ceil(actual))),
      release: () => close(-1),
    };
  }

  async close(deadline: number): Promise<number> {
    // Renewed while the retries last: a pending settlement keeps holding its room.
    const left = await this.finishes.close(deadline);
    this.leases.stop();
    return left;
  }

  private async finish(id: string, { keys, actual }: Finish): Promise<void> {
    await this.redis.eval(FINISH, 4, ...keys, id, actual);
    this.leases.drop(id);
  }

  private async renew(held: ReadonlyMap<string, KeyNames>, expiresAt: number): Promise<void> {
    const pipeline = this.redis.pipeline();
    // XX: only leases that still exist (one that lapsed meanwhile is not brought back).
    for (const [id, keys] of held) pipeline.zadd(keys[1], 'XX', expiresAt, id);
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err !== null)?.[0];
    if (failed) throw failed;
  }
}
