/**
 * The PostgreSQL connection pool, with deadlines and without crashes.
 *
 * - Every error a client emits is handled, checked out or idle: pg-pool listens on idle clients
 *   only, and a connection that drops between two queries of a transaction would otherwise end
 *   the process with an unhandled 'error' event.
 * - Deadlines: getting a connection (a new one, or a turn in the pool's queue) and every query.
 *   The server is told the same limit (statement_timeout), and ends a transaction left idle by a
 *   client that vanished, which would otherwise hold its row locks.
 * - A connection whose query timed out or failed below SQL (reset, timeout) is never reused: its
 *   next query (Kysely's ROLLBACK) fails at once instead of waiting out another deadline, and it is
 *   destroyed on release. pg's own read timeout leaves the hung query on the connection.
 */
import pg from 'pg';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

export interface PostgresDeadlines {
  /** Connecting, or waiting for a pooled connection. */
  connectMs: number;
  /** Each query, from sending it to its last row. */
  queryMs: number;
}

/**
 * A transaction idle this long is ended by the server. Z-AI's transactions never wait on anything
 * but the database, so one idle for seconds belongs to a client that is gone.
 */
const IDLE_IN_TRANSACTION_MS = 10_000;

const POOL_SIZE = 10;

const ignore = (): void => {};

/** A pool for Kysely's PostgresDialect; `deadlines` undefined: none (migrations, the CLI). */
export function createPostgresPool(url: string, deadlines: PostgresDeadlines | undefined): PostgresPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    ...(deadlines === undefined
      ? {}
      : {
          connectionTimeoutMillis: deadlines.connectMs,
          query_timeout: deadlines.queryMs,
          statement_timeout: deadlines.queryMs,
          idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
        }),
  });
  // Idle clients (pg-pool's own listener is removed while a client is checked out).
  pool.on('error', ignore);
  pool.on('connect', (client) => client.on('error', ignore));
  return {
    connect: async () => guardedClient(await pool.connect()),
    end: () => pool.end(),
  };
}

/** An error the server sent (SQLSTATE): the connection is fine. Anything else: it is not. */
function isServerError(err: unknown): boolean {
  return err instanceof pg.DatabaseError;
}

function guardedClient(client: pg.PoolClient): PostgresPoolClient {
  let broken: unknown;
  const guarded = {
    query(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<unknown>> {
      if (broken !== undefined) return Promise.reject(broken instanceof Error ? broken : new Error(String(broken)));
      return (client.query(sql, parameters as unknown[]) as unknown as Promise<PostgresQueryResult<unknown>>).catch(
        (err: unknown) => {
          if (!isServerError(err)) broken = err;
          throw err;
        },
      );
    },
    release(destroy?: boolean): void {
      client.release(destroy === true || broken !== undefined);
    },
  };
  // Cursors (streamed queries) are not used by Z-AI; the interface has them as an overload.
  return guarded as unknown as PostgresPoolClient;
}
