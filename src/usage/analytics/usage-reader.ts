/**
 * The analytics worker's own read connection: SQLite opened read-only (WAL lets it read while the
 * gateway writes), or a small PostgreSQL pool. Queries are built with Kysely (compile only) and
 * return rows as arrays in select order, the cheapest shape for summing many rows. A snapshot runs
 * a group of queries in one read transaction, so a summary's rollups and rows agree.
 */
import SqliteDatabase from 'better-sqlite3';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
} from 'kysely';
import type { Dialect } from '../../store/database.js';
import type { Database } from '../../store/schema.js';

export type Row = unknown[];
export type RunQuery = (query: Compilable) => Promise<Row[]>;

export interface UsageReader {
  readonly dialect: Dialect;
  /** Builds queries; never executes them. */
  readonly q: Kysely<Database>;
  snapshot<T>(fn: (run: RunQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface ReaderConfig {
  dialect: Dialect;
  sqlitePath: string | undefined;
  databaseUrl: string | undefined;
}

function builder(dialect: Dialect): Kysely<Database> {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => (dialect === 'postgres' ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => (dialect === 'postgres' ? new PostgresIntrospector(db) : new SqliteIntrospector(db)),
      createQueryCompiler: () => (dialect === 'postgres' ? new PostgresQueryCompiler() : new SqliteQueryCompiler()),
    },
  });
}

export async function openReader(config: ReaderConfig): Promise<UsageReader> {
  if (config.dialect === 'postgres') {
    if (config.databaseUrl === undefined) throw new Error('analytics: DATABASE_URL missing');
    return postgresReader(config.databaseUrl);
  }
  if (config.sqlitePath === undefined) throw new Error('analytics: SQLite path missing');
  return sqliteReader(config.sqlitePath);
}

function sqliteReader(file: string): UsageReader {
  const sqlite = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  const statements = new Map<string, SqliteDatabase.Statement>();
  const run: RunQuery = async (query) => {
    const { sql, parameters } = query.compile();
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = sqlite.prepare(sql).raw(true);
      if (statements.size >= 256) statements.clear();
      statements.set(sql, statement);
    }
    return statement.all(...(parameters as unknown[])) as Row[];
  };
  return {
    dialect: 'sqlite',
    q: builder('sqlite'),
    async snapshot(fn) {
      // Every query of `fn` resolves at once (better-sqlite3 is synchronous), so the transaction
      // never spans a turn of the worker's event loop.
      sqlite.exec('BEGIN');
      try {
        return await fn(run);
      } finally {
        sqlite.exec('COMMIT');
      }
    },
    async close() {
      sqlite.close();
    },
  };
}

async function postgresReader(url: string): Promise<UsageReader> {
  const { default: pg } = await import('pg');
  // Same as the main connection: int8 values (epoch ms, nano-USD) fit a double exactly.
  pg.types.setTypeParser(20, (value: string) => Number(value));
  pg.types.setTypeParser(1700, (value: string) => Number(value));
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => {});
  return {
    dialect: 'postgres',
    q: builder('postgres'),
    async snapshot(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const run: RunQuery = async (query) => {
          const { sql, parameters } = query.compile();
          const result = await client.query({ text: sql, values: parameters as unknown[], rowMode: 'array' });
          return result.rows as Row[];
        };
        const out = await fn(run);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
