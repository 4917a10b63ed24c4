/**
 * Opens the database: embedded SQLite (default, `$ZAI_DATA_DIR/zai.db`, WAL) or PostgreSQL
 * (`DATABASE_URL`). Domain code sees only `Kysely<Database>`; the dialect is chosen here alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  type MigrationProvider,
  type Migration,
  type SqliteDialectConfig,
} from 'kysely';
import type { PostgresDeadlines } from './postgres-pool.js';
import type { Database } from './schema.js';
import { mergeEncoded } from './latency-histogram.js';
import { initial } from './migrations/001-initial.js';
import { spendReservations } from './migrations/002-spend-reservations.js';
import { auditAndRateLimits } from './migrations/003-audit-and-rate-limits.js';
import { usageEndpoint } from './migrations/004-usage-endpoint.js';
import { usageRollups } from './migrations/005-usage-rollups.js';
import { accountStatusAndProviderChecks } from './migrations/007-account-status-and-provider-checks.js';
import { money } from './migrations/008-money.js';
import { providerKeyPools } from './migrations/009-provider-key-pools.js';
import { usageDetails } from './migrations/010-usage-details.js';

export type Dialect = 'sqlite' | 'postgres';

/** The serving connection's SQLite page cache, KiB. */
export const PAGE_CACHE_KIB = 2048;

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The SQLite file, for operators and tests; undefined on PostgreSQL. */
  sqlitePath: string | undefined;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL only: deadlines on connecting and on each query. Unset: none (migrations, the CLI). */
  deadlines?: PostgresDeadlines;
}

/** Which database a Kysely instance (or transaction) talks to. */
export function dialectOf(db: Kysely<Database>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Opens (and creates, for SQLite) the configured database. Does not migrate. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.databaseUrl !== undefined) {
    // Loaded only when configured: the embedded default never pays for the PostgreSQL driver.
    const { default: pg } = await import('pg');
    const { createPostgresPool } = await import('./postgres-pool.js');
    // int8 columns come back from `pg` as strings; every bigint here (money in nano-USD, epoch ms)
    // stays far below 2^53, so numbers are exact.
    pg.types.setTypeParser(20, (value: string) => Number(value));
    // Connection errors never crash the process; queries fail (503) and the pool reconnects by itself.
    const pool = createPostgresPool(options.databaseUrl, options.deadlines);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', sqlitePath: undefined, close: () => db.destroy() };
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const sqlitePath = path.join(options.dataDir, 'zai.db');
  const sqlite = new SqliteDatabase(sqlitePath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  // A checkpoint runs inside a COMMIT on the serving thread and fsyncs: 100 pages (~2 ms) at a
  // time instead of SQLite's 1,000 (~14 ms). See docs/performance.md, "Small WAL checkpoints".
  sqlite.pragma('wal_autocheckpoint = 100');
  // This connection writes usage rows (appends: few hot pages) and serves small lookups; reports
  // read on their own connection. SQLite's default 16 MB page cache filled with pages written once
  // and was ~15 % of the gateway's memory under load. See docs/performance.md, "A small page cache".
  sqlite.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  sqlite.pragma('foreign_keys = ON');
  // Another process (a `zai rotate-encryption-key` run) may hold the write lock briefly.
  sqlite.pragma('busy_timeout = 5000');
  // The usage writer's rollup upsert compacts a minute's histogram with it once its appended
  // entries pass a few hundred bytes (see usage/rollups.ts).
  sqlite.function('zai_hist_merge', { deterministic: true }, (a: unknown, b: unknown) =>
    mergeEncoded(a instanceof Uint8Array ? a : null, b instanceof Uint8Array ? b : null),
  );
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', sqlitePath, close: () => db.destroy() };
}

/** Distinct SQL texts kept prepared (the application has a few dozen), and the longest one kept. */
const STATEMENT_CACHE_SIZE = 128;
const MAX_CACHED_SQL_LENGTH = 16 * 1024;

/**
 * Kysely's SQLite driver prepares every query anew; statements are reused by SQL text instead (see
 * docs/performance.md, "Prepare SQL once, in few shapes"). Safe because Kysely runs one query at a
 * time on its single SQLite connection, and SQLite re-prepares a statement by itself after a
 * schema change. A prepared statement holds memory (a 64-row INSERT
 * about 60 KB), so callers keep their SQL texts few (see usage-recorder's insert sizes) and long
 * texts are not kept.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        if (sql.length > MAX_CACHED_SQL_LENGTH) return statement;
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-spend-reservations': spendReservations,
  '003-audit-and-rate-limits': auditAndRateLimits,
  '004-usage-endpoint': usageEndpoint,
  '005-usage-rollups': usageRollups,
  '007-account-status-and-provider-checks': accountStatusAndProviderChecks,
  '008-money': money,
  '009-provider-key-pools': providerKeyPools,
  '010-usage-details': usageDetails,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

/** Applies pending migrations (up to and including `upTo` when given); returns the names applied. */
export async function migrate(store: Store, upTo?: string): Promise<string[]> {
  const migrator = new Migrator({
    db: store.db,
    provider: new StaticMigrationProvider(),
    // The names are ASCII, so code-unit order is their order; kysely's default, localeCompare, maps
    // ICU's collation data into the process for its whole life (1.9 MB resident, docs/performance.md).
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  const { error, results } = upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
