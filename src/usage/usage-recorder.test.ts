import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../store/database.js';
import { FaultProxy } from '../../test/faults/fault-proxy.js';
import { createTestDatabase } from '../../test/helpers/harness.js';
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
    cache_write_tokens: i % 4,
    reasoning_tokens: i % 3,
    cost_nano_usd: 1000 + i,
    latency_ms: 3,
    ttft_ms: i % 2 === 0 ? null : 1,
    stream: i % 2,
    attempts: 1,
    endpoint: i % 2 === 0 ? 'chat.completions' : 'embeddings',
    pool_key_id: i % 3 === 0 ? null : `pky_${i}`,
    unpriced: i % 7 === 0 ? 1 : 0,
    error_message: i % 5 === 0 ? 'Upstream provider returned 502' : null,
    detail: i % 2 === 0 ? null : '{"a":[["openai/m","openai",null,200,null,3]]}',
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

  it('drops the oldest rows past its bound, counts them, and keeps the rest', async () => {
    const closedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-usage-closed-'));
    const closed = await openStore({ dataDir: closedDir, databaseUrl: undefined });
    await closed.close();
    const errors: number[] = [];
    const dropped: Array<[number, string]> = [];
    const done: string[] = [];
    const failing = new UsageRecorder({
      db: closed.db,
      flushIntervalMs: 60_000,
      maxPending: 100,
      onError: (_err, pending) => errors.push(pending),
      onDropped: (rows, reason) => dropped.push([rows, reason]),
      onReservationsDone: (ids) => done.push(...ids),
    });
    failing.record(row(2000), 'res_first');
    await failing.flush();
    // The failed write kept its row; told once (further failures within 10 s are not repeated).
    expect(errors).toEqual([1]);
    for (let i = 1; i <= 100; i++) failing.record(row(2000 + i));
    // 101 rows: the oldest go, a hundredth of the bound at a time.
    expect(dropped).toEqual([[1, 'memory']]);
    expect(done).toEqual(['res_first']);
    expect(failing.pending).toBe(100);
    await failing.flush();
    expect(errors).toEqual([1]);
    expect(await failing.close()).toBe(100);
    expect(dropped).toEqual([
      [1, 'memory'],
      [100, 'shutdown'],
    ]);
    fs.rmSync(closedDir, { recursive: true, force: true });
  });

  it('lets the event loop run between the statements of a SQLite write (better-sqlite3 blocks the thread while a statement runs)', async () => {
    const recorder = new UsageRecorder({ db: store.db, flushIntervalMs: 60_000, onError: (err) => expect.fail(String(err)) });
    // 640 rows: ten INSERTs of 64, then the rollups.
    for (let i = 0; i < 640; i++) recorder.record({ ...row(50_000 + i), id: `req_turns${i}`, user_id: 'usr_turns' });
    let turns = 0;
    let done = false;
    const tick = (): void => {
      if (done) return;
      turns += 1;
      setImmediate(tick);
    };
    setImmediate(tick);
    await recorder.flush();
    done = true;
    await recorder.close();
    // One turn before the write, one between each pair of INSERTs, one before the rollups.
    expect(turns).toBeGreaterThanOrEqual(11);
  });
});

describe.each(['sqlite', 'postgres'] as const)('UsageRecorder on %s', (dialect) => {
  let target: Store;
  let drop: (() => Promise<void>) | undefined;
  let targetDir: string;

  beforeAll(async () => {
    targetDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-usage-idem-'));
    let databaseUrl: string | undefined;
    if (dialect === 'postgres') {
      const database = await createTestDatabase();
      databaseUrl = database.url;
      drop = database.drop;
    }
    target = await openStore({ dataDir: targetDir, databaseUrl });
    await migrate(target);
    await addKey(target, 'key_1');
  });

  afterAll(async () => {
    await target.close();
    await drop?.();
    fs.rmSync(targetDir, { recursive: true, force: true });
  });

  it('writes a retried batch of rows already stored as a no-op: no duplicate, no spend added twice', async () => {
    const errors: unknown[] = [];
    const recorder = new UsageRecorder({ db: target.db, flushIntervalMs: 60_000, onError: (err) => errors.push(err) });
    const rows = [row(1), row(2)];
    for (const r of rows) recorder.record(r);
    await recorder.flush();
    // The same rows again (a COMMIT whose reply was lost), with a new one among them.
    for (const r of [...rows, row(3)]) recorder.record(r);
    await recorder.close();
    const stored = await target.db.selectFrom('usage').select('id').orderBy('id').execute();
    expect(stored.map((r) => r.id)).toEqual(['req_test1', 'req_test2', 'req_test3']);
    expect(await spent(target, 'key_1')).toBe(row(1).cost_nano_usd + row(2).cost_nano_usd + row(3).cost_nano_usd);
    // Meeting stored rows is not a database failure: written again at once, nothing reported.
    expect(errors).toEqual([]);
    expect(recorder.pending).toBe(0);
  });

  it('deletes the spend reservations its rows settle, in the transaction that adds their spend', async () => {
    await target.db
      .insertInto('spend_reservations')
      .values([
        { id: 'res_a', key_id: 'key_1', amount_nano_usd: 5000, expires_at: Date.now() + 30_000 },
        { id: 'res_b', key_id: 'key_1', amount_nano_usd: 5000, expires_at: Date.now() + 30_000 },
      ])
      .execute();
    const done: string[] = [];
    const recorder = new UsageRecorder({
      db: target.db,
      flushIntervalMs: 60_000,
      onError: () => {},
      onReservationsDone: (ids) => done.push(...ids),
    });
    const before = await spent(target, 'key_1');
    recorder.record(row(10), 'res_a');
    recorder.record(row(11));
    await recorder.close();
    const left = await target.db.selectFrom('spend_reservations').select('id').execute();
    expect(left.map((r) => r.id)).toEqual(['res_b']);
    expect(done).toEqual(['res_a']);
    expect((await spent(target, 'key_1')) - before).toBe(row(10).cost_nano_usd + row(11).cost_nano_usd);
  });
});

describe('UsageRecorder on a PostgreSQL that fails', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: FaultProxy;
  let direct: Store;
  let proxied: Store;
  let proxiedDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const url = new URL(database.url);
    proxy = await FaultProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
    proxiedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-usage-pg-'));
    direct = await openStore({ dataDir: proxiedDir, databaseUrl: database.url });
    await migrate(direct);
    await addKey(direct, 'key_1');
    proxied = await openStore({
      dataDir: proxiedDir,
      databaseUrl: proxy.rewrite(database.url),
      deadlines: { connectMs: 300, queryMs: 300 },
    });
  });

  afterAll(async () => {
    await proxied.close();
    await direct.close();
    await proxy.close();
    await database.drop();
    fs.rmSync(proxiedDir, { recursive: true, force: true });
  });

  const ids = async (): Promise<string[]> =>
    (await direct.db.selectFrom('usage').select('id').orderBy('id').execute()).map((r) => r.id);

  it('writes once, after a COMMIT whose reply was lost, and every later batch still', async () => {
    const errors: unknown[] = [];
    const recorder = new UsageRecorder({ db: proxied.db, flushIntervalMs: 60_000, onError: (err) => errors.push(err) });
    // The COMMIT reaches the server; its reply never comes back to this connection.
    proxy.tap = (direction, chunk) => {
      if (direction === 'requests' && chunk.includes('commit')) {
        proxy.tap = undefined;
        proxy.cut('replies');
      }
    };
    recorder.record(row(100));
    recorder.record(row(101));
    await recorder.flush();
    expect(errors).toHaveLength(1);
    expect(recorder.pending).toBe(2);
    proxy.heal();
    // Committed after all: the retry must neither fail on the duplicate key nor add the spend again.
    expect(await ids()).toEqual(['req_test100', 'req_test101']);
    const before = await spent(direct, 'key_1');
    recorder.record(row(102));
    await recorder.flush();
    expect(recorder.pending).toBe(0);
    recorder.record(row(103));
    await recorder.close();
    expect(await ids()).toEqual(['req_test100', 'req_test101', 'req_test102', 'req_test103']);
    expect((await spent(direct, 'key_1')) - before).toBe(row(102).cost_nano_usd + row(103).cost_nano_usd);
  });

  it('close() keeps retrying while the database is away, until written or the deadline', async () => {
    const recorder = new UsageRecorder({ db: proxied.db, flushIntervalMs: 60_000, onError: () => {} });
    proxy.blackhole();
    recorder.record(row(200));
    setTimeout(() => proxy.heal(), 1200).unref();
    const start = Date.now();
    expect(await recorder.close(Date.now() + 5000)).toBe(0);
    expect(Date.now() - start).toBeGreaterThanOrEqual(1000);
    expect(await ids()).toContain('req_test200');

    const dropped: number[] = [];
    const late = new UsageRecorder({
      db: proxied.db,
      flushIntervalMs: 60_000,
      onError: () => {},
      onDropped: (rows) => dropped.push(rows),
    });
    proxy.reset();
    late.record(row(201));
    const lateStart = Date.now();
    expect(await late.close(Date.now() + 1000)).toBe(1);
    // Gives up at its deadline (with room for a loaded machine), not after the outage.
    expect(Date.now() - lateStart).toBeLessThan(2500);
    expect(dropped).toEqual([1]);
    proxy.heal();
  });
});

async function addKey(target: Store, keyId: string): Promise<void> {
  const now = Date.now();
  await target.db
    .insertInto('users')
    .values({ id: `usr_${keyId}`, email: `${keyId}@example.com`, password_hash: 'x', role: 'member', created_at: now })
    .execute();
  await target.db
    .insertInto('api_keys')
    .values({
      id: keyId,
      user_id: `usr_${keyId}`,
      name: keyId,
      key_hash: `hash_${keyId}`,
      key_hint: 'zai-…',
      allowed_models: '[]',
      spend_cap_nano_usd: null,
      spent_nano_usd: 0,
      fallback_model: null,
      created_at: now,
      updated_at: now,
      revoked_at: null,
      last_used_at: null,
      rate_limit_rpm: null,
      budget_period: 'total',
    })
    .execute();
}

async function spent(target: Store, keyId: string): Promise<number> {
  const key = await target.db.selectFrom('api_keys').select('spent_nano_usd').where('id', '=', keyId).executeTakeFirstOrThrow();
  return key.spent_nano_usd;
}
