/**
 * The usage writer's cost per row: `node --import tsx bench/usage-writer-cost.ts [--pg] [--keys N]`.
 *
 * Fills a fresh database with 200,000 rows (so its B-trees have a realistic depth), then writes
 * rows through the real UsageRecorder in batches of 1, 10, 100 and 500 (batches 250 ms apart in
 * row time, like the recorder's timer under load) and reports this process's CPU time and the
 * wall time per row, the median of five interleaved rounds. With --pg the database is a fresh
 * PostgreSQL database (ZAI_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test); its
 * server's CPU is then in the wall time, not in the CPU column. `--keys N` spreads the rows over
 * N keys (1 to 12; default 12): an index whose inserts land in many places costs more per row.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate, openStore, type Store } from '../src/store/database.js';
import { UsageRecorder } from '../src/usage/usage-recorder.js';
import { keyIds, rowFactory } from './usage-data.js';

const USER = 'usr_bench';
const usePg = process.argv.includes('--pg');
const keysArg = process.argv.indexOf('--keys');
const KEYS = keysArg < 0 ? undefined : Number(process.argv[keysArg + 1]);
if (KEYS !== undefined && !(Number.isInteger(KEYS) && KEYS >= 1 && KEYS <= keyIds(USER).length)) {
  throw new Error(`--keys: a whole number from 1 to ${keyIds(USER).length}`);
}
const PG_ADMIN_URL = process.env.ZAI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCH_SIZES = [1, 10, 100, 500];
const ROUNDS = 5;

async function pgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `zai_writer_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function seedAccount(store: Store): Promise<void> {
  const now = Date.now();
  await store.db
    .insertInto('users')
    .values({ id: USER, email: 'bench@example.com', password_hash: 'x', role: 'admin', created_at: now })
    .execute();
  await store.db
    .insertInto('api_keys')
    .values(
      keyIds(USER).map((id, i) => ({
        id,
        user_id: USER,
        name: `key ${i}`,
        key_hash: `hash_${id}`,
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
        budget_period: 'total' as const,
      })),
    )
    .execute();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const KEY_INDEX = new Map(keyIds(USER).map((id, i) => [id, i]));

/** The row on one of the first `--keys` keys. */
function onKeys<T extends { key_id: string }>(row: T): T {
  if (KEYS !== undefined) row.key_id = keyIds(USER)[(KEY_INDEX.get(row.key_id) ?? 0) % KEYS] as string;
  return row;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-writer-cost-'));
  const database = usePg ? await pgDatabase() : undefined;
  const store = await openStore({ dataDir: dir, databaseUrl: database?.url });
  try {
    await migrate(store);
    await seedAccount(store);
    const recorder = new UsageRecorder({
      db: store.db,
      flushIntervalMs: 3_600_000,
      maxBatch: 1_000_000,
      onError: (err) => {
        throw err;
      },
    });
    const factory = rowFactory(USER, 7);
    // Row time: starts now and advances 250 ms per batch, like a busy recorder's timer.
    let clock = Date.now();
    const writeBatches = async (batches: number, size: number): Promise<void> => {
      for (let b = 0; b < batches; b++) {
        for (let i = 0; i < size; i++) recorder.record(onKeys(factory.row(clock + Math.floor((i * 250) / size))));
        clock += 250;
        await recorder.flush();
      }
    };
    await writeBatches(400, 500);
    const results = new Map<number, { cpu: number[]; wall: number[] }>(BATCH_SIZES.map((s) => [s, { cpu: [], wall: [] }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const size of BATCH_SIZES) {
        const rows = size === 1 ? 2000 : 20_000;
        const cpu0 = process.cpuUsage();
        const wall0 = performance.now();
        await writeBatches(rows / size, size);
        const wall = performance.now() - wall0;
        const cpu = process.cpuUsage(cpu0);
        const r = results.get(size);
        r?.cpu.push((cpu.user + cpu.system) / rows);
        r?.wall.push((wall * 1000) / rows);
      }
    }
    await recorder.close();
    console.log(
      `usage writer, ${usePg ? 'PostgreSQL' : 'SQLite'}, rows over ${KEYS ?? keyIds(USER).length} key(s): µs per row (median of ${ROUNDS} rounds)`,
    );
    console.log('| rows per batch | CPU µs/row | wall µs/row |');
    console.log('| -------------: | ---------: | ----------: |');
    for (const [size, r] of results) console.log(`| ${size} | ${median(r.cpu).toFixed(1)} | ${median(r.wall).toFixed(1)} |`);
  } finally {
    await store.close();
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
