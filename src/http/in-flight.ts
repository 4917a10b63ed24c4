import type { ServerResponse } from 'node:http';

/**
 * Counts requests from arrival until their response closes (finished or connection gone), for a
 * graceful shutdown that waits for in-flight requests and streams, not for idle sockets.
 */
export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];
  private readonly closed = (): void => {
    this.count -= 1;
    if (this.count === 0 && this.waiters.length > 0) for (const resolve of this.waiters.splice(0)) resolve();
  };

  track(res: ServerResponse): void {
    this.count += 1;
    res.once('close', this.closed);
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
