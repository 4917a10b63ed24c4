/**
 * The optional per-key requests-per-minute limit: fixed one-minute windows, in memory for one
 * process or in Redis (shared by every replica). Over the limit: 429 with `retry-after`.
 */
import type { Redis } from 'ioredis';
import { GatewayError } from '../errors.js';
import { coordinationUnavailable } from '../store/coordination-error.js';

export interface RateLimiter {
  /** Counts one request of the key; throws 429 when the key is over its limit this minute. */
  hit(keyId: string, limitPerMinute: number): Promise<void>;
}

const WINDOW_MS = 60_000;

function limited(retryAfterMs: number, limit: number): GatewayError {
  return new GatewayError({
    status: 429,
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    message: `This key is limited to ${limit} requests per minute. Retry after the time in the retry-after header.`,
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  });
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  async hit(keyId: string, limit: number): Promise<void> {
    const now = Date.now();
    const start = now - (now % WINDOW_MS);
    let w = this.windows.get(keyId);
    if (w === undefined || w.start !== start) {
      if (this.windows.size > 100_000) this.windows.clear();
      w = { start, count: 0 };
      this.windows.set(keyId, w);
    }
    w.count += 1;
    if (w.count > limit) throw limited(start + WINDOW_MS - now, limit);
  }
}

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'zai:',
  ) {}

  async hit(keyId: string, limit: number): Promise<void> {
    const now = Date.now();
    const start = now - (now % WINDOW_MS);
    const key = `${this.prefix}rpm:${keyId}:${start}`;
    let count: number;
    try {
      const result = await this.redis
        .multi()
        .incr(key)
        .pexpire(key, WINDOW_MS + 1000)
        .exec();
      count = Number(result?.[0]?.[1] ?? 0);
    } catch (err) {
      throw coordinationUnavailable(err);
    }
    if (count > limit) throw limited(start + WINDOW_MS - now, limit);
  }
}
