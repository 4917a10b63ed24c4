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
import { RequestReporter } from './usage/request-reporter.js';
import { UsageAnalytics } from './usage/analytics/usage-analytics.js';
import { ensureRollupsBuilt } from './usage/rollup-rebuild.js';
import { UsageMaintenance } from './usage/usage-maintenance.js';
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
  /** Each finished request's log line and metrics, in batches. */
  reporter: RequestReporter;
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
  /** Answers when storage (and Redis, when configured) answers; false after at most READY_DEADLINE_MS. */
  ready(): Promise<boolean>;
  /**
   * Writes what is left (usage rows, settlements), retrying until `deadline` (epoch ms; default:
   * one attempt), and closes every connection. Resolves to how many rows and settlements were lost.
   */
  close(deadline?: number): Promise<number>;
}

export interface ServicesOptions {
  /** The resolver of upstream hosts (the system's by default; tests give names of their own). */
  resolve?: Resolve;
}

/** /readyz answers within this, whatever hangs. */
export const READY_DEADLINE_MS = 750;
/** How long a start waits for Redis before listening (requests meanwhile answer 503). */
const STARTUP_REDIS_WAIT_MS = 2000;

export async function createServices(config: Config, logger: Logger, options: ServicesOptions = {}): Promise<Services> {
  const vault = loadVault({
    encryptionKeys: config.encryptionKeys,
    dataDir: config.dataDir,
    production: config.production,
    warn: (message) => logger.warn(message),
  });
  // Migrations (and a first build of the usage rollups) run without deadlines: a long one, or one
  // waiting for another replica's, is normal.
  const setup = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    await migrate(setup);
    const built = await ensureRollupsBuilt(setup.db);
    if (built > 0) logger.info({ rows: built }, 'usage rollups built from the existing request rows');
  } finally {
    await setup.close();
  }
  const store = await openStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    deadlines: { connectMs: config.database.connectTimeoutMs, queryMs: config.database.queryTimeoutMs },
  });
  // One process: everything in memory. Several replicas: Redis coordinates them; PostgreSQL
  // alone still keeps caps exact (row locks), but caches then rely on their owner's replica.
  let redis: RedisClient | undefined;
  let redisBus: RedisInvalidationBus | undefined;
  let postgresLedger: PostgresSpendLedger | undefined;
  let bus: InvalidationBus;
  let throttle: LoginThrottle;
  let ledger: SpendLedger;
  let rateLimiter: RateLimiter;
  if (config.redisUrl !== undefined) {
    // Loaded only when configured: one-process deployments never pay for the Redis client.
    const { connectRedis } = await import('./store/redis.js');
    redis = connectRedis(config.redisUrl, 'commands', config.redis);
    redisBus = new RedisInvalidationBus(
      redis,
      connectRedis(config.redisUrl, 'subscriber', config.redis),
      config.redisPrefix,
      (synced) => {
        if (synced) logger.info('Redis connected: caches dropped, cache invalidations heard; serving');
        else logger.warn('Redis connection lost: /v1 answers 503 coordination_unavailable until it is back');
      },
    );
    bus = redisBus;
    throttle = new RedisLoginThrottle(redis, config.redisPrefix);
    ledger = new RedisSpendLedger(redis, { prefix: config.redisPrefix, leaseMs: config.reservationLeaseMs });
    rateLimiter = new RedisRateLimiter(redis, config.redisPrefix);
  } else {
    rateLimiter = new MemoryRateLimiter();
    bus = new LocalInvalidationBus();
    throttle = new MemoryLoginThrottle();
    if (store.dialect === 'postgres') {
      postgresLedger = new PostgresSpendLedger(store.db, {
        leaseMs: config.reservationLeaseMs,
        // A connection, or a query, that hangs: either one deadline, with room for the rest.
        deadlineMs: Math.round(Math.max(config.database.connectTimeoutMs, config.database.queryTimeoutMs) * 1.5),
      });
      ledger = postgresLedger;
    } else {
      ledger = new MemorySpendLedger();
    }
  }
  const redisClient = redis;
  const syncedBus = redisBus;
  // Redis answers, and this replica hears every invalidation and dropped what it may have missed.
  const coordinationReady = (): boolean =>
    redisClient === undefined || (redisClient.status === 'ready' && syncedBus?.synced() === true);
  for (let waited = 0; !coordinationReady() && waited < STARTUP_REDIS_WAIT_MS; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

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
  const reporter = new RequestReporter(logger, metrics);
  metrics.observePool(() => pool.states());
  const usage = new UsageRecorder({
    db: store.db,
    maxPending: config.usageMaxPendingRows,
    onError: (err, pendingRows) =>
      logger.error({ err: err instanceof Error ? err.message : String(err), pendingRows }, 'usage write failed; will retry'),
    onRecovered: (failures) => logger.info({ failedAttempts: failures }, 'usage rows written again'),
    onDropped: (rows, reason) => {
      metrics.usageRowsDropped(rows);
      logger.error(
        { rows, reason },
        reason === 'memory'
          ? 'usage rows dropped: more rows waited for the database than ZAI_USAGE_MAX_PENDING_ROWS'
          : 'usage rows lost: the database did not take them before the shutdown grace period ended',
      );
    },
    onReservationsDone: (ids) => postgresLedger?.usageWritten(ids),
  });
  metrics.gauge('zai_usage_rows_pending', 'Usage rows waiting to be written to the database.', () => usage.pending);
  metrics.gauge('zai_spend_settlements_pending', 'Spend settlements and releases waiting to be retried.', () => ledger.unsettled);
  if (redisClient !== undefined) {
    metrics.gauge('zai_coordination_ready', '1 while Redis answers and cache invalidations are heard, else 0.', () =>
      coordinationReady() ? 1 : 0,
    );
  }
  const analytics = new UsageAnalytics({ dialect: store.dialect, sqlitePath: store.sqlitePath, databaseUrl: config.databaseUrl });
  const usageMaintenance = new UsageMaintenance({ db: store.db, logger, retentionDays: config.usageRetentionDays });
  usageMaintenance.start();
  const upstream = new UpstreamClient({ ...config.upstream, policy, logger });
  const models = new ModelLister({ providers, upstream, logger });
  const gateway: GatewayDeps = {
    keys,
    providers,
    prices,
    ledger,
    usage,
    reporter,
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
    reporter,
    analytics,
    usageMaintenance,
    upstream,
    models,
    gateway,
    bus,
    audit,
    metrics,
    async ready() {
      const check = (async () => {
        await store.db.selectFrom('users').select('id').limit(1).execute();
        if (redisClient !== undefined) {
          if (!coordinationReady()) return false;
          await redisClient.ping();
        }
        return true;
      })().catch(() => false);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), READY_DEADLINE_MS)));
      try {
        return await Promise.race([check, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close(deadline = 0) {
      reporter.drain();
      await usageMaintenance.close();
      await analytics.close();
      // Usage first: on the PostgreSQL ledger its rows settle reservations, renewed until then.
      const rowsLost = await usage.close(deadline);
      const settlementsLost = await ledger.close(deadline);
      if (settlementsLost > 0) {
        logger.error(
          { settlements: settlementsLost },
          'spend settlements lost: Redis did not take them before the shutdown grace period ended',
        );
      }
      await upstream.close();
      await bus.close();
      redisClient?.disconnect();
      await store.close();
      return rowsLost + settlementsLost;
    },
  };
}
