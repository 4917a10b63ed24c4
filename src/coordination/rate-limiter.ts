/**
 * The optional per-key requests-per-minute and tokens-per-minute limits: fixed one-minute windows,
 * in memory for one process or in Redis (shared by every replica). Over a limit: 429 with
 * `retry-after`.
 *
 * Tokens are taken when a request starts (its input estimate plus the output it may produce) and
 * corrected to the real usage when it ends, in the window they were taken in. One request never
 * takes more than the whole limit, so a large one waits for an empty minute instead of never running.
 */
import type { Redis } from 'ioredis';
import { GatewayError } from '../errors.js';
import { coordinationUnavailable } from '../store/coordination-error.js';

export interface RateLimiter {
  /** Counts one request of the key; throws 429 when the key is over its limit this minute. */
  hit(keyId: string, limitPerMinute: number): Promise<void>;
  /** Takes `tokens` (at most the limit) from the key's minute, or throws 429; says what it took where. */
  takeTokens(keyId: string, tokens: number, limitPerMinute: number): Promise<TokenTake>;
  /** Corrects a take by `delta` tokens (negative gives back); a no-op once its minute is over. */
  adjustTokens(take: TokenTake, delta: number): Promise<void>;
}

export interface TokenTake {
  keyId: string;
  windowStart: number;
  taken: number;
}

const WINDOW_MS = 60_000;

function limited(retryAfterMs: number, limit: number, unit = 'requests'): GatewayError {
  return new GatewayError({
    status: 429,
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    message: `This key is limited to ${limit} ${unit} per minute. Retry after the time in the retry-after header.`,
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

  private readonly tokenWindows = new Map<string, { start: number; count: number }>();

  async takeTokens(keyId: string, tokens: number, limit: number): Promise<TokenTake> {
    const now = Date.now();
    const start = now - (now % WINDOW_MS);
    let w = this.tokenWindows.get(keyId);
    if (w === undefined || w.start !== start) {
      if (this.tokenWindows.size > 100_000) this.tokenWindows.clear();
      w = { start, count: 0 };
      this.tokenWindows.set(keyId, w);
    }
    const taken = Math.min(Math.max(0, Math.ceil(tokens)), limit);
    if (w.count + taken > limit) throw limited(start + WINDOW_MS - now, limit, 'tokens');
    w.count += taken;
    return { keyId, windowStart: start, taken };
  }

  async adjustTokens(take: TokenTake, delta: number): Promise<void> {
    const w = this.tokenWindows.get(take.keyId);
    if (w === undefined || w.start !== take.windowStart) return;
    w.count = Math.max(0, w.count + Math.round(delta));
  }
}

// KEYS[1] = the key's token count of one minute; ARGV: tokens, limit, ttl ms.
// Returns the count after taking, or -1 (taking nothing) when it would pass the limit.
const TAKE_TOKENS = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local tokens = tonumber(ARGV[1])
if count + tokens > tonumber(ARGV[2]) then return -1 end
count = redis.call('INCRBY', KEYS[1], tokens)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return count
`;

// Corrects only a minute that still exists, never below 0.
const ADJUST_TOKENS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count < 0 then redis.call('SET', KEYS[1], 0, 'KEEPTTL') end
return 1
`;

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

  private tokenKey(keyId: string, start: number): string {
    return `${this.prefix}tpm:${keyId}:${start}`;
  }

  async takeTokens(keyId: string, tokens: number, limit: number): Promise<TokenTake> {
    const now = Date.now();
    const start = now - (now % WINDOW_MS);
    const taken = Math.min(Math.max(0, Math.ceil(tokens)), limit);
    let count: unknown;
    try {
      count = await this.redis.eval(TAKE_TOKENS, 1, this.tokenKey(keyId, start), taken, limit, WINDOW_MS + 1000);
    } catch (err) {
      throw coordinationUnavailable(err);
    }
    if (count === -1) throw limited(start + WINDOW_MS - now, limit, 'tokens');
    return { keyId, windowStart: start, taken };
  }

  async adjustTokens(take: TokenTake, delta: number): Promise<void> {
    const rounded = Math.round(delta);
    if (rounded === 0) return;
    try {
      await this.redis.eval(ADJUST_TOKENS, 1, this.tokenKey(take.keyId, take.windowStart), rounded);
    } catch {
      // A correction lost to a Redis outage only leaves the minute's count as it was taken.
    }
  }
}
