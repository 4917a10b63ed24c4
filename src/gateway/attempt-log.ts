/**
 * Every upstream try of one request, in order, for its usage row's details: the candidate loop
 * (`serveWithFallbacks`) opens a try per model and closes it with the attempt's outcome; the pool
 * (`sendPooled`) names the key of each call and closes the try with the provider's own status when
 * it answers with an error, so the next key's call is a try of its own. A try that got no answer
 * (timeout, refused connection) or failed after it is closed with the status the client would see.
 * Ids, statuses and timings only.
 */
import type { AttemptEntry } from '../usage/usage-detail.js';

/** Tries kept per request: the first ones and, in the last place, the latest (a 50-key pool retried down a fallback chain). */
export const MAX_LOGGED_ATTEMPTS = 32;

export class AttemptLog {
  readonly entries: AttemptEntry[] = [];
  private model = '';
  private provider: string | null = null;
  private poolKeyId: string | null = null;
  /** performance.now() when the open try started; -1 when none is open. */
  private started = -1;

  /** A try at a model starts. */
  begin(model: string, provider: string | null, now = performance.now()): void {
    this.model = model;
    this.provider = provider;
    this.poolKeyId = null;
    this.started = now;
  }

  /** A call goes out with this pool key: the open try's key, or, after a key was given up, a new try of the same model. */
  key(poolKeyId: string, now = performance.now()): void {
    if (this.started < 0) this.started = now;
    this.poolKeyId = poolKeyId;
  }

  /** The open try ended with this status (nothing when no try is open). */
  end(status: number, errorCode: string | null, now = performance.now()): void {
    if (this.started < 0) return;
    const entry: AttemptEntry = {
      model: this.model,
      provider: this.provider,
      poolKeyId: this.poolKeyId,
      status,
      errorCode,
      latencyMs: Math.round(now - this.started),
    };
    if (this.entries.length < MAX_LOGGED_ATTEMPTS) this.entries.push(entry);
    else this.entries[MAX_LOGGED_ATTEMPTS - 1] = entry;
    this.started = -1;
    this.poolKeyId = null;
  }
}
