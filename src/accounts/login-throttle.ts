/**
 * Login throttling: after too many failures for one email or one client address within a window,
 * further attempts answer 429 until the window passes. In-process here; the Redis implementation
 * shares the counters between replicas.
 */
import { GatewayError } from '../errors.js';

export interface LoginThrottle {
  /** Throws 429 if any of the subjects is locked. */
  check(subjects: string[]): Promise<void>;
  fail(subjects: string[]): Promise<void>;
  succeed(subjects: string[]): Promise<void>;
}

export const THROTTLE_MAX_FAILURES = 10;
export const THROTTLE_WINDOW_MS = 15 * 60_000;

/** Failures allowed per subject: one client address may hold many users (an office behind NAT). */
export function failureLimit(subject: string, perEmail = THROTTLE_MAX_FAILURES): number {
  return subject.startsWith('ip:') ? perEmail * 5 : perEmail;
}

export function tooManyAttempts(retryAfterSec: number): GatewayError {
  return new GatewayError({
    status: 429,
    message: 'Too many failed login attempts. Try again later.',
    code: 'too_many_attempts',
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSec))) },
  });
}

/** Fixed-window failure counters in memory. */
export class MemoryLoginThrottle implements LoginThrottle {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>();

  constructor(
    private readonly maxFailures = THROTTLE_MAX_FAILURES,
    private readonly windowMs = THROTTLE_WINDOW_MS,
  ) {}

  async check(subjects: string[]): Promise<void> {
    const now = Date.now();
    for (const subject of subjects) {
      const w = this.windows.get(subject);
      if (w && w.resetAt > now && w.failures >= failureLimit(subject, this.maxFailures))
        throw tooManyAttempts((w.resetAt - now) / 1000);
    }
  }

  async fail(subjects: string[]): Promise<void> {
    const now = Date.now();
    if (this.windows.size > 100_000) this.sweep(now);
    for (const subject of subjects) {
      const w = this.windows.get(subject);
      if (!w || w.resetAt <= now) this.windows.set(subject, { failures: 1, resetAt: now + this.windowMs });
      else w.failures += 1;
    }
  }

  async succeed(subjects: string[]): Promise<void> {
    for (const subject of subjects) this.windows.delete(subject);
  }

  private sweep(now: number): void {
    for (const [subject, w] of this.windows) if (w.resetAt <= now) this.windows.delete(subject);
  }
}
