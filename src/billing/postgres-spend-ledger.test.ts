/**
 * The PostgreSQL ledger against a real PostgreSQL, through a fault proxy: leases of a replica that
 * stops renewing lapse, a live one's are renewed, a hung database answers 503 within the deadline,
 * a reservation whose COMMIT reply was lost is given back once the database answers, and a burst
 * of one key's requests on two replicas is answered within the pool's deadlines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../test/faults/fault-proxy.js';
import { createTestDatabase } from '../../test/helpers/harness.js';
import { GatewayError } from '../errors.js';
import { migrate, openStore, type Store } from '../store/database.js';
import { PostgresSpendLedger } from './postgres-spend-ledger.js';
import type { CapSubject } from './spend-ledger.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let proxy: FaultProxy;
let direct: Store;
let proxied: Store;
let dir: string;
const ledgers: PostgresSpendLedger[] = [];
let keyCount = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  const url = new URL(database.url);
  proxy = await FaultProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-pgledger-'));
  direct = await openStore({ dataDir: dir, databaseUrl: database.url });
  await migrate(direct);
  await direct.db
    .insertInto('users')
    .values({ id: 'usr_1', email: 'l@example.com', password_hash: 'x', role: 'member', created_at: Date.now() })
    .execute();
  proxied = await openStore({
    dataDir: dir,
    databaseUrl: proxy.rewrite(database.url),
    deadlines: { connectMs: 300, queryMs: 300 },
  });
});

afterEach(async () => {
  proxy.tap = undefined;
  proxy.heal();
  await Promise.all(ledgers.splice(0).map((l) => l.close(0)));
});

afterAll(async () => {
  await proxied.close();
  await direct.close();
  await proxy.close();
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function ledger(store: Store, leaseMs = 30_000): PostgresSpendLedger {
  const l = new PostgresSpendLedger(store.db, { leaseMs, deadlineMs: 450, retryIntervalMs: 100 });
  ledgers.push(l);
  return l;
}

async function subject(cap = 10_000): Promise<CapSubject> {
  keyCount += 1;
  const id = `key_${keyCount}`;
  const now = Date.now();
  await direct.db
    .insertInto('api_keys')
    .values({
      id,
      user_id: 'usr_1',
      name: id,
      key_hash: `hash_${id}`,
      key_hint: 'zai-…',
      allowed_models: '[]',
      spend_cap_nano_usd: cap,
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
  return { keyId: id, capNanoUsd: cap, spentNanoUsd: 0 };
}

const held = async (s: CapSubject): Promise<number> =>
  (await direct.db.selectFrom('spend_reservations').select('amount_nano_usd').where('key_id', '=', s.keyId).execute()).reduce(
    (sum, r) => sum + r.amount_nano_usd,
    0,
  );

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await sleep(20);
  }
  return Date.now() - start;
}

async function refused(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    if (err instanceof GatewayError) return err.code ?? '';
    throw err;
  }
  return 'none';
}

describe('PostgresSpendLedger', () => {
  it("lets a stopped replica's reservations lapse within one lease, renews a live one's", async () => {
    const s = await subject();
    const live = ledger(direct, 600);
    await live.reserve(s, 6000);
    const dead = ledger(direct, 600);
    await dead.reserve(s, 4000);
    await dead.close(0);
    const other = ledger(direct);
    const waited = await until(async () => (await refused(() => other.reserve(s, 4000))) === 'none', 2000);
    expect(waited).toBeGreaterThan(300);
    await sleep(1000);
    expect(await refused(() => other.reserve(s, 1))).toBe('spend_cap_reached');
    expect(await held(s)).toBe(10_000);
  });

  it('answers 503 storage_unavailable within its deadline while the database hangs', async () => {
    const s = await subject();
    const l = ledger(proxied);
    await l.reserve(s, 1000);
    proxy.blackhole();
    const start = Date.now();
    expect(await refused(() => l.reserve(s, 1000))).toBe('storage_unavailable');
    expect(Date.now() - start).toBeLessThan(700);
    proxy.heal();
    await l.reserve(s, 1000);
  });

  it('gives back a reservation whose COMMIT reply was lost, once the database answers', async () => {
    const s = await subject();
    const l = ledger(proxied);
    proxy.tap = (direction, chunk) => {
      if (direction === 'requests' && chunk.includes('commit')) {
        proxy.tap = undefined;
        proxy.cut('replies');
      }
    };
    expect(await refused(() => l.reserve(s, 7000))).toBe('storage_unavailable');
    expect(await held(s)).toBe(7000);
    proxy.heal();
    // Deleted, and no longer queued.
    await until(async () => (await held(s)) === 0 && l.unsettled === 0, 3000);
  });

  it('a release that cannot reach the database is retried', async () => {
    const s = await subject();
    const l = ledger(proxied);
    const reservation = await l.reserve(s, 5000);
    proxy.reset();
    await reservation.release();
    expect(l.unsettled).toBe(1);
    expect(await held(s)).toBe(5000);
    proxy.heal();
    await until(async () => (await held(s)) === 0, 3000);
  });

  it("answers a burst of one key's reservations on two replicas within the deadlines, never past the cap, and other keys meanwhile", async () => {
    // Deadlines of 300 ms on a pool of ten connections per replica: 300 transactions queued one
    // by one on the key's row would outlast them, and hold every connection another key needs.
    const replica = await openStore({ dataDir: dir, databaseUrl: database.url, deadlines: { connectMs: 300, queryMs: 300 } });
    try {
      const s = await subject(100_000);
      const other = await subject();
      const ledgers = [ledger(proxied), ledger(replica)];
      const burst = Array.from({ length: 300 }, (_, i) => refused(() => ledgers[i % 2]!.reserve(s, 1000)));
      const start = Date.now();
      expect(await refused(() => ledgers[0]!.reserve(other, 1000))).toBe('none');
      expect(Date.now() - start).toBeLessThan(300);
      const outcomes = await Promise.all(burst);
      expect(outcomes.filter((o) => o === 'none')).toHaveLength(100);
      expect(outcomes.filter((o) => o !== 'none').every((o) => o === 'spend_cap_reached')).toBe(true);
      expect(await held(s)).toBe(100_000);
    } finally {
      await replica.close();
    }
  });
});
