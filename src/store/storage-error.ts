/** The error of a request that needs the database while the database cannot answer in time. */
import { GatewayError } from '../errors.js';

export function storageUnavailable(cause?: unknown): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'service_unavailable_error',
    code: 'storage_unavailable',
    message: 'Z-AI cannot reach its database. Try again shortly.',
    cause,
  });
}

// PostgreSQL SQLSTATEs of a database that is unreachable, shutting down, overloaded or out of time:
// connection exceptions (08), operator intervention (57P, 57014 statement timeout), insufficient
// resources (53), and a transaction ended for idling (25P03); and socket errors.
const DOWN_CODE = /^(08|57P|57014$|53|25P03$)|^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH)$/;
// pg's own messages for a lost or timed-out connection.
const DOWN_MESSAGE =
  /Connection terminated|connect ECONNREFUSED|database system is|timeout exceeded when trying to connect|Query read timeout|not queryable|timeout expired/i;

/** True when `err` says the database is unreachable or did not answer in time (not a SQL error). */
export function isStorageFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  return (typeof code === 'string' && DOWN_CODE.test(code)) || DOWN_MESSAGE.test(message);
}
