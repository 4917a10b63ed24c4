/**
 * The composition root: builds every domain service from the configuration. The only place that
 * knows which implementation (SQLite or PostgreSQL, in-process or Redis) is in use.
 */
import type { Logger } from 'pino';
import { Accounts } from './accounts/accounts.js';
import { AuditLog } from './audit/audit-log.js';
import { MemoryLoginThrottle, type LoginThrottle } from './accounts/login-throttle.js';
import { Prices } from './billing/prices.js';
import { MemorySpendLedger, type SpendLedger } from './billing/spend-ledger.js';
import type { Config } from './config.js';
import type { GatewayDeps } from './gateway/gateway.js';
import { ModelLister } from './gateway/models.js';
import { reportRequest } from './gateway/record-usage.js';
import { UpstreamClient } from './gateway/upstream-client.js';
import { ApiKeys } from './keys/api-keys.js';
import { LocalInvalidationBus, type InvalidationBus } from './coordination/invalidation.js';
import { ProviderCredentials } from './keys/provider-credentials.js';
import { RedisInvalidationBus } from './coordination/redis-invalidation-bus.js';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './coordination/rate-limiter.js';
import { loadVault } from './keys/vault.js';
import { RedisLoginThrottle } from './accounts/redis-login-throttle.js';
import { PostgresSpendLedger } from './billing/postgres-spend-ledger.js';
import { RedisSpendLedger } from './billing/redis-spend-ledger.js';
import { migrate, openStore, type Store } from './store/database.js';
import type { RedisClient } from './store/redis.js';
import { Metrics } from './usage/metrics.js';
import { UsageAnalytics } from './usage/analytics/usage-analytics.js';
import { ensureRollupsBuilt } from './usage/rollup-rebuild.js';
import { UsageMaintenance } from './usage/usage-maintenance.js';
import { UsageRecorder } from './usage/usage-recorder.js';

export interface Services {
  config: Config;
  store: Store;
  accounts: Accounts;
  providers: ProviderCredentials;
  keys: ApiKeys;
  prices: Prices;
  ledger: SpendLedger;
  usage: UsageRecorder;
  /** Usage reads of the management API, answered off the gateway's thread. */
  analytics: UsageAnalytics;
  /** Compaction of usage rollups and retention of request rows, in the background. */
  usageMaintenance: UsageMaintenance;
  upstream: UpstreamClient;
  models: ModelLister;
  gateway: GatewayDeps;
  bus: InvalidationBus;
  audit: AuditLog;
  metrics: Metrics;
  /** Answers when storage (and Redis, when configured) answers. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export async function createServices(config: Config, logger: Logger): Promise<Services> {
  const vault = loadVault({
    encryptionKeys: config.encryptionKeys,
    dataDir: config.dataDir,
    production: config.production,
    warn: (message) => logger.warn(message),
  });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  await migrate(store);
  const built = await ensureRollupsBuilt(store.db);
  if (built > 0) logger.info({ rows: built }, 'usage rollups built from the existing request rows');
  // One process: everything in memory. Several replicas: Redis coordinates them; PostgreSQL
  // alone still keeps caps exact (row locks), but caches then rely on their owner's replica.
  let redis: RedisClient | undefined;
  let subscriber: RedisClient | undefined;
  let bus: InvalidationBus;
  let throttle: LoginThrottle;
  let ledger: SpendLedger;
  let rateLimiter: RateLimiter;
  if (config.redisUrl !== undefined) {
    // Loaded only when configured: one-process deployments never pay for the Redis client.
    const { connectRedis } = await import('./store/redis.js');
    redis = connectRedis(config.redisUrl, 'commands');
    subscriber = connectRedis(config.redisUrl, 'subscriber');
    bus = new RedisInvalidationBus(redis, subscriber, config.redisPrefix);
    throttle = new RedisLoginThrottle(redis, config.redisPrefix);
    ledger = new RedisSpendLedger(redis, config.redisPrefix);
    rateLimiter = new RedisRateLimiter(redis, config.redisPrefix);
  } else {
    rateLimiter = new MemoryRateLimiter();
    bus = new LocalInvalidationBus();
    throttle = new MemoryLoginThrottle();
    ledger = store.dialect === 'postgres' ? new PostgresSpendLedger(store.db) : new MemorySpendLedger();
  }
  const redisClient = redis;
  const coordinationReady = (): boolean => redisClient === undefined || redisClient.status === 'ready';

  const accounts = new Accounts({ db: store.db, throttle, sessionTtlMs: config.sessionTtlMs });
  const audit = new AuditLog(store.db);
  const providers = new ProviderCredentials(store.db, vault, bus, audit);
  const keys = new ApiKeys(store.db, bus, audit);
  const prices = new Prices(store.db, bus);
  const metrics = new Metrics();
  const usage = new UsageRecorder({
    db: store.db,
    observe: (row) => reportRequest(logger, metrics, row),
    onError: (err, rows) =>
      logger.error({ err: err instanceof Error ? err.message : String(err), rows }, 'usage write failed; will retry'),
  });
  const analytics = new UsageAnalytics({ dialect: store.dialect, sqlitePath: store.sqlitePath, databaseUrl: config.databaseUrl });
  const usageMaintenance = new UsageMaintenance({ db: store.db, logger, retentionDays: config.usageRetentionDays });
  usageMaintenance.start();
  const upstream = new UpstreamClient(config.upstream);
  const models = new ModelLister({ providers, upstream, logger });
  const gateway: GatewayDeps = {
    keys,
    providers,
    prices,
    ledger,
    usage,
    upstream,
    logger,
    retrySameModel: config.upstream.retrySameModel,
    coordinationReady,
    rateLimiter,
    metrics,
  };

  return {
    config,
    store,
    accounts,
    providers,
    keys,
    prices,
    ledger,
    usage,
    analytics,
    usageMaintenance,
    upstream,
    models,
    gateway,
    bus,
    audit,
    metrics,
    async ready() {
      try {
        await store.db.selectFrom('users').select('id').limit(1).execute();
        if (redisClient !== undefined) await redisClient.ping();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await usageMaintenance.close();
      await analytics.close();
      await usage.close();
      await upstream.close();
      await bus.close();
      redisClient?.disconnect();
      await store.close();
    },
  };
}
