/**
 * One job at a time per key, each job taking every item that arrived for its key meanwhile.
 *
 * The PostgreSQL ledger serialises a capped key's reservations on the key's row: a burst of one
 * key's requests would otherwise hold every pooled connection waiting on that one lock (starving
 * other keys), and each waiter would hold the lock in turn for a whole transaction. Batched, a
 * replica holds one connection per busy key and takes the lock once for all that queued.
 */
export type BatchJob<K, I, R> = (key: K, items: readonly I[]) => Promise<readonly R[]>;

interface Waiting<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export class KeyBatches<K, I, R> {
  private readonly queues = new Map<string, Array<Waiting<I, R>>>();

  /** `maxItems`: most items per job; the rest wait for the next one. */
  constructor(
    private readonly job: BatchJob<K, I, R>,
    private readonly maxItems: number,
  ) {}

  /**
   * The job's result for `item`; rejects with the job's error when the job fails. Items queue by
   * `name`; the job gets the `key` of whichever call found that queue empty.
   */
  run(name: string, key: K, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queue = this.queues.get(name);
      if (queue) {
        queue.push({ item, resolve, reject });
        return;
      }
      this.queues.set(name, [{ item, resolve, reject }]);
      void this.drain(name, key);
    });
  }

  private async drain(name: string, key: K): Promise<void> {
    for (;;) {
      const queue = this.queues.get(name);
      if (!queue || queue.length === 0) {
        this.queues.delete(name);
        return;
      }
      const batch = queue.splice(0, this.maxItems);
      try {
        const results = await this.job(
          key,
          batch.map((w) => w.item),
        );
        if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${results.length} results`);
        results.forEach((result, i) => batch[i]?.resolve(result));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
  }
}
