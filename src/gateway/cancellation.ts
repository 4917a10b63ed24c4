/**
 * "Stop: nobody wants this answer any more" — the client disconnected, or a deadline passed.
 * A plain object rather than an AbortController: see docs/performance.md, "No AbortController per request".
 */
export class Cancellation {
  private abortedFlag = false;
  private listeners: Array<() => void> | undefined;

  /** A cancellation that aborts by itself after `ms` (the timer does not keep the process alive). */
  static after(ms: number): Cancellation {
    const cancellation = new Cancellation();
    setTimeout(() => cancellation.abort(), ms).unref();
    return cancellation;
  }

  get aborted(): boolean {
    return this.abortedFlag;
  }

  /** Calls `listener` once on abort (at once if already aborted); returns the way to stop listening. */
  onAbort(listener: () => void): () => void {
    if (this.abortedFlag) {
      listener();
      return noop;
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const listeners = this.listeners;
      const at = listeners === undefined ? -1 : listeners.indexOf(listener);
      if (at >= 0) listeners?.splice(at, 1);
    };
  }

  abort(): void {
    if (this.abortedFlag) return;
    this.abortedFlag = true;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }
}

function noop(): void {}
