/**
 * The structured JSON logger (pino). Secrets are redacted at the logger, whatever a caller passes:
 * authorization headers, cookies and anything named like a key or password.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'cookie',
  'api_key',
  'apiKey',
  'password',
  'key',
  '*.api_key',
  '*.apiKey',
  '*.password',
  '*.authorization',
  '*.key',
];

/** Longest time a log line waits in the stdout buffer. */
export const LOG_FLUSH_INTERVAL_MS = 500;

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'zai' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (destination !== undefined) return pino(options, destination);
  // Lines are collected up to 4 KiB before a write: writing each line on its own cost a trip
  // through libuv's thread pool and an extra event-loop wake-up per request. A timer bounds how
  // long a line waits, and whatever is left is written synchronously when the process exits.
  const stdout = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const logger = pino(options, stdout);
  setInterval(() => logger.flush(), LOG_FLUSH_INTERVAL_MS).unref();
  process.once('exit', () => {
    try {
      stdout.flushSync();
    } catch {
      // Nothing more can be done for the log at exit.
    }
  });
  return logger;
}

const unredacted = new WeakMap<Logger, Logger>();

/**
 * A child of `logger` without the redaction, for the per-request gateway line only: its fields are
 * a fixed set (ids, model names, counts, cost) that never holds a secret, and the wildcard
 * redaction is a large share of that line's cost. Every other line keeps the parent's redaction.
 */
export function fixedShapeLogger(logger: Logger): Logger {
  let child = unredacted.get(logger);
  if (child === undefined) {
    child = logger.child({}, { redact: [] });
    unredacted.set(logger, child);
  }
  return child;
}
