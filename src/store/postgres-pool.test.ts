/**
 * PostgreSQL through a fault proxy: a connection that breaks while checked out does not crash the
 * process, a hung database fails queries within their deadline, and the pool recovers by itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../test/faults/fault-proxy.js';
import { createTestDatabase } from '../../test/helpers/harness.js';
import { openStore, type Store } from './database.js';
import { isStorageFailure } from './storage-error.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let proxy: FaultProxy;
let store: Store;
let dir: string;
const uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => void uncaught.push(err);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  db = await createTestDatabase();
  const url = new URL(db.url);
  proxy = await FaultProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-pgpool-'));
  store = await openStore({ dataDir: dir, databaseUrl: proxy.rewrite(db.url), deadlines: { connectMs: 300, queryMs: 300 } });
});

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await store.close();
  await proxy.close();
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const one = async (): Promise<number> => (await sql<{ n: number }>`select 1 as n`.execute(store.db)).rows[0]?.n ?? 0;

async function failure(run: () => Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const start = performance.now();
  try {
    await run();
  } catch (err) {
    return { err, ms: performance.now() - start };
  }
  throw new Error('expected a failure');
}

describe('PostgreSQL pool', () => {
  it('survives a reset of a connection that is checked out between two queries of a transaction', async () => {
    const result = await failure(() =>
      store.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        // Checked out, no query running: pg-pool's own error listener is not attached now.
        proxy.reset();
        await sleep(100);
        await sql`select 2`.execute(trx);
      }),
    );
    proxy.heal();
    expect(isStorageFailure(result.err)).toBe(true);
    expect(uncaught).toEqual([]);
    expect(await one()).toBe(1);
  });

  it('fails a query on a black-holed database within its deadline, and recovers once healed', async () => {
    expect(await one()).toBe(1);
    proxy.blackhole();
    // An idle pooled connection (query deadline), then a transaction (no second wait for its ROLLBACK).
    const query = await failure(one);
    const trx = await failure(() => store.db.transaction().execute(async (t) => sql`select 1`.execute(t)));
    proxy.heal();
    for (const { err, ms } of [query, trx]) {
      expect(isStorageFailure(err)).toBe(true);
      // A 300 ms deadline, with room for a loaded machine; without one, these would hang.
      expect(ms).toBeLessThan(1000);
    }
    const start = performance.now();
    expect(await one()).toBe(1);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(uncaught).toEqual([]);
  });

  it('fails to connect within the connect deadline while new connections hang', async () => {
    proxy.blackhole();
    // More than the pool holds, so that new connections are opened (and hang).
    const results = await Promise.all(Array.from({ length: 12 }, () => failure(one)));
    proxy.heal();
    for (const { err, ms } of results) {
      expect(isStorageFailure(err)).toBe(true);
      expect(ms).toBeLessThan(1500);
    }
    expect(await one()).toBe(1);
  });

  it('does not reuse a connection whose reply was cut: the next query gets a fresh one', async () => {
    proxy.cut('replies');
    const cut = await failure(one);
    expect(isStorageFailure(cut.err)).toBe(true);
    proxy.heal();
    // The cut connection's late reply must not be taken for the next query's.
    expect(await sql<{ n: number }>`select 7 as n`.execute(store.db)).toMatchObject({ rows: [{ n: 7 }] });
  });
});
