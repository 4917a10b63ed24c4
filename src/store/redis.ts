/**
 * The Redis connections used for coordination between replicas (spend reservations, login
 * throttling, cache invalidation), with a deadline on everything:
 *
 * - connecting: `connectTimeoutMs` to connect, then one command deadline for the ready check;
 * - each command: `commandTimeoutMs`, after which it fails, and a connection that answered nothing
 *   for that long is dropped and made anew (a black-holed connection would otherwise look alive);
 *   an idle connection is pinged every second, so silence is noticed without traffic;
 * - commands fail at once while Redis is down (no offline queue), and those in flight when a
 *   connection drops fail at once and are never re-sent after the reconnect: a resent reservation
 *   or settlement could count twice. Callers answer 503 or keep the work for an idempotent retry.
 */
import { Redis } from 'ioredis';

export type RedisClient = Redis;

export interface RedisDeadlines {
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

/** Between two pings of a connection. */
const PING_INTERVAL_MS = 1000;

export function connectRedis(url: string, role: 'commands' | 'subscriber', deadlines: RedisDeadlines): Redis {
  const client = new Redis(url, {
    lazyConnect: false,
    // The subscriber queues its SUBSCRIBE until connected; commands never wait for a connection.
    enableOfflineQueue: role === 'subscriber',
    maxRetriesPerRequest: role === 'subscriber' ? null : 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: deadlines.connectTimeoutMs,
    commandTimeout: deadlines.commandTimeoutMs,
    socketTimeout: deadlines.commandTimeoutMs,
    disableClientInfo: true,
    // Reconnect forever, backing off to one attempt per second.
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  // Errors surface through failed commands and readiness; an unhandled 'error' event would crash.
  client.on('error', () => {});
  const ping = setInterval(() => {
    if (client.status === 'ready') client.ping().catch(() => undefined);
  }, PING_INTERVAL_MS);
  ping.unref();
  client.once('end', () => clearInterval(ping));
  return client;
}
