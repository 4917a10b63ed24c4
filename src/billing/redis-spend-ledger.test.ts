/**
 * The Redis ledger against a real Redis, through a fault proxy: settlements that cannot land are
 * retried and counted once, leases of a replica that stops renewing lapse, ambiguous reservations
 * are given back.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../test/faults/fault-proxy.js';
import { GatewayError } from '../errors.js';
import { connectRedis } from '../store/redis.js';
import { RedisSpendLedger } from './redis-spend-ledger.js';
import type { CapSubject } from './spend-ledger.js';

const REDIS = { host: '127.0.0.1', port: 6379 };
const prefix = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}:`;
let direct: Redis;
let proxy: FaultProxy;
let proxied: Redis;
const ledgers: RedisSpendLedger[] = [];
let keyCount = 0;

beforeAll(async () => {
  direct = new Redis(REDIS.port, REDIS.host);
  proxy = await FaultProxy.start(REDIS);
  proxied = connectRedis(`redis://127.0.0.1:${proxy.port}`, 'commands', { connectTimeoutMs: 300, commandTimeoutMs: 300 });
  await new Promise((resolve) => proxied.once('ready', resolve));
});

afterEach(async () => {
  proxy.tap = undefined;
  proxy.heal();
  await Promise.all(ledgers.splice(0).map((l) => l.close(0)));
});

afterAll(async () => {
  const keys = await direct.keys(`${prefix}*`);
  if (keys.length > 0) await direct.del(...keys);
  direct.disconnect();
  proxied.disconnect();
  await proxy.close();
});

function ledger(redis: Redis, leaseMs = 30_000): RedisSpendLedger {
  const l = new RedisSpendLedger(redis, { prefix, leaseMs, retryIntervalMs: 100 });
  ledgers.push(l);
  return l;
}

function subject(cap: number | null = 10_000): CapSubject {
  keyCount += 1;
  return { keyId: `key_${keyCount}`, capNanoUsd: cap, spentNanoUsd: 0 };
}

async function state(s: CapSubject): Promise<{ spent: number; reserved: number }> {
  const h = await direct.hgetall(`${prefix}spend:{${s.keyId}}:state`);
  return { spent: Number(h.spent ?? 0), reserved: Number(h.reserved ?? 0) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await sleep(20);
  }
  return Date.now() - start;
}

async function refused(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    if (err instanceof GatewayError) return err.code ?? '';
    throw err;
  }
  return 'none';
}

describe('RedisSpendLedger', () => {
  it('keeps a settlement whose reply was lost and counts it once when it lands', async () => {
    const s = subject();
    const l = ledger(proxied);
    const reservation = await l.reserve(s, 8000);
    proxy.tap = (direction, chunk) => {
      // The FINISH script reaches Redis (and runs); its reply is held.
      if (direction === 'requests' && chunk.includes('elseif')) {
        proxy.tap = undefined;
        proxy.cut('replies');
      }
    };
    await reservation.settle(3000);
    expect(l.unsettled).toBe(1);
    expect(await state(s)).toEqual({ spent: 3000, reserved: 0 });
    proxy.heal();
    await until(async () => l.unsettled === 0, 3000);
    expect(await state(s)).toEqual({ spent: 3000, reserved: 0 });
  });

  it('holds the room of a settlement that cannot land until it does, then counts its spend', async () => {
    const s = subject();
    const l = ledger(proxied, 3000);
    const reservation = await l.reserve(s, 8000);
    proxy.blackhole();
    const start = Date.now();
    await reservation.settle(5000);
    expect(Date.now() - start).toBeLessThan(1000);
    expect(l.unsettled).toBe(1);
    // Another replica, with Redis in reach, still sees the reservation: the cap cannot be overrun.
    expect(await refused(() => ledger(direct).reserve(s, 4000))).toBe('spend_cap_reached');
    proxy.heal();
    await until(async () => l.unsettled === 0, 3000);
    expect(await state(s)).toEqual({ spent: 5000, reserved: 0 });
    await ledger(direct).reserve(s, 5000);
  });

  it("lets a stopped replica's reservations lapse within one lease, renews a live one's", async () => {
    const s = subject();
    const live = ledger(direct, 600);
    await live.reserve(s, 6000);
    const dead = ledger(direct, 600);
    await dead.reserve(s, 4000);
    await dead.close(0);
    const other = ledger(direct);
    // The dead one's 4000 come back after its lease; the live one's 6000 stay held across renewals.
    const waited = await until(async () => (await refused(() => other.reserve(s, 4000))) === 'none', 2000);
    expect(waited).toBeGreaterThan(300);
    await sleep(1000);
    expect(await refused(() => other.reserve(s, 1))).toBe('spend_cap_reached');
    expect(await state(s)).toEqual({ spent: 0, reserved: 10_000 });
  });

  it('still counts the settlement of a reservation whose lease lapsed, once', async () => {
    const s = subject();
    const slow = ledger(direct, 300);
    const reservation = await slow.reserve(s, 6000);
    await slow.close(0);
    await sleep(400);
    // The next reservation of the key finds the lease over and gives its room back.
    await ledger(direct).reserve(s, 1000);
    expect(await state(s)).toEqual({ spent: 0, reserved: 1000 });
    await reservation.settle(2500);
    await reservation.settle(2500);
    expect(await state(s)).toEqual({ spent: 2500, reserved: 1000 });
  });

  it('gives back a reservation whose reply was lost (the request answered 503)', async () => {
    const s = subject();
    const l = ledger(proxied);
    proxy.tap = (direction, chunk) => {
      if (direction === 'requests' && chunk.includes('HSETNX')) {
        proxy.tap = undefined;
        proxy.cut('replies');
      }
    };
    expect(await refused(() => l.reserve(s, 7000))).toBe('coordination_unavailable');
    expect(await state(s)).toEqual({ spent: 0, reserved: 7000 });
    proxy.heal();
    // Given back, and no longer queued.
    await until(async () => (await state(s)).reserved === 0 && l.unsettled === 0, 3000);
  });
});
