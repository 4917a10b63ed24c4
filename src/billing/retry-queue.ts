/**
 * Work that must land eventually, such as a settlement or a release that failed because Redis or
 * PostgreSQL did not answer: kept by id and retried every `intervalMs` until it succeeds. Each
 * attempt must be idempotent (the first one may have landed with its reply lost).
 */
export class RetryQueue<T> {
  private readonly items = new Map<string, T>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly attempt: (id: string, item: T) => Promise<void>,
    private readonly intervalMs = 1000,
  ) {}

  get size(): number {
    return this.items.size;
  }

  /** Queues (or replaces) the work for `id`; the first retry is one interval away. */
  add(id: string, item: T): void {
    this.items.set(id, item);
    this.schedule();
  }

  /** Tries everything queued, oldest first, stopping at the first failure (the dependency is still down). */
  retryNow(): Promise<void> {
    this.running ??= (async () => {
      try {
        for (const [id, item] of [...this.items]) {
          try {
            await this.attempt(id, item);
          } catch {
            break;
          }
          if (this.items.get(id) === item) this.items.delete(id);
        }
      } finally {
        this.running = undefined;
        this.schedule();
      }
    })();
    return this.running;
  }

  /** Stops the timer and retries until everything landed or `deadline` (epoch ms); returns what is left. */
  async close(deadline: number): Promise<number> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.retryNow();
    while (this.items.size > 0 && Date.now() + this.intervalMs / 4 < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.intervalMs / 4, deadline - Date.now())));
      await this.retryNow();
    }
    return this.items.size;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined || this.items.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.retryNow();
    }, this.intervalMs);
    this.timer.unref();
  }
}
