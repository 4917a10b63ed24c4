/**
 * Background upkeep of the usage tables, once a minute: compact finished hours into hour and day
 * rollups (rollup-compactor.ts) and, with ZAI_USAGE_RETENTION_DAYS, delete request rows older than
 * that (usage-retention.ts). Work is cut into small transactions with a turn of the event loop
 * between them, so on SQLite (one connection, synchronous) no step holds the gateway for long.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import { RollupCompactor } from './rollup-compactor.js';
import { DAY } from './rollups.js';
import { pruneUsage } from './usage-retention.js';

export interface UsageMaintenanceOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** Keep request rows this many days; undefined keeps them all. */
  retentionDays: number | undefined;
  intervalMs?: number;
}

export interface MaintenanceResult {
  compactedHours: number;
  pruned: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class UsageMaintenance {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<MaintenanceResult> | undefined;
  private closed = false;
  private readonly compactor: RollupCompactor;

  constructor(private readonly options: UsageMaintenanceOptions) {
    this.compactor = new RollupCompactor(options.db);
  }

  start(): void {
    const interval = this.options.intervalMs ?? 60_000;
    this.timer = setInterval(() => void this.runOnce().catch((err: unknown) => this.report(err)), interval);
    this.timer.unref();
  }

  /** One round of compaction and pruning (concurrent calls share the round in progress). */
  runOnce(now = Date.now()): Promise<MaintenanceResult> {
    this.running ??= this.round(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async round(now: number): Promise<MaintenanceResult> {
    const result: MaintenanceResult = { compactedHours: 0, pruned: 0 };
    for (const user of await this.compactor.users()) {
      while (!this.closed && (await this.compactor.step(user, now))) {
        result.compactedHours += 1;
        await nextTurn();
      }
    }
    const days = this.options.retentionDays;
    if (days !== undefined && !this.closed) {
      result.pruned = await pruneUsage(this.options.db, now - days * DAY, { pause: nextTurn, stopped: () => this.closed });
      if (result.pruned > 0) this.options.logger.info({ rows: result.pruned, retentionDays: days }, 'usage rows pruned');
    }
    return result;
  }

  private report(err: unknown): void {
    this.options.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'usage maintenance failed; will retry');
  }
}
