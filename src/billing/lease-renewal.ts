/**
 * Keeps the leases of a replica's spend reservations alive. A reservation expires `leaseMs` after
 * it was taken or last renewed, so the reservations of a replica that died stop holding a key's
 * cap within one lease; a live replica renews those it holds (requests in flight, settlements not
 * yet landed) every third of a lease, so two renewals may fail before one lapses.
 */

/** A reservation is renewed for at most this long (longer than any request, streams included). */
const MAX_HOLD_MS = 60 * 60_000;

export class LeaseRenewal<T> {
  private readonly held = new Map<string, { item: T; since: number }>();
  private readonly timer: NodeJS.Timeout;
  private renewing = false;

  constructor(
    /** Extends the leases of these reservations to `expiresAt` (epoch ms). */
    private readonly renew: (held: ReadonlyMap<string, T>, expiresAt: number) => Promise<void>,
    readonly leaseMs: number,
  ) {
    this.timer = setInterval(() => void this.renewNow(), Math.max(1, Math.floor(leaseMs / 3)));
    this.timer.unref();
  }

  /** When a reservation taken now expires. */
  expiry(now = Date.now()): number {
    return now + this.leaseMs;
  }

  hold(id: string, item: T): void {
    this.held.set(id, { item, since: Date.now() });
  }

  drop(id: string): void {
    this.held.delete(id);
  }

  get size(): number {
    return this.held.size;
  }

  /** Renews every held lease now (the timer calls this); a failure leaves them to the next turn. */
  async renewNow(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    try {
      const now = Date.now();
      const batch = new Map<string, T>();
      for (const [id, { item, since }] of this.held) {
        if (now - since > MAX_HOLD_MS) this.held.delete(id);
        else batch.set(id, item);
      }
      if (batch.size > 0) await this.renew(batch, this.expiry(now));
    } catch {
      // The dependency is down: the leases keep their expiry, and the next turn tries again.
    } finally {
      this.renewing = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
