/**
 * The body of an upstream answer, fed by undici's dispatch callbacks and read by the gateway one
 * chunk at a time. A plain queue instead of a Node Readable: no stream machinery per request, and
 * backpressure is explicit (the upstream is paused while more than HIGH_WATER_BYTES wait unread).
 */

/** Unread bytes above which the upstream connection is paused until the reader catches up. */
const HIGH_WATER_BYTES = 64 * 1024;

/** What the body needs from the exchange that feeds it. */
export interface BodyFlow {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

export class UpstreamBody implements AsyncIterableIterator<Buffer> {
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private paused = false;
  private waiter: { resolve: (result: IteratorResult<Buffer>) => void; reject: (err: Error) => void } | undefined;

  constructor(private readonly flow: BodyFlow) {}

  /** From the exchange: a chunk arrived. */
  push(chunk: Buffer): void {
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter.resolve({ done: false, value: chunk });
      return;
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (!this.paused && this.queuedBytes > HIGH_WATER_BYTES) {
      this.paused = true;
      this.flow.pause();
    }
  }

  /** From the exchange: the body is complete. */
  end(): void {
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve({ done: true, value: undefined });
  }

  /** From the exchange: the connection failed (reset, timeout, abort). */
  fail(err: Error): void {
    if (this.ended || this.failure !== undefined) return;
    this.failure = err;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(err);
  }

  next(): Promise<IteratorResult<Buffer>> {
    const chunk = this.queue.shift();
    if (chunk !== undefined) {
      this.queuedBytes -= chunk.length;
      if (this.paused && this.queuedBytes <= HIGH_WATER_BYTES / 2) {
        this.paused = false;
        this.flow.resume();
      }
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Leaving a for-await loop early gives the body up. */
  return(): Promise<IteratorResult<Buffer>> {
    this.destroy();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Gives the rest of the body up: the upstream request is aborted and its connection closed. */
  destroy(): void {
    if (this.ended || this.failure !== undefined) return;
    this.queue.length = 0;
    this.queuedBytes = 0;
    const reason = new Error('The upstream body was given up.');
    this.fail(reason);
    this.flow.abort(reason);
  }
}
