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
