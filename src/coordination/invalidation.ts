/**
 * Cache invalidation messages. Each replica caches gateway keys and provider credentials in
 * memory; a change published here drops the cached entry on this replica at once and, with Redis
 * configured, on every other replica through pub/sub.
 */
export type InvalidationMessage =
  | { kind: 'api-key'; keyHash: string }
  | { kind: 'providers'; userId: string }
  | { kind: 'prices'; userId: string }
  /** Drop every cache (after a lost connection to the other replicas). */
  | { kind: 'all' };

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
