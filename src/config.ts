/**
 * Configuration from the environment, validated once at start. Messages name the variable and the
 * expected form, never a value (a value may be a secret).
 */
import path from 'node:path';
import { PRIVATE_UPSTREAMS, type PrivateUpstreams } from './egress/private-upstreams.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel, so several deployments (or tests) can share one Redis. */
  redisPrefix: string;
  /** PostgreSQL deadlines: connecting (or waiting for a pooled connection), and each query. */
  database: { connectTimeoutMs: number; queryTimeoutMs: number };
  /** Redis deadlines: connecting (through its ready check), and each command. */
  redis: { connectTimeoutMs: number; commandTimeoutMs: number };
  /** How long a spend reservation lives unless its replica renews it (every third of this). */
  reservationLeaseMs: number;
  /** Usage rows kept in memory while the database cannot take them; past this the oldest are dropped (and counted). */
  usageMaxPendingRows: number;
  /** Raw `PROVIDER_KEY_ENCRYPTION_KEY`; parsed and checked by `keys/vault.ts`. */
  encryptionKeys: string | undefined;
  signup: 'open' | 'closed';
  publicUrl: URL | undefined;
  production: boolean;
  /** Largest request body accepted, in bytes (413 above). */
  maxBodyBytes: number;
  upstream: {
    /** Time to establish the TCP/TLS connection. */
    connectTimeoutMs: number;
    /** Time from sending the request to the response headers (long: reasoning models think first). */
    firstByteTimeoutMs: number;
    /** Longest silence between two chunks of a streamed answer. */
    idleTimeoutMs: number;
    /** Retry the same model once on a retryable failure before falling back (off by default). */
    retrySameModel: boolean;
    /** Largest upstream answer read: a non-streamed chat answer, a model list, one event of a stream. */
    maxBodyBytes: number;
    /** Largest embeddings answer read (thousands of vectors are legitimately large). */
    maxEmbeddingsBodyBytes: number;
  };
  /** Who may point a provider at a non-public address (loopback, private, link-local…). */
  privateUpstreams: PrivateUpstreams;
  logLevel: string;
  /** Bearer token that guards GET /metrics; unset: open (bind to a private interface). */
  metricsToken: string | undefined;
  /** Origins allowed to call /v1 from a browser (CORS); `*` for any. Empty: none. */
  corsOrigins: string[];
  /** How long a dashboard session lasts. */
  sessionTtlMs: number;
  /** Bounded wait for in-flight requests on SIGTERM. */
  shutdownGraceMs: number;
  /** Days request rows are kept (usage rollups are kept regardless); undefined keeps them all. */
  usageRetentionDays: number | undefined;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const MIB = 1024 * 1024;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

function optionalInteger(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : integer(env, name, 0, min, max);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of: ${allowed.join(', ')}.`);
  }
  return raw as T;
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // Never echo the value: a database URL carries a password.
    throw new ConfigError(`${name} must be a URL of the form ${protocols.map((p) => `${p}//…`).join(' or ')}.`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must be a URL of the form ${protocols.map((p) => `${p}//…`).join(' or ')}.`);
  }
  return raw;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false.`);
}

/** Reads and validates the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const publicUrlText = url(env, 'ZAI_PUBLIC_URL', ['http:', 'https:']);
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env.HOST?.trim() || '127.0.0.1',
    dataDir: path.resolve(env.ZAI_DATA_DIR?.trim() || './data'),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: env.ZAI_REDIS_PREFIX?.trim() || 'zai:',
    database: {
      connectTimeoutMs: integer(env, 'ZAI_DB_CONNECT_TIMEOUT_MS', 1000, 1, 600_000),
      queryTimeoutMs: integer(env, 'ZAI_DB_QUERY_TIMEOUT_MS', 1000, 1, 3_600_000),
    },
    redis: {
      connectTimeoutMs: integer(env, 'ZAI_REDIS_CONNECT_TIMEOUT_MS', 1000, 1, 600_000),
      commandTimeoutMs: integer(env, 'ZAI_REDIS_COMMAND_TIMEOUT_MS', 500, 1, 600_000),
    },
    reservationLeaseMs: integer(env, 'ZAI_RESERVATION_LEASE_MS', 30_000, 1000, 3_600_000),
    usageMaxPendingRows: integer(env, 'ZAI_USAGE_MAX_PENDING_ROWS', 100_000, 1000, 10_000_000),
    encryptionKeys: env.PROVIDER_KEY_ENCRYPTION_KEY,
    signup: oneOf(env, 'ZAI_SIGNUP', ['open', 'closed'] as const, 'open'),
    publicUrl: publicUrlText === undefined ? undefined : new URL(publicUrlText),
    production: env.NODE_ENV === 'production',
    maxBodyBytes: integer(env, 'ZAI_MAX_BODY_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    upstream: {
      connectTimeoutMs: integer(env, 'ZAI_UPSTREAM_CONNECT_TIMEOUT_MS', 10_000, 1, 600_000),
      firstByteTimeoutMs: integer(env, 'ZAI_UPSTREAM_FIRST_BYTE_TIMEOUT_MS', 300_000, 1, 3_600_000),
      idleTimeoutMs: integer(env, 'ZAI_UPSTREAM_IDLE_TIMEOUT_MS', 120_000, 1, 3_600_000),
      retrySameModel: flag(env, 'ZAI_RETRY_SAME_MODEL', false),
      // At most 500 MiB: an answer is parsed as one string, and V8's longest string is just under 512 MiB.
      maxBodyBytes: integer(env, 'ZAI_MAX_UPSTREAM_BODY_BYTES', 32 * MIB, 64 * 1024, 500 * MIB),
      maxEmbeddingsBodyBytes: integer(env, 'ZAI_MAX_EMBEDDINGS_BODY_BYTES', 128 * MIB, 64 * 1024, 500 * MIB),
    },
    privateUpstreams: oneOf(env, 'ZAI_PRIVATE_UPSTREAMS', PRIVATE_UPSTREAMS, 'admins'),
    logLevel: oneOf(env, 'ZAI_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    metricsToken: env.ZAI_METRICS_TOKEN?.trim() || undefined,
    corsOrigins: (env.ZAI_CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
    sessionTtlMs: integer(env, 'ZAI_SESSION_TTL_HOURS', 24 * 30, 1, 24 * 365) * 3_600_000,
    shutdownGraceMs: integer(env, 'ZAI_SHUTDOWN_GRACE_MS', 30_000, 0, 600_000),
    usageRetentionDays: optionalInteger(env, 'ZAI_USAGE_RETENTION_DAYS', 1, 36_500),
  };
}
