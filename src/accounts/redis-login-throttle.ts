/**
 * Login throttling shared by every replica: fixed-window failure counters in Redis.
 */
import type { Redis } from 'ioredis';
import { coordinationUnavailable } from '../store/coordination-error.js';
import {
  THROTTLE_MAX_FAILURES,
  THROTTLE_WINDOW_MS,
  failureLimit,
  tooManyAttempts,
  type LoginThrottle,
} from './login-throttle.js';

export class RedisLoginThrottle implements LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'zai:',
  ) {}

  private key(subject: string): string {
    return `${this.prefix}login-failures:${subject}`;
  }

  async check(subjects: string[]): Promise<void> {
    let counts: Array<[Error | null, unknown]> | null;
    try {
      const pipeline = this.redis.pipeline();
      for (const subject of subjects) pipeline.get(this.key(subject)).pttl(this.key(subject));
      counts = await pipeline.exec();
    } catch (err) {
      throw coordinationUnavailable(err);
    }
    subjects.forEach((subject, i) => {
      const failures = Number(counts?.[i * 2]?.[1] ?? 0);
      const ttl = Number(counts?.[i * 2 + 1]?.[1] ?? 0);
      if (failures >= failureLimit(subject, THROTTLE_MAX_FAILURES)) throw tooManyAttempts(Math.max(1, ttl) / 1000);
    });
  }

  async fail(subjects: string[]): Promise<void> {
    try {
      const pipeline = this.redis.pipeline();
      for (const subject of subjects) pipeline.incr(this.key(subject)).pexpire(this.key(subject), THROTTLE_WINDOW_MS, 'NX');
      await pipeline.exec();
    } catch (err) {
      throw coordinationUnavailable(err);
    }
  }

  async succeed(subjects: string[]): Promise<void> {
    await this.redis.del(...subjects.map((s) => this.key(s))).catch(() => undefined);
  }
}
