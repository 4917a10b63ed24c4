/**
 * Spend caps across replicas: reservations and settlements as atomic Redis scripts. Per key, a
 * hash holds `spent` (initialised from the database on first use) and `reserved`; each
 * reservation is also listed with an expiry, so one held by a replica that crashed mid-request is
 * given back by the next reservation after it expires instead of locking the key forever.
 */
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { coordinationUnavailable } from '../store/coordination-error.js';
import { spendCapReached, type CapSubject, type Reservation, type SpendLedger } from './spend-ledger.js';

// KEYS[1] = state hash, KEYS[2] = reservation expiries (zset), KEYS[3] = reservation amounts (hash)
// ARGV: spentFromDb, cap (-1 = none), amount, reservationId, now, expiresAt
const RESERVE = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
for _, id in ipairs(expired) do
  local amt = redis.call('HGET', KEYS[3], id)
  if amt then redis.call('HINCRBY', KEYS[1], 'reserved', -tonumber(amt)) end
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[2], id)
end
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
if not amt then
  if tonumber(ARGV[2]) > 0 then redis.call('HINCRBY', KEYS[1], 'spent', ARGV[2]) end
  return 0
end
redis.call('HINCRBY', KEYS[1], 'reserved', -tonumber(amt))
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if tonumber(ARGV[2]) > 0 then redis.call('HINCRBY', KEYS[1], 'spent', ARGV[2]) end
return 1
`;

/** A reservation lives at most this long (longer than any request, streams included). */
const RESERVATION_TTL_MS = 60 * 60_000;

export class RedisSpendLedger implements SpendLedger {
  readonly persistsSpend = false;
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'zai:',
  ) {}

  private keys(subject: CapSubject): [string, string, string] {
    // The hash tag keeps a key's three structures in one slot (Redis Cluster); a budget period
    // has its own counter, so a reservation settles in the period it was made in.
    const period = subject.periodStart ?? 0;
    const base = `${this.prefix}spend:{${subject.keyId}}${period === 0 ? '' : `:p${period}`}`;
    return [`${base}:state`, `${base}:expiry`, `${base}:amounts`];
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
        3,
        ...keys,
        subject.spentNanoUsd,
        subject.capNanoUsd ?? -1,
        amount,
        id,
        now,
        now + RESERVATION_TTL_MS,
      );
    } catch (err) {
      throw coordinationUnavailable(err);
    }
    if (ok !== 1) throw spendCapReached(subject.periodResetsAt);
    if (subject.periodResetsAt !== undefined && subject.periodResetsAt !== null) {
      // A period's counter is of no use once the period and its last reservations are over.
      const expireAt = subject.periodResetsAt + RESERVATION_TTL_MS + 60_000;
      void this.redis
        .multi()
        .pexpireat(keys[0], expireAt)
        .pexpireat(keys[1], expireAt)
        .pexpireat(keys[2], expireAt)
        .exec()
        .catch(() => undefined);
    }
    let open = true;
    const finish = async (actual: number): Promise<void> => {
      if (!open) return;
      open = false;
      try {
        await this.redis.eval(FINISH, 3, ...keys, id, actual);
      } catch {
        // Redis went away after the answer: the reservation expires by itself, and the spend is
        // in the usage row, from which the counter is rebuilt when Redis comes back empty.
      }
    };
    return {
      settle: (actual) => finish(Math.max(0, Math.ceil(actual))),
      release: () => finish(-1),
    };
  }
}
