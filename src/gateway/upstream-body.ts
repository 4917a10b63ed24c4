/**
 * The body of an upstream answer, fed by undici's dispatch callbacks and read by the gateway. A
 * plain queue instead of a Node Readable: no stream machinery per request, and backpressure is
 * explicit (the upstream is paused while more than HIGH_WATER_BYTES wait unread).
 *
 * A read returns everything that has arrived, as one buffer. undici hands over a chunked body one
 * chunk at a time, and an SSE upstream writes each event as its own chunk, so a single socket read
 * often carries twenty events: delivered one by one they would cost twenty trips through the
 * relay and twenty writes to the client for bytes that all arrived together. So a waiting read is
 * settled in a microtask, after the socket read that woke it has been parsed whole. Nothing is
 * held back: every byte goes to the reader at the first moment it could run.
 */

/** Unread bytes above which the upstream connection is paused until the reader catches up. */
const HIGH_WATER_BYTES = 64 * 1024;

/** What the body needs from the exchange that feeds it. */
export interface BodyFlow {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

interface Waiter {
  resolve: (result: IteratorResult<Buffer>) => void;
  reject: (err: Error) => void;
}

const DONE: IteratorResult<Buffer> = Object.freeze({ done: true, value: undefined });

export class UpstreamBody implements AsyncIterableIterator<Buffer> {
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private paused = false;
  private waiter: Waiter | undefined;
  /** A microtask will settle the waiting read. */
  private wakeScheduled = false;

  constructor(private readonly flow: BodyFlow) {}

  /** From the exchange: a chunk arrived. */
  push(chunk: Buffer): void {
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.waiter !== undefined) this.wake();
    else if (!this.paused && this.queuedBytes > HIGH_WATER_BYTES) {
      this.paused = true;
      this.flow.pause();
    }
  }

  /** From the exchange: the body is complete. */
  end(): void {
    this.ended = true;
    if (this.waiter !== undefined) this.wake();
  }

  /** From the exchange: the connection failed (reset, timeout, abort). What arrived before is still read first. */
  fail(err: Error): void {
    if (this.ended || this.failure !== undefined) return;
    this.failure = err;
    if (this.waiter !== undefined) this.wake();
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.queue.length > 0) return Promise.resolve({ done: false, value: this.take() });
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Leaving a for-await loop early gives the body up. */
  return(): Promise<IteratorResult<Buffer>> {
    this.destroy();
    return Promise.resolve(DONE);
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

  /** Everything queued, as one buffer; the upstream resumes if it was paused. */
  private take(): Buffer {
    const { queue } = this;
    const chunk = queue.length === 1 ? (queue[0] as Buffer) : Buffer.concat(queue, this.queuedBytes);
    queue.length = 0;
    this.queuedBytes = 0;
    if (this.paused) {
      this.paused = false;
      this.flow.resume();
    }
    return chunk;
  }

  private wake(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    queueMicrotask(this.settleWaiter);
  }

  private readonly settleWaiter = (): void => {
    this.wakeScheduled = false;
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.waiter = undefined;
    if (this.queue.length > 0) waiter.resolve({ done: false, value: this.take() });
    else if (this.failure !== undefined) waiter.reject(this.failure);
    else if (this.ended) waiter.resolve(DONE);
    else this.waiter = waiter;
  };
}
