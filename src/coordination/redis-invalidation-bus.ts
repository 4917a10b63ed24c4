/**
 * Cache invalidation across replicas through Redis pub/sub: a change on one replica drops the
 * cached entry there at once and on every other replica as soon as the message arrives (well
 * under a second).
 *
 * Messages sent while this replica could not hear them are lost, so whenever the subscriber
 * (re)connects, every cache is dropped once the subscription is confirmed, and `synced()` stays
 * false until then: the gateway refuses requests (503) rather than serve them on authorisation
 * state that may be stale. A message this replica could not publish is kept and published again
 * once Redis answers (dropping a cache twice is harmless).
 */
import type { Redis } from 'ioredis';
import type { InvalidationBus, InvalidationMessage } from './invalidation.js';

/** Unpublished messages kept; past this they collapse into one "drop everything". */
const MAX_UNPUBLISHED = 1000;
const REPUBLISH_INTERVAL_MS = 1000;

export class RedisInvalidationBus implements InvalidationBus {
  private readonly handlers: Array<(message: InvalidationMessage) => void> = [];
  private readonly channel: string;
  private readonly origin = Math.random().toString(36).slice(2);
  private isSynced = false;
  /** Counts subscriber connections, so a sync that finishes after a newer drop is not trusted. */
  private connection = 0;
  private readonly unpublished = new Set<string>();
  private readonly republish: NodeJS.Timeout;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    prefix = 'zai:',
    /** Told when the subscriber's connection is lost (false) and when it is synced again (true). */
    private readonly onSyncChange: (synced: boolean) => void = () => {},
  ) {
    this.channel = `${prefix}invalidate`;
    subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      try {
        const { origin, message } = JSON.parse(text) as { origin: string; message: InvalidationMessage };
        if (origin !== this.origin) this.deliver(message);
      } catch {
        // Not ours: ignore.
      }
    });
    subscriber.on('close', () => {
      this.connection += 1;
      if (!this.isSynced) return;
      this.isSynced = false;
      this.onSyncChange(false);
    });
    subscriber.on('ready', () => void this.sync());
    if (subscriber.status === 'ready') void this.sync();
    this.republish = setInterval(() => void this.publishKept(), REPUBLISH_INTERVAL_MS);
    this.republish.unref();
  }

  /** True once this replica hears every invalidation and has dropped what it may have missed. */
  synced(): boolean {
    return this.isSynced;
  }

  publish(message: InvalidationMessage): void {
    this.deliver(message);
    this.send(JSON.stringify({ origin: this.origin, message }));
  }

  subscribe(handler: (message: InvalidationMessage) => void): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    clearInterval(this.republish);
    this.subscriber.disconnect();
  }

  private async sync(): Promise<void> {
    const connection = this.connection;
    try {
      // Confirmed on this connection: from here on no message is missed.
      await this.subscriber.subscribe(this.channel);
    } catch {
      return; // The connection dropped again; its next 'ready' syncs.
    }
    if (connection !== this.connection) return;
    this.deliver({ kind: 'all' });
    this.isSynced = true;
    this.onSyncChange(true);
  }

  private send(text: string): void {
    this.publisher.publish(this.channel, text).catch(() => {
      if (this.unpublished.size >= MAX_UNPUBLISHED) {
        this.unpublished.clear();
        this.unpublished.add(JSON.stringify({ origin: this.origin, message: { kind: 'all' } }));
      } else {
        this.unpublished.add(text);
      }
    });
  }

  private async publishKept(): Promise<void> {
    if (this.unpublished.size === 0 || this.publisher.status !== 'ready') return;
    for (const text of [...this.unpublished]) {
      this.unpublished.delete(text);
      this.send(text);
    }
  }

  private deliver(message: InvalidationMessage): void {
    for (const handler of this.handlers) handler(message);
  }
}
