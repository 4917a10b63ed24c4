/**
 * Cache invalidation across replicas through Redis pub/sub: a change on one replica drops the
 * cached entry there at once and on every other replica as soon as the message arrives (well
 * under a second). After a lost connection every cache is dropped, since messages may have been
 * missed meanwhile.
 */
import type { Redis } from 'ioredis';
import type { InvalidationBus, InvalidationMessage } from './invalidation.js';

export class RedisInvalidationBus implements InvalidationBus {
  private readonly handlers: Array<(message: InvalidationMessage) => void> = [];
  private readonly channel: string;
  private readonly origin = Math.random().toString(36).slice(2);

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    prefix = 'zai:',
  ) {
    this.channel = `${prefix}invalidate`;
    void subscriber.subscribe(this.channel).catch(() => undefined);
    subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      try {
        const { origin, message } = JSON.parse(text) as { origin: string; message: InvalidationMessage };
        if (origin !== this.origin) this.deliver(message);
      } catch {
        // Not ours: ignore.
      }
    });
    // 'ready' after a reconnect: anything may have changed while we were deaf.
    let first = true;
    subscriber.on('ready', () => {
      if (first) {
        first = false;
        return;
      }
      this.deliver({ kind: 'all' });
    });
  }

  publish(message: InvalidationMessage): void {
    this.deliver(message);
    void this.publisher.publish(this.channel, JSON.stringify({ origin: this.origin, message })).catch(() => undefined);
  }

  subscribe(handler: (message: InvalidationMessage) => void): void {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
  }

  private deliver(message: InvalidationMessage): void {
    for (const handler of this.handlers) handler(message);
  }
}
