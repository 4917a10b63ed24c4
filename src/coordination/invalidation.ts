/**
 * Cache invalidation messages. Each replica caches gateway keys and provider credentials in
 * memory; a change published here drops the cached entry on this replica at once and, with Redis
 * configured, on every other replica through pub/sub. A pool key's health (cooling down after a
 * 429, failing after a 401) travels the same way, so every replica steps around it.
 */
export type InvalidationMessage =
  | { kind: 'pool-key'; keyId: string; health: PoolKeyHealth }
  | { kind: 'api-key'; keyHash: string }
  | { kind: 'providers'; userId: string }
  | { kind: 'prices'; userId: string }
  /** Drop every cache (after a lost connection to the other replicas). */
  | { kind: 'all' };

/** A pool key's health as the gateway last saw it: `until` and `since` are epoch milliseconds. */
export type PoolKeyHealth =
  { state: 'ok' } | { state: 'cooling_down'; until: number } | { state: 'failing'; status: number; error: string; since: number };

export interface InvalidationBus {
  publish(message: InvalidationMessage): void;
  subscribe(handler: (message: InvalidationMessage) => void): void;
  close(): Promise<void>;
}

/** One process: deliver synchronously to local subscribers. */
export class LocalInvalidationBus implements InvalidationBus {
  private readonly handlers: Array<(message: InvalidationMessage) => void> = [];

  publish(message: InvalidationMessage): void {
    for (const handler of this.handlers) handler(message);
  }

  subscribe(handler: (message: InvalidationMessage) => void): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {}
}
