import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../store/database.js';
import { UsageRecorder, insertChunks, type UsageRow } from './usage-recorder.js';

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-usage-'));
  store = await openStore({ dataDir: dir, databaseUrl: undefined });
  await migrate(store);
});

afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function row(i: number): UsageRow {
  return {
    id: `req_test${i}`,
    created_at: 1_700_000_000_000 + i,
    user_id: 'usr_1',
    key_id: 'key_1',
    model_requested: 'openai/m',
    model_served: i % 2 === 0 ? 'openai/m' : null,
    provider: i % 3 === 0 ? null : 'openai',
    status: i % 5 === 0 ? 502 : 200,
    error_code: i % 5 === 0 ? 'upstream_error' : null,
    prompt_tokens: i,
    completion_tokens: i * 2,
    cached_tokens: 0,
    cost_nano_usd: 1000 + i,
    latency_ms: 3,
    ttft_ms: i % 2 === 0 ? null : 1,
    stream: i % 2,
    attempts: 1,
    endpoint: i % 2 === 0 ? 'chat.completions' : 'embeddings',
    pool_key_id: i % 3 === 0 ? null : `pky_${i}`,
  };
}

describe('UsageRecorder', () => {
  it('writes every row exactly once, with every column, across chunk sizes (cached INSERTs)', async () => {
    const errors: unknown[] = [];
    const recorder = new UsageRecorder({ db: store.db, flushIntervalMs: 60_000, onError: (err) => errors.push(err) });
    // 257 rows: four INSERTs of 64 and one of 1; then 3 (2 + 1) and 57 (32 + 16 + 8 + 1): cached text reused.
    const rows = Array.from({ length: 317 }, (_, i) => row(i));
    for (const r of rows.slice(0, 257)) recorder.record(r);
    await recorder.flush();
    for (const r of rows.slice(257, 260)) recorder.record(r);
    await recorder.flush();
    for (const r of rows.slice(260)) recorder.record(r);
    await recorder.close();
    expect(errors).toEqual([]);
    const stored = await store.db.selectFrom('usage').selectAll().orderBy('created_at').execute();
    expect(stored).toEqual(rows);
  });

  it('splits any batch into INSERTs of at most 64 rows, from only seven row counts', () => {
    const sizes = new Set<number>();
    for (let total = 0; total <= 2000; total++) {
      const chunks = insertChunks(total);
      expect(chunks.reduce((a, b) => a + b, 0)).toBe(total);
      for (const size of chunks) sizes.add(size);
      // Whole 64s first, then at most one of each smaller power of two.
      expect(chunks.length).toBeLessThanOrEqual(Math.floor(total / 64) + 6);
    }
    expect([...sizes].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64]);
  });

  it('tells the observer about every row once, in order, whether the write succeeds, fails or is retried', async () => {
    const observed: string[] = [];
    const recorder = new UsageRecorder({
      db: store.db,
      flushIntervalMs: 60_000,
      observe: (r) => observed.push(r.id),
      onError: () => {},
    });
    const rows = Array.from({ length: 5 }, (_, i) => row(1000 + i));
    for (const r of rows.slice(0, 3)) recorder.record(r);
    expect(observed).toEqual([]);
    // What /metrics calls before it renders: the rows are told about, not yet written.
    recorder.observePending();
    expect(observed).toEqual(rows.slice(0, 3).map((r) => r.id));
    expect(
      await store.db
        .selectFrom('usage')
        .select('id')
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute(),
    ).toEqual([]);
    for (const r of rows.slice(3)) recorder.record(r);
    await recorder.close();
    expect(observed).toEqual(rows.map((r) => r.id));
    const stored = await store.db
      .selectFrom('usage')
      .select('id')
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('created_at')
      .execute();
    expect(stored.map((r) => r.id)).toEqual(rows.map((r) => r.id));

    // A database that refuses the write: the rows are kept for the next attempt, and told about once.
    const closedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-usage-closed-'));
    const closed = await openStore({ dataDir: closedDir, databaseUrl: undefined });
    await closed.close();
    const failures: number[] = [];
    const seen: string[] = [];
    const failing = new UsageRecorder({
      db: closed.db,
      flushIntervalMs: 60_000,
      observe: (r) => seen.push(r.id),
      onError: (_err, n) => failures.push(n),
    });
    failing.record(row(2000));
    failing.record(row(2001));
    await failing.flush();
    failing.record(row(2002));
    await failing.close();
    expect(failures).toEqual([2, 3]);
    expect(seen).toEqual(['req_test2000', 'req_test2001', 'req_test2002']);
    fs.rmSync(closedDir, { recursive: true, force: true });
  });
});
