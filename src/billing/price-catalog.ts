/**
 * The shipped model and price catalog (`catalog.json`) and the lookup that combines it with an
 * account's own prices.
 *
 * Prices are USD per million tokens, the unit every provider publishes, which is also micro-USD per
 * token. They stay plain numbers here; `cost.ts` turns each one into an integer once, so no float
 * ever touches money.
 *
 * The catalog is validated when this module loads: a malformed catalog is a build defect, and a
 * silently missing price would let a capped key spend without limit, so the process refuses to start.
 *
 * Known limits of the catalog's shape, on purpose kept simple for now:
 * - One price tier per model. Long-context surcharges (OpenAI GPT-5.4+ above 272K input tokens,
 *   Gemini Pro above 200K) are not modelled; the listed price is the base tier.
 * - Cache prices are optional: a model that leaves them out is billed at the defaults of
 *   `cost.ts` (Anthropic's published multiples of the input price; the input price elsewhere).
 */
import { z } from 'zod';
import { invalidRequest } from '../errors.js';
import { HOSTED_PROVIDER_IDS } from '../providers/provider.js';
import catalogJson from './catalog.json' with { type: 'json' };

/** The price used to bill one model, USD per million tokens. */
export interface ModelPrice {
  model: string;
  inputUsdPerMtok: number;
  outputUsdPerMtok: number;
  /** Price of prompt tokens served from the provider's cache; null bills them at the input price. */
  cachedInputUsdPerMtok: number | null;
  /** Price of prompt tokens written to a 5-minute cache; null or absent: the default (`cost.ts`). */
  cacheWrite5mUsdPerMtok?: number | null;
  /** Price of prompt tokens written to a 1-hour cache; null or absent: the default (`cost.ts`). */
  cacheWrite1hUsdPerMtok?: number | null;
  source: 'catalog' | 'custom';
}

/** One entry of the shipped catalog. */
export interface CatalogModel {
  /** `provider/model-id`, split at the first `/`. */
  model: string;
  kind: 'chat' | 'embedding';
  inputUsdPerMtok: number;
  outputUsdPerMtok: number;
  cachedInputUsdPerMtok: number | null;
  cacheWrite5mUsdPerMtok: number | null;
  cacheWrite1hUsdPerMtok: number | null;
  maxOutputTokens: number | null;
  contextWindow: number | null;
  /** The day the price was read from `source` (YYYY-MM-DD). */
  asOf: string;
  /** The provider's pricing page the figures come from. */
  source: string;
}

/** Largest accepted price. Far above any list price, low enough to catch a unit mix-up (per token vs per million). */
export const MAX_USD_PER_MTOK = 10_000;

/**
 * At most 6 decimals, so `Math.round(p * 1e6)` in `cost.ts` is the exact integer price in
 * pico-USD per token (the same integer the database stores as micro-USD per million tokens).
 */
function hasAtMostSixDecimals(value: number): boolean {
  return Number(value.toFixed(6)) === value;
}

/** A price in USD per million tokens. zod 4 numbers already refuse NaN and ±Infinity. */
const usdPerMtok = z
  .number()
  .min(0, 'must be ≥ 0')
  .max(MAX_USD_PER_MTOK, `must be ≤ ${MAX_USD_PER_MTOK}`)
  .refine(hasAtMostSixDecimals, 'must have at most 6 decimal places');

const tokenCount = z.number().int().positive();

/** `provider/model`: a provider name (lowercase letters, digits, `-`) and a non-empty model id without whitespace. */
export const MODEL_STRING_PATTERN = /^[a-z0-9][a-z0-9-]*\/\S+$/;

const modelString = z.string().max(256).regex(MODEL_STRING_PATTERN, 'must look like "provider/model-id"');

const catalogEntrySchema = z
  .object({
    model: modelString.refine(
      (model) => (HOSTED_PROVIDER_IDS as readonly string[]).includes(providerOf(model)),
      `provider must be one of ${HOSTED_PROVIDER_IDS.join(', ')}`,
    ),
    kind: z.enum(['chat', 'embedding']),
    input_usd_per_mtok: usdPerMtok,
    output_usd_per_mtok: usdPerMtok,
    cached_input_usd_per_mtok: usdPerMtok.nullable(),
    cache_write_5m_usd_per_mtok: usdPerMtok.nullable().optional(),
    cache_write_1h_usd_per_mtok: usdPerMtok.nullable().optional(),
    max_output_tokens: tokenCount.nullable(),
    context_window: tokenCount.nullable(),
    as_of: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a YYYY-MM-DD date'),
    source: z.url({ protocol: /^https$/ }),
  })
  .strict()
  // A chat model without an output ceiling would make the worst-case spend reservation unbounded.
  .refine((entry) => entry.kind !== 'chat' || entry.max_output_tokens !== null, {
    message: 'a chat model needs max_output_tokens',
    path: ['max_output_tokens'],
  })
  .refine((entry) => entry.kind !== 'embedding' || entry.output_usd_per_mtok === 0, {
    message: 'an embedding model has no output price',
    path: ['output_usd_per_mtok'],
  });

const catalogSchema = z
  .object({ version: z.literal(1), models: z.array(catalogEntrySchema).min(1) })
  .strict()
  .superRefine((catalog, ctx) => {
    const seen = new Set<string>();
    catalog.models.forEach((entry, index) => {
      if (seen.has(entry.model)) {
        ctx.addIssue({ code: 'custom', message: `duplicate model "${entry.model}"`, path: ['models', index, 'model'] });
      }
      seen.add(entry.model);
    });
  });

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** The provider part of a model string: everything before the first `/`. */
function providerOf(model: string): string {
  const slash = model.indexOf('/');
  return slash === -1 ? model : model.slice(0, slash);
}

/**
 * Validates catalog JSON and maps it to camelCase entries.
 * @throws Error naming the first offending fields when the JSON does not match the catalog format.
 */
export function parseCatalog(json: unknown): CatalogModel[] {
  const result = catalogSchema.safeParse(json);
  if (!result.success) {
    throw new Error(`Invalid billing catalog (src/billing/catalog.json): ${describeIssues(result.error)}`);
  }
  return result.data.models.map((entry) => ({
    model: entry.model,
    kind: entry.kind,
    inputUsdPerMtok: entry.input_usd_per_mtok,
    outputUsdPerMtok: entry.output_usd_per_mtok,
    cachedInputUsdPerMtok: entry.cached_input_usd_per_mtok,
    cacheWrite5mUsdPerMtok: entry.cache_write_5m_usd_per_mtok ?? null,
    cacheWrite1hUsdPerMtok: entry.cache_write_1h_usd_per_mtok ?? null,
    maxOutputTokens: entry.max_output_tokens,
    contextWindow: entry.context_window,
    asOf: entry.as_of,
    source: entry.source,
  }));
}

/** The shipped catalog, validated at load and frozen so no caller can edit shared prices. */
export const CATALOG: readonly CatalogModel[] = Object.freeze(parseCatalog(catalogJson).map((entry) => Object.freeze(entry)));

const catalogByModel = new Map(CATALOG.map((entry) => [entry.model, entry]));

/** The catalog entry for an exact `provider/model` string. Model ids are case-sensitive upstream, so no folding. */
export function findCatalogModel(model: string): CatalogModel | undefined {
  return catalogByModel.get(model);
}

/** The catalog entries of one provider (the part of the model string before the first `/`). */
export function catalogModelsFor(providerId: string): CatalogModel[] {
  return CATALOG.filter((entry) => providerOf(entry.model) === providerId);
}

/** A catalog entry as a billing price. */
export function toModelPrice(entry: CatalogModel): ModelPrice {
  return {
    model: entry.model,
    inputUsdPerMtok: entry.inputUsdPerMtok,
    outputUsdPerMtok: entry.outputUsdPerMtok,
    cachedInputUsdPerMtok: entry.cachedInputUsdPerMtok,
    cacheWrite5mUsdPerMtok: entry.cacheWrite5mUsdPerMtok,
    cacheWrite1hUsdPerMtok: entry.cacheWrite1hUsdPerMtok,
    source: 'catalog',
  };
}

/**
 * The price that bills `model` for one account: its own price if it set one, else the catalog's.
 * A custom price of 0 is a real price ("free", e.g. a self-hosted model), never "unknown".
 * Undefined means the model is unpriced, which a capped key must refuse (`model_not_priced`).
 */
export function resolvePrice(model: string, customPrices: ReadonlyMap<string, ModelPrice>): ModelPrice | undefined {
  const custom = customPrices.get(model);
  // An imported catalog price comes through this map too, as source 'catalog' (prices.ts).
  if (custom !== undefined) return custom.model === model ? custom : Object.assign({}, custom, { model });
  const entry = catalogByModel.get(model);
  if (entry === undefined) return undefined;
  let price = catalogPrices.get(entry);
  if (price === undefined) catalogPrices.set(entry, (price = toModelPrice(entry)));
  return price;
}

/**
 * One price object per catalog entry, as the custom prices are one per change: the cost's rates
 * are worked out once per price object (cost.ts), not on every request.
 */
const catalogPrices = new WeakMap<CatalogModel, ModelPrice>();

/** The body of `PUT /api/prices`. */
export const priceInputSchema = z.object({
  model: modelString,
  input_usd_per_mtok: usdPerMtok,
  output_usd_per_mtok: usdPerMtok,
  cached_input_usd_per_mtok: usdPerMtok.nullable().optional(),
  cache_write_5m_usd_per_mtok: usdPerMtok.nullable().optional(),
  cache_write_1h_usd_per_mtok: usdPerMtok.nullable().optional(),
});
export type PriceInput = z.infer<typeof priceInputSchema>;

/**
 * Validates a `PUT /api/prices` body into an account's custom price.
 * @throws GatewayError 400 `invalid_request` naming the offending field.
 */
export function validatePriceInput(body: unknown): ModelPrice {
  const result = priceInputSchema.safeParse(body);
  if (!result.success) {
    const first = result.error.issues[0];
    const param = first !== undefined && first.path.length > 0 ? first.path.join('.') : null;
    throw invalidRequest(`Invalid price: ${describeIssues(result.error)}`, param);
  }
  return {
    model: result.data.model,
    inputUsdPerMtok: result.data.input_usd_per_mtok,
    outputUsdPerMtok: result.data.output_usd_per_mtok,
    cachedInputUsdPerMtok: result.data.cached_input_usd_per_mtok ?? null,
    cacheWrite5mUsdPerMtok: result.data.cache_write_5m_usd_per_mtok ?? null,
    cacheWrite1hUsdPerMtok: result.data.cache_write_1h_usd_per_mtok ?? null,
    source: 'custom',
  };
}
