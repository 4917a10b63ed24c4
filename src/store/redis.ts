/**
 * The Redis connection used for coordination between replicas (spend reservations, login
 * throttling, cache invalidation). Commands fail fast while Redis is down (no offline queue), so
 * a request never waits on a dead Redis: it answers 503 and the client reconnects by itself.
 */
import { Redis } from 'ioredis';
import { GatewayError } from '../errors.js';

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

/** The 503 every coordination failure becomes: never spend without accounting. */
export function coordinationUnavailable(cause?: unknown): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'service_unavailable_error',
    code: 'coordination_unavailable',
    message: 'Z-AI cannot reach Redis, which it needs to account for spend and revocations across replicas. Try again shortly.',
    cause,
  });
}

/** True while the connection is ready for commands. */
export function redisReady(client: Redis): boolean {
  return client.status === 'ready';
}
