/**
 * Bulk seeding for the usage benchmark: BENCH_USAGE_ROWS rows of one account over BENCH_USAGE_DAYS
 * days (bench/usage-data.ts), inserted with the indexes dropped and rebuilt after, into SQLite
 * (better-sqlite3, big transactions) or PostgreSQL (INSERT … SELECT FROM unnest of 20,000-row arrays).
 */
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Accounts } from '../src/accounts/accounts.js';
import { MemoryLoginThrottle } from '../src/accounts/login-throttle.js';
import type { Store } from '../src/store/database.js';
import type { UsageTable } from '../src/store/schema.js';
import { rowFactory } from './usage-data.js';

export const EMAIL = 'bench@example.com';
export const PASSWORD = 'correct horse battery staple';
const DAY = 86_400_000;
const COLUMNS = [
  'id',
  'created_at',
  'user_id',
  'key_id',
  'model_requested',
  'model_served',
  'provider',
  'status',
  'error_code',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cost_nano_usd',
  'latency_ms',
  'ttft_ms',
  'stream',
  'attempts',
  'endpoint',
] as const satisfies ReadonlyArray<keyof UsageTable>;

export interface SeedShape {
  rows: number;
  days: number;
  now: number;
  log: (message: string) => void;
}

/** Rows of the seeded account, oldest first, ids ascending (so the primary key fills in order). */
function* seedRows(userId: string, shape: SeedShape): Generator<UsageTable> {
  const factory = rowFactory(userId, 1);
  const start = shape.now - shape.days * DAY;
  const step = (shape.days * DAY) / shape.rows;
  for (let i = 0; i < shape.rows; i++) {
    const row = factory.row(Math.floor(start + i * step));
    row.id = `req_seed${i.toString(36).padStart(8, '0')}`;
    yield row;
  }
}

export async function createAccount(store: Store): Promise<string> {
  const accounts = new Accounts({ db: store.db, throttle: new MemoryLoginThrottle(), sessionTtlMs: DAY });
  return (await accounts.create({ email: EMAIL, password: PASSWORD, role: 'admin' })).id;
}

export function seedSqlite(file: string, userId: string, shape: SeedShape): void {
  const db = new SqliteDatabase(file);
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.exec('DROP INDEX usage_user_time; DROP INDEX usage_key_time;');
  const per = 100;
  const insert = db.prepare(
    `INSERT INTO usage (${COLUMNS.join(',')}) VALUES ${Array(per)
      .fill(`(${COLUMNS.map(() => '?').join(',')})`)
      .join(',')}`,
  );
  let batch: unknown[] = [];
  let n = 0;
  let pending: unknown[][] = [];
  const flush = db.transaction((chunks: unknown[][]) => {
    for (const params of chunks) insert.run(params);
  });
  for (const row of seedRows(userId, shape)) {
    for (const c of COLUMNS) batch.push(row[c]);
    if (++n % per === 0) {
      pending.push(batch);
      batch = [];
      if (pending.length === 500) {
        flush(pending);
        pending = [];
        if (n % 1_000_000 === 0) shape.log(`  ${n / 1e6}M rows`);
      }
    }
  }
  flush(pending);
  if (batch.length > 0) {
    const rest = batch.length / COLUMNS.length;
    db.prepare(
      `INSERT INTO usage (${COLUMNS.join(',')}) VALUES ${Array(rest)
        .fill(`(${COLUMNS.map(() => '?').join(',')})`)
        .join(',')}`,
    ).run(batch);
  }
  shape.log('  indexes');
  db.exec(
    'CREATE INDEX usage_user_time ON usage (user_id, created_at, id); CREATE INDEX usage_key_time ON usage (key_id, created_at);',
  );
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

export async function seedPostgres(url: string, userId: string, shape: SeedShape): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SET synchronous_commit = off');
  await client.query('DROP INDEX usage_user_time; DROP INDEX usage_key_time;');
  const types = [
    'text',
    'bigint',
    'text',
    'text',
    'text',
    'text',
    'text',
    'int',
    'text',
    'int',
    'int',
    'int',
    'bigint',
    'int',
    'int',
    'int',
    'int',
    'text',
  ];
  const text = `INSERT INTO usage (${COLUMNS.join(',')}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(',')})`;
  const per = 20_000;
  let arrays: unknown[][] = COLUMNS.map(() => []);
  let n = 0;
  for (const row of seedRows(userId, shape)) {
    COLUMNS.forEach((c, i) => (arrays[i] as unknown[]).push(row[c]));
    if (++n % per === 0) {
      await client.query(text, arrays);
      arrays = COLUMNS.map(() => []);
      if (n % 1_000_000 === 0) shape.log(`  ${n / 1e6}M rows`);
    }
  }
  if ((arrays[0] as unknown[]).length > 0) await client.query(text, arrays);
  shape.log('  indexes');
  await client.query('CREATE INDEX usage_user_time ON usage (user_id, created_at, id)');
  await client.query('CREATE INDEX usage_key_time ON usage (key_id, created_at)');
  await client.query('VACUUM ANALYZE usage');
  await client.end();
}
