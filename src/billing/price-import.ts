/**
 * The deployment's imported catalog (`catalog_prices`): prices read from a LiteLLM-format list by
 * `zai prices import FILE` or `POST /api/admin/prices/import`. They replace the shipped catalog's
 * figures for the same model and add models it lacks; an account's own prices still win.
 */
import type { Kysely } from 'kysely';
import { GatewayError } from '../errors.js';
import type { CatalogPricesTable, Database } from '../store/schema.js';
import { parseLiteLlmPrices } from './litellm-prices.js';
import { findCatalogModel, toModelPrice, type ModelPrice } from './price-catalog.js';

/** A price moving by more than this factor either way needs confirmation (a unit mix-up, a typo). */
const BIG_MOVE = 10;

export interface PriceChange {
  model: string;
  from: { input_usd_per_mtok: number; output_usd_per_mtok: number } | null;
  to: { input_usd_per_mtok: number; output_usd_per_mtok: number };
}

export interface ImportReport {
  /** False when big moves waited for confirmation: nothing was written. */
  applied: boolean;
  changed: PriceChange[];
  unchanged: number;
  skipped: number;
  /** Changes of more than 10× (either way) of the input or output price. */
  big_moves: PriceChange[];
}

function micro(usd: number | null | undefined): number | null {
  return usd === null || usd === undefined ? null : Math.round(usd * 1e6);
}

function usd(microUsd: number | null): number | null {
  return microUsd === null ? null : microUsd / 1e6;
}

function rowToPrice(row: CatalogPricesTable): ModelPrice {
  return {
    model: row.model,
    inputUsdPerMtok: row.input_micro_usd_per_mtok / 1e6,
    outputUsdPerMtok: row.output_micro_usd_per_mtok / 1e6,
    cachedInputUsdPerMtok: usd(row.cached_input_micro_usd_per_mtok),
    cacheWrite5mUsdPerMtok: usd(row.cache_write_5m_micro_usd_per_mtok),
    cacheWrite1hUsdPerMtok: usd(row.cache_write_1h_micro_usd_per_mtok),
    source: 'catalog',
  };
}

/** Every imported price by model. */
export async function loadImportedPrices(db: Kysely<Database>): Promise<Map<string, ModelPrice>> {
  const rows = await db.selectFrom('catalog_prices').selectAll().execute();
  return new Map(rows.map((row) => [row.model, rowToPrice(row)]));
}

function samePrice(a: ModelPrice, b: ModelPrice): boolean {
  return (
    micro(a.inputUsdPerMtok) === micro(b.inputUsdPerMtok) &&
    micro(a.outputUsdPerMtok) === micro(b.outputUsdPerMtok) &&
    micro(a.cachedInputUsdPerMtok) === micro(b.cachedInputUsdPerMtok) &&
    micro(a.cacheWrite5mUsdPerMtok) === micro(b.cacheWrite5mUsdPerMtok) &&
    micro(a.cacheWrite1hUsdPerMtok) === micro(b.cacheWrite1hUsdPerMtok)
  );
}

function bigMove(from: number, to: number): boolean {
  if (from === to) return false;
  if (from === 0 || to === 0) return from !== to && Math.max(from, to) > 0 && from !== 0;
  return to / from > BIG_MOVE || from / to > BIG_MOVE;
}

/**
 * Validates a LiteLLM-format list, compares it with the deployment's current prices and, unless a
 * big move waits for `confirm`, writes it in one transaction.
 * @throws GatewayError 400 for a malformed list (nothing written).
 */
export async function importPrices(db: Kysely<Database>, json: unknown, options: { confirm: boolean }): Promise<ImportReport> {
  const { prices, skipped } = parseLiteLlmPrices(json);
  const imported = await loadImportedPrices(db);
  const changed: PriceChange[] = [];
  const bigMoves: PriceChange[] = [];
  const writes: ModelPrice[] = [];
  let unchanged = 0;
  for (const price of prices) {
    const shipped = findCatalogModel(price.model);
    const current = imported.get(price.model) ?? (shipped ? toModelPrice(shipped) : undefined);
    if (current !== undefined && samePrice(current, price)) {
      unchanged += 1;
      continue;
    }
    const change: PriceChange = {
      model: price.model,
      from: current ? { input_usd_per_mtok: current.inputUsdPerMtok, output_usd_per_mtok: current.outputUsdPerMtok } : null,
      to: { input_usd_per_mtok: price.inputUsdPerMtok, output_usd_per_mtok: price.outputUsdPerMtok },
    };
    changed.push(change);
    writes.push(price);
    if (
      current !== undefined &&
      (bigMove(current.inputUsdPerMtok, price.inputUsdPerMtok) || bigMove(current.outputUsdPerMtok, price.outputUsdPerMtok))
    ) {
      bigMoves.push(change);
    }
  }
  const report = { changed, unchanged, skipped, big_moves: bigMoves };
  if (bigMoves.length > 0 && !options.confirm) return { applied: false, ...report };
  const now = Date.now();
  await db.transaction().execute(async (trx) => {
    for (const price of writes) {
      const row: CatalogPricesTable = {
        model: price.model,
        input_micro_usd_per_mtok: Math.round(price.inputUsdPerMtok * 1e6),
        output_micro_usd_per_mtok: Math.round(price.outputUsdPerMtok * 1e6),
        cached_input_micro_usd_per_mtok: micro(price.cachedInputUsdPerMtok),
        cache_write_5m_micro_usd_per_mtok: micro(price.cacheWrite5mUsdPerMtok),
        cache_write_1h_micro_usd_per_mtok: micro(price.cacheWrite1hUsdPerMtok),
        updated_at: now,
      };
      const { model: _model, ...update } = row;
      await trx
        .insertInto('catalog_prices')
        .values(row)
        .onConflict((oc) => oc.column('model').doUpdateSet(update))
        .execute();
    }
  });
  return { applied: true, ...report };
}

/** The 409 of an import whose big moves were not confirmed. */
export function confirmationRequired(report: ImportReport): GatewayError {
  const list = report.big_moves
    .slice(0, 5)
    .map(
      (c) =>
        `${c.model} ${c.from?.input_usd_per_mtok}/${c.from?.output_usd_per_mtok} → ${c.to.input_usd_per_mtok}/${c.to.output_usd_per_mtok}`,
    )
    .join('; ');
  return new GatewayError({
    status: 409,
    type: 'invalid_request_error',
    code: 'confirmation_required',
    message: `${report.big_moves.length} price(s) would move by more than ${BIG_MOVE}× (input/output USD per million tokens: ${list}). Nothing changed; repeat with yes=true (the CLI: --yes) to import.`,
  });
}
