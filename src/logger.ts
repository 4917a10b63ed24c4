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
  // Lines are collected up to 4 KiB and written synchronously, one write(2) per batch, as pino's
  // default destination writes: see docs/performance.md, "Log batches are written synchronously".
  // A timer bounds how long a line waits, and whatever is left is written when the process exits.
  // A stdout reader slower than the log rate holds the gateway back instead of letting unwritten
  // lines pile up in memory.
  const stdout = new LineBatcher(pino.destination({ dest: 1, sync: true }));
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

/** Bytes (about: UTF-16 units) of log lines collected before they are written. */
const BATCH_LENGTH = 4096;

/**
 * Hands log lines to sonic-boom a batch at a time, not through its own `minLength`: see
 * docs/performance.md, "Batch log lines before sonic-boom". Here a line costs an array slot; a
 * batch is joined once.
 */
export class LineBatcher implements DestinationStream {
  private lines: string[] = [];
  private length = 0;

  constructor(private readonly out: pino.DestinationStream & { flush(cb?: (err?: Error) => void): void; flushSync(): void }) {}

  write(line: string): void {
    this.lines.push(line);
    this.length += line.length;
    if (this.length >= BATCH_LENGTH) this.drain();
  }

  /** Writes what is collected (pino's logger.flush() calls this). */
  flush(cb?: (err?: Error) => void): void {
    this.drain();
    this.out.flush(cb);
  }

  /** Writes what is collected and waits for it: for the process's exit. */
  flushSync(): void {
    this.drain();
    this.out.flushSync();
  }

  private drain(): void {
    if (this.lines.length === 0) return;
    const text = this.lines.length === 1 ? (this.lines[0] as string) : this.lines.join('');
    this.lines = [];
    this.length = 0;
    this.out.write(text);
  }
}

/** A value of a fixed-shape line: scalars only, so the line never needs redaction. */
export type FixedLineValue = string | number | boolean | null;

const { chindingsSym, streamSym } = pino.symbols;

/**
 * Writes one info line of scalar fields straight to the logger's destination, formatted exactly as
 * pino formats it (level, ISO time, the logger's bindings, the fields, msg). For the one line every
 * gateway request writes: see docs/performance.md, "The request's log line is written by hand". The
 * fields are a fixed set of ids, model names, counts and cost, never a secret, so nothing is redacted.
 */
export function writeFixedLine(logger: Logger, fields: Record<string, FixedLineValue>, msg: string): void {
  if (!logger.isLevelEnabled('info')) return;
  const internals = logger as unknown as Record<symbol, unknown>;
  let line = `{"level":30,"time":"${isoNow()}"${internals[chindingsSym] as string}`;
  for (const key in fields) {
    const value = fields[key];
    line +=
      keyPrefix(key) +
      (typeof value === 'string'
        ? JSON.stringify(value)
        : typeof value === 'number' && !Number.isFinite(value)
          ? 'null'
          : String(value));
  }
  line += `,"msg":${JSON.stringify(msg)}}\n`;
  (internals[streamSym] as DestinationStream).write(line);
}

// The ISO time of the current millisecond: several lines share one at a few thousand requests a second.
let isoMs = 0;
let iso = '';
function isoNow(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    iso = new Date(now).toISOString();
  }
  return iso;
}

// `,"key":` per field name, built once: the names are the few of the fixed lines.
const keyPrefixes = new Map<string, string>();
function keyPrefix(key: string): string {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `,${JSON.stringify(key)}:`;
    if (keyPrefixes.size < 256) keyPrefixes.set(key, prefix);
  }
  return prefix;
}
