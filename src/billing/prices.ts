/**
 * Prices an account sees: the shipped catalog plus its own custom prices (custom wins; 0 is free).
 * Custom prices are stored as integer micro-USD per million tokens and cached per account,
 * invalidated on change, so pricing a request never waits on the database.
 */
import type { Kysely } from 'kysely';
import { invalidRequest, notFound } from '../errors.js';
import type { InvalidationBus } from '../coordination/invalidation.js';
import type { Database, PricesTable } from '../store/schema.js';
import { effectiveCachePrices } from './cost.js';
import { confirmationRequired, importPrices, loadImportedPrices, type ImportReport } from './price-import.js';
import { CATALOG, findCatalogModel, resolvePrice, validatePriceInput, type ModelPrice } from './price-catalog.js';

export interface PriceEntry {
  model: string;
  input_usd_per_mtok: number;
  output_usd_per_mtok: number;
  cached_input_usd_per_mtok: number | null;
  /** Null when the price leaves it out; `effective` says what is then billed. */
  cache_write_5m_usd_per_mtok: number | null;
  cache_write_1h_usd_per_mtok: number | null;
  /** The cache prices billed, defaults filled in (cost.ts). */
  effective: {
    cached_input_usd_per_mtok: number;
    cache_write_5m_usd_per_mtok: number;
    cache_write_1h_usd_per_mtok: number;
  };
  source: 'catalog' | 'custom';
}

function usdToMicro(value: number): number {
  return Math.round(value * 1e6);
}

function optionalUsdToMicro(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : usdToMicro(value);
}

function optionalMicroToUsd(value: number | null): number | null {
  return value === null ? null : value / 1e6;
}

function rowToPrice(row: PricesTable): ModelPrice {
  return {
    model: row.model,
    inputUsdPerMtok: row.input_micro_usd_per_mtok / 1e6,
    outputUsdPerMtok: row.output_micro_usd_per_mtok / 1e6,
    cachedInputUsdPerMtok: optionalMicroToUsd(row.cached_input_micro_usd_per_mtok),
    cacheWrite5mUsdPerMtok: optionalMicroToUsd(row.cache_write_5m_micro_usd_per_mtok),
    cacheWrite1hUsdPerMtok: optionalMicroToUsd(row.cache_write_1h_micro_usd_per_mtok),
    source: 'custom',
  };
}

function toEntry(price: ModelPrice): PriceEntry {
  const effective = effectiveCachePrices(price);
  return {
    model: price.model,
    input_usd_per_mtok: price.inputUsdPerMtok,
    output_usd_per_mtok: price.outputUsdPerMtok,
    cached_input_usd_per_mtok: price.cachedInputUsdPerMtok,
    cache_write_5m_usd_per_mtok: price.cacheWrite5mUsdPerMtok ?? null,
    cache_write_1h_usd_per_mtok: price.cacheWrite1hUsdPerMtok ?? null,
    effective: {
      cached_input_usd_per_mtok: effective.cachedInput,
      cache_write_5m_usd_per_mtok: effective.write5m,
      cache_write_1h_usd_per_mtok: effective.write1h,
    },
    source: price.source,
  };
}

/** How often a replica looks for prices imported by another process (`zai prices import`). */
const IMPORTED_REFRESH_MS = 30_000;

function signatureOf(map: Map<string, ModelPrice>): string {
  return JSON.stringify([...map.values()]);
}

export class Prices {
  private readonly cache = new Map<string, Promise<Map<string, ModelPrice>>>();
  private imported: { load: Promise<Map<string, ModelPrice>>; at: number; signature: string } | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly bus: InvalidationBus,
  ) {
    bus.subscribe((message) => {
      if (message.kind === 'prices') this.cache.delete(message.userId);
      else if (message.kind === 'all') {
        this.imported = undefined;
        this.cache.clear();
      }
    });
  }

  /**
   * The deployment's imported prices; reloaded in the background every 30 s (requests never wait
   * for it after the first load), and the accounts' maps rebuilt only when they changed.
   */
  private importedPrices(): Promise<Map<string, ModelPrice>> {
    const now = Date.now();
    if (this.imported === undefined) {
      const load = loadImportedPrices(this.db);
      const entry = { load, at: now, signature: '' };
      this.imported = entry;
      load.then(
        (map) => (entry.signature = signatureOf(map)),
        () => {
          if (this.imported === entry) this.imported = undefined;
        },
      );
      return load;
    }
    if (now - this.imported.at > IMPORTED_REFRESH_MS) {
      const entry = this.imported;
      entry.at = now;
      loadImportedPrices(this.db).then(
        (map) => {
          const signature = signatureOf(map);
          if (this.imported !== entry || signature === entry.signature) return;
          this.imported = { load: Promise.resolve(map), at: now, signature };
          this.cache.clear();
        },
        () => undefined,
      );
    }
    return this.imported.load;
  }

  /** The prices that override the shipped catalog for this account: imported ones, then its own (cached). */
  custom(userId: string): Promise<Map<string, ModelPrice>> {
    const imported = this.importedPrices();
    let entry = this.cache.get(userId);
    if (entry === undefined) {
      const own = this.db.selectFrom('prices').selectAll().where('user_id', '=', userId).execute();
      entry = Promise.all([imported, own]).then(
        ([deployment, rows]) => new Map([...deployment, ...rows.map((row) => [row.model, rowToPrice(row)] as const)]),
      );
      this.cache.set(userId, entry);
      entry.catch(() => this.cache.delete(userId));
    }
    return entry;
  }

  /** Imports a LiteLLM-format price list as the deployment's catalog (see price-import.ts). */
  async importCatalog(json: unknown, confirm: boolean): Promise<ImportReport> {
    const report = await importPrices(this.db, json, { confirm });
    if (!report.applied) throw confirmationRequired(report);
    // Every account's map includes the imported prices, on every replica.
    this.bus.publish({ kind: 'all' });
    return report;
  }

  /** The price that applies to a model for this account, if any. */
  async resolve(userId: string, model: string): Promise<ModelPrice | undefined> {
    return resolvePrice(model, await this.custom(userId));
  }

  /** Catalog and custom entries; a custom entry replaces the catalog one for the same model. */
  async list(userId: string): Promise<PriceEntry[]> {
    const custom = await this.custom(userId);
    const out: PriceEntry[] = [];
    for (const model of CATALOG) {
      const price = resolvePrice(model.model, custom);
      if (price) out.push(toEntry(price));
    }
    for (const price of custom.values()) {
      if (!findCatalogModel(price.model)) out.push(toEntry(price));
    }
    return out;
  }

  async put(userId: string, input: unknown): Promise<PriceEntry> {
    const price = validatePriceInput(input);
    const model = price.model.trim();
    if (model.includes('*')) throw invalidRequest('model must be one model string, not a pattern.', 'model');
    const row: PricesTable = {
      user_id: userId,
      model,
      input_micro_usd_per_mtok: usdToMicro(price.inputUsdPerMtok),
      output_micro_usd_per_mtok: usdToMicro(price.outputUsdPerMtok),
      cached_input_micro_usd_per_mtok: optionalUsdToMicro(price.cachedInputUsdPerMtok),
      cache_write_5m_micro_usd_per_mtok: optionalUsdToMicro(price.cacheWrite5mUsdPerMtok),
      cache_write_1h_micro_usd_per_mtok: optionalUsdToMicro(price.cacheWrite1hUsdPerMtok),
      updated_at: Date.now(),
    };
    await this.db
      .insertInto('prices')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['user_id', 'model']).doUpdateSet({
          input_micro_usd_per_mtok: row.input_micro_usd_per_mtok,
          output_micro_usd_per_mtok: row.output_micro_usd_per_mtok,
          cached_input_micro_usd_per_mtok: row.cached_input_micro_usd_per_mtok,
          cache_write_5m_micro_usd_per_mtok: row.cache_write_5m_micro_usd_per_mtok,
          cache_write_1h_micro_usd_per_mtok: row.cache_write_1h_micro_usd_per_mtok,
          updated_at: row.updated_at,
        }),
      )
      .execute();
    this.bus.publish({ kind: 'prices', userId });
    return toEntry(rowToPrice(row));
  }

  async remove(userId: string, model: string): Promise<void> {
    const result = await this.db.deleteFrom('prices').where('user_id', '=', userId).where('model', '=', model).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound('Custom price');
    this.bus.publish({ kind: 'prices', userId });
  }
}
