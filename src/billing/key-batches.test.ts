import { describe, expect, it } from 'vitest';
import { KeyBatches } from './key-batches.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('KeyBatches', () => {
  it('runs one job per key at a time, each taking what queued meanwhile, at most maxItems', async () => {
    const jobs: Array<{ key: string; items: readonly number[] }> = [];
    let running = 0;
    let most = 0;
    const batches = new KeyBatches<string, number, number>(async (key, items) => {
      jobs.push({ key, items });
      running += 1;
      most = Math.max(most, running);
      await tick();
      running -= 1;
      return items.map((i) => i * 10);
    }, 3);
    const results = Promise.all([
      ...[1, 2, 3, 4, 5].map((i) => batches.run('a', 'a', i)),
      ...[6, 7].map((i) => batches.run('b', 'b', i)),
    ]);
    expect(await results).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(jobs).toEqual([
      { key: 'a', items: [1] },
      { key: 'b', items: [6] },
      { key: 'a', items: [2, 3, 4] },
      { key: 'b', items: [7] },
      { key: 'a', items: [5] },
    ]);
    expect(most).toBe(2); // one per key
  });

  it("rejects a failed job's items only, and goes on with the next batch", async () => {
    const batches = new KeyBatches<string, number, number>(async (_key, items) => {
      await tick();
      if (items.includes(2)) throw new Error('database gone');
      return items;
    }, 2);
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => batches.run('k', 'k', i)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'failed'))).toEqual([1, 'failed', 'failed', 4, 5]);
  });
});
