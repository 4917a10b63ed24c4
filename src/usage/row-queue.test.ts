import { describe, expect, it } from 'vitest';
import { RowQueue } from './row-queue.js';
import type { UsageRow } from './usage-recorder.js';

/** A row whose every column differs from the same column of row `i - 1`. */
function row(i: number, overrides: Partial<UsageRow> = {}): UsageRow {
  return {
    id: `req_abcdefgh${i.toString(36)}`,
    created_at: 1_764_900_000_000 + i,
    user_id: `usr_${i % 3}`,
    key_id: `key_${i % 5}`,
    model_requested: `openai/gpt-4o-mini-${i % 7}`,
    model_served: i % 4 === 0 ? null : `gpt-4o-mini-${i % 7}`,
    provider: i % 4 === 0 ? null : 'openai',
    status: i % 4 === 0 ? 502 : 200,
    error_code: i % 4 === 0 ? 'upstream_error' : null,
    prompt_tokens: 10 * i,
    completion_tokens: 20 * i + 1,
    cached_tokens: i % 2,
    cache_write_tokens: i % 3,
    reasoning_tokens: i % 11,
    cost_nano_usd: 123_456_789_012 + i,
    latency_ms: i % 997,
    ttft_ms: i % 2 === 0 ? null : i % 50,
    stream: i % 2,
    attempts: 1 + (i % 3),
    endpoint: i % 2 === 0 ? 'chat.completions' : 'messages',
    pool_key_id: i % 6 === 0 ? null : `pk_${i % 2}`,
    unpriced: i % 9 === 0 ? 1 : 0,
    error_message: i % 4 === 0 ? `The upstream answered 502 — «${i}» ✓ 😀` : null,
    detail: `{"a":[["openai/gpt-4o-mini","openai",null,200,${i}]]}`,
    ...overrides,
  };
}

describe('RowQueue', () => {
  it('gives back every column of every row as queued, oldest first, with its reservation and period', () => {
    const queue = new RowQueue();
    const rows = Array.from({ length: 300 }, (_, i) => row(i));
    rows.forEach((r, i) => queue.push(r, i % 3 === 0 ? `res_${i}` : undefined, i % 5 === 0 ? 0 : 1_764_547_200_000 + i));
    expect(queue.length).toBe(300);

    const first = queue.take(120);
    const rest = queue.take(1000);
    expect(queue.length).toBe(0);
    const all = [...first.rows, ...rest.rows];
    expect(all).toEqual(rows);
    // The decoded rows have the columns in the same order as the queued ones (one object shape).
    expect(Object.keys(all[7] as UsageRow)).toEqual(Object.keys(rows[7] as UsageRow));
    expect([...first.reservations, ...rest.reservations]).toEqual(rows.map((_, i) => (i % 3 === 0 ? `res_${i}` : undefined)));
    expect([...first.periods, ...rest.periods]).toEqual(rows.map((_, i) => (i % 5 === 0 ? 0 : 1_764_547_200_000 + i)));
  });

  it('keeps more distinct texts than it shares, and rows larger than its first buffer, exactly', () => {
    const queue = new RowQueue();
    // 5,000 distinct model names (past the shared table's 4,096) and a 200 KB error message.
    const rows = Array.from({ length: 5000 }, (_, i) => row(i, { model_requested: `custom/model-${i}` }));
    rows[4321] = row(4321, { error_message: 'é'.repeat(100_000) });
    for (const r of rows) queue.push(r, undefined, 0);
    expect(queue.take(5000).rows).toEqual(rows);
  });

  it('reuses its buffer as rows come and go, keeping their order across the move', () => {
    const queue = new RowQueue();
    const expected: UsageRow[] = [];
    const got: UsageRow[] = [];
    let next = 0;
    // Always ~200 rows waiting: the tail reaches the buffer's end while rows wait at the front.
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 60; i++) {
        const r = row(next++);
        expected.push(r);
        queue.push(r, undefined, 0);
      }
      if (round > 3) got.push(...queue.take(60).rows);
    }
    got.push(...queue.take(queue.length).rows);
    expect(got).toEqual(expected);
  });

  it('puts rows of a failed write back in front, as the same objects, and drops the oldest first', () => {
    const queue = new RowQueue();
    for (let i = 0; i < 10; i++) queue.push(row(i), `res_${i}`, 0);
    const taken = queue.take(4);
    expect(taken.retry).toBe(false);
    queue.push(row(10), 'res_10', 0);
    queue.putBack(taken);
    expect(queue.length).toBe(11);

    const again = queue.take(2);
    expect(again.rows[0]).toBe(taken.rows[0]);
    expect(again.rows[1]).toBe(taken.rows[1]);
    // A write that takes rows of a failed one is a retry (it asks which rows it inserted).
    expect(again.retry).toBe(true);
    // Dropping takes the two returned rows left, then the oldest encoded ones.
    expect(queue.drop(4)).toEqual(['res_2', 'res_3', 'res_4', 'res_5']);
    const rest = queue.take(100);
    expect(rest.rows).toEqual([6, 7, 8, 9, 10].map((i) => row(i)));
    expect(rest.retry).toBe(false);
    expect(queue.take(1).rows).toEqual([]);
  });
});
