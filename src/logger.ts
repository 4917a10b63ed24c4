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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'zai' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
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
