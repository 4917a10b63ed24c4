/**
 * The composition root: builds every domain service from the configuration. The only place that
 * knows which implementation (SQLite or PostgreSQL, in-process or Redis) is in use.
 */
import type { Logger } from 'pino';
import { AccountAdmin } from './accounts/account-admin.js';
import { Accounts } from './accounts/accounts.js';
import { AuditLog } from './audit/audit-log.js';
import { MemoryLoginThrottle, type LoginThrottle } from './accounts/login-throttle.js';
import { Prices } from './billing/prices.js';
import { MemorySpendLedger, type SpendLedger } from './billing/spend-ledger.js';
import type { Config } from './config.js';
import { UpstreamPolicy, type Resolve } from './egress/upstream-policy.js';
import type { GatewayDeps } from './gateway/gateway.js';
import { ModelLister } from './gateway/models.js';
import { reportRequest } from './gateway/record-usage.js';
import { UpstreamClient } from './gateway/upstream-client.js';
import { ApiKeys } from './keys/api-keys.js';
import { LocalInvalidationBus, type InvalidationBus } from './coordination/invalidation.js';
import { ProviderCredentials } from './keys/provider-credentials.js';
import { KeyPool } from './keys/key-pool.js';
import { PoolKeys } from './keys/pool-keys.js';
import { RedisInvalidationBus } from './coordination/redis-invalidation-bus.js';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './coordination/rate-limiter.js';
import { loadVault } from './keys/vault.js';
import { RedisLoginThrottle } from './accounts/redis-login-throttle.js';
import { PostgresSpendLedger } from './billing/postgres-spend-ledger.js';
import { RedisSpendLedger } from './billing/redis-spend-ledger.js';
import { migrate, openStore, type Store } from './store/database.js';
import type { RedisClient } from './store/redis.js';
import { Metrics } from './usage/metrics.js';
import { UsageRecorder } from './usage/usage-recorder.js';

export interface Services {
  config: Config;
  store: Store;
  accounts: Accounts;
  accountAdmin: AccountAdmin;
  providers: ProviderCredentials;
  poolKeys: PoolKeys;
  keys: ApiKeys;
  prices: Prices;
  ledger: SpendLedger;
  usage: UsageRecorder;
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

export interface ServicesOptions {
  /** The resolver of upstream hosts (the system's by default; tests give names of their own). */
  resolve?: Resolve;
}

export async function createServices(config: Config, logger: Logger, options: ServicesOptions = {}): Promise<Services> {
  const vault = loadVault({
    encryptionKeys: config.encryptionKeys,
    dataDir: config.dataDir,
    production: config.production,
    warn: (message) => logger.warn(message),
  });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  await migrate(store);
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
  const policy = new UpstreamPolicy(config.privateUpstreams, options.resolve);
  const pool = new KeyPool(bus);
  const providers = new ProviderCredentials(store.db, vault, bus, audit, policy, pool);
  const poolKeys = new PoolKeys(store.db, vault, bus, audit, providers, pool);
  const keys = new ApiKeys(store.db, bus, audit);
  const accountAdmin = new AccountAdmin({ db: store.db, audit, keys });
  const prices = new Prices(store.db, bus);
  const metrics = new Metrics();
  metrics.observePool(() => pool.states());
  const usage = new UsageRecorder({
    db: store.db,
    observe: (row) => reportRequest(logger, metrics, row),
    onError: (err, rows) =>
      logger.error({ err: err instanceof Error ? err.message : String(err), rows }, 'usage write failed; will retry'),
  });
  const upstream = new UpstreamClient({ ...config.upstream, policy, logger });
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
    accountAdmin,
    providers,
    poolKeys,
    keys,
    prices,
    ledger,
    usage,
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
      await usage.close();
      await upstream.close();
      await bus.close();
      redisClient?.disconnect();
      await store.close();
    },
  };
}
