/**
 * The Redis connection used for coordination between replicas (spend reservations, login
 * throttling, cache invalidation). Commands fail fast while Redis is down (no offline queue), so
 * a request never waits on a dead Redis: it answers 503 and the client reconnects by itself.
 */
import { Redis } from 'ioredis';

export type RedisClient = Redis;

export function connectRedis(url: string, role: 'commands' | 'subscriber'): Redis {
  const client = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: role === 'subscriber',
    maxRetriesPerRequest: role === 'subscriber' ? null : 1,
    connectTimeout: 2000,
    // Reconnect forever, backing off to one attempt per second.
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  // Errors surface through failed commands and readiness; an unhandled 'error' event would crash.
  client.on('error', () => {});
  return client;
}
