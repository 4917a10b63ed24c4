/**
 * The Redis invalidation bus through a fault proxy: after a lost connection it drops every cache
 * before it calls itself synced, and a message it could not publish is published once Redis answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../test/faults/fault-proxy.js';
import { connectRedis, type RedisClient } from '../store/redis.js';
import type { InvalidationMessage } from './invalidation.js';
import { RedisInvalidationBus } from './redis-invalidation-bus.js';

const REDIS = { host: '127.0.0.1', port: 6379 };
const prefix = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}:`;
const deadlines = { connectTimeoutMs: 300, commandTimeoutMs: 300 };
let proxy: FaultProxy;
const clients: RedisClient[] = [];
const buses: RedisInvalidationBus[] = [];

beforeAll(async () => {
  proxy = await FaultProxy.start(REDIS);
});

afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  for (const c of clients) c.disconnect();
  await proxy.close();
});

function bus(url: string): { bus: RedisInvalidationBus; got: InvalidationMessage[] } {
  const publisher = connectRedis(url, 'commands', deadlines);
  const subscriber = connectRedis(url, 'subscriber', deadlines);
  clients.push(publisher, subscriber);
  const b = new RedisInvalidationBus(publisher, subscriber, prefix);
  buses.push(b);
  const got: InvalidationMessage[] = [];
  b.subscribe((m) => got.push(m));
  return { bus: b, got };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms: number): Promise<void> {
  for (const start = Date.now(); !check(); await sleep(10))
    if (Date.now() - start > ms) throw new Error('condition not met in time');
}

describe('RedisInvalidationBus', () => {
  it('is synced only after every cache was dropped on (re)connecting', async () => {
    const cut = bus(`redis://127.0.0.1:${proxy.port}`);
    const other = bus(`redis://${REDIS.host}:${REDIS.port}`);
    await until(() => cut.bus.synced() && other.bus.synced(), 2000);
    expect(cut.got).toEqual([{ kind: 'all' }]);
    cut.got.length = 0;

    proxy.blackhole();
    // Silence is noticed by the pings within about two command deadlines.
    await until(() => !cut.bus.synced(), 3000);
    // Missed while deaf.
    other.bus.publish({ kind: 'api-key', keyHash: 'h1' });
    await sleep(200);
    expect(cut.got).toEqual([]);
    // Sampled on every turn: the caches must already be dropped the first time it says synced.
    let droppedWhenSynced: boolean | undefined;
    const watch = setInterval(() => {
      if (droppedWhenSynced === undefined && cut.bus.synced()) droppedWhenSynced = cut.got.some((m) => m.kind === 'all');
    }, 1);
    proxy.heal();
    await until(() => droppedWhenSynced !== undefined, 5000);
    clearInterval(watch);
    expect(droppedWhenSynced).toBe(true);
  });

  it('publishes again, once Redis answers, a message it could not publish', async () => {
    const cut = bus(`redis://127.0.0.1:${proxy.port}`);
    const other = bus(`redis://${REDIS.host}:${REDIS.port}`);
    await until(() => cut.bus.synced() && other.bus.synced(), 2000);
    proxy.reset();
    cut.bus.publish({ kind: 'providers', userId: 'usr_revoked' });
    await sleep(100);
    expect(other.got).not.toContainEqual({ kind: 'providers', userId: 'usr_revoked' });
    proxy.heal();
    await until(() => other.got.some((m) => m.kind === 'providers' && m.userId === 'usr_revoked'), 4000);
  });
});
