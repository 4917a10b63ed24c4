/**
 * Exact integer cost of a request.
 *
 * Units: money is integer nano-USD inside Z-AI (1 USD = 1e9) and integer micro-USD in the API.
 * A price of p USD per million tokens is p micro-USD per token, i.e. p × 1e6 pico-USD per token;
 * prices have at most 6 decimals (`price-catalog.ts`), so `Math.round(p * 1e6)` is that integer
 * exactly. Each request is summed in pico-USD and rounded up once to nano-USD, so a request is never
 * under-billed and never over-billed by 1 nano-USD or more, and a cheap request never rounds to 0.
 */
import type { TokenUsage } from '../openai/types.js';
import type { ModelPrice } from './price-catalog.js';

const PICO_PER_NANO = 1000n;

/**
 * A price in USD per million tokens as integer pico-USD per token (the same integer as micro-USD per
 * million tokens, the unit the database stores).
 * @throws RangeError for a negative, non-finite or absurd price.
 */
export function picoUsdPerToken(usdPerMtok: number): number {
  if (!Number.isFinite(usdPerMtok) || usdPerMtok < 0) {
    throw new RangeError(`A price must be a finite number ≥ 0 USD per million tokens, got ${usdPerMtok}`);
  }
  const pico = Math.round(usdPerMtok * 1e6);
  if (!Number.isSafeInteger(pico)) {
    throw new RangeError(`A price of ${usdPerMtok} USD per million tokens is out of range`);
  }
  return pico;
}

function tokenCount(name: string, value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be an integer ≥ 0, got ${value}`);
  }
  return BigInt(value);
}

/**
 * The cost of one request in nano-USD, rounded up.
 *
 * `promptTokens` counts every input token; cache reads (`cachedTokens`) and cache writes are parts
 * of it, billed at their own prices (`effectiveCachePrices`), and the rest at the input price.
 * `completionTokens` already includes reasoning tokens, so they are never billed twice. Should a
 * provider report more cached and written than prompt tokens, every one of them is still billed and
 * none twice.
 *
 * A default cache price may be a fraction of the input price (1.25×), so the sum is kept in
 * hundredths of a pico-USD: exact for every multiple, rounded up once.
 *
 * BigInt because tokens × pico-USD can pass 2^53: 10M tokens at the 10,000 USD/Mtok ceiling is
 * 1e7 × 1e10 = 1e17 pico-USD. The nano-USD result fits a Number for any cost below 9 million USD.
 * @throws RangeError for negative or fractional token counts or an invalid price.
 */
export function costNanoUsd(usage: TokenUsage, price: ModelPrice): number {
  const prompt = tokenCount('promptTokens', usage.promptTokens);
  const completion = tokenCount('completionTokens', usage.completionTokens);
  const cached = tokenCount('cachedTokens', usage.cachedTokens);
  const write5m = tokenCount('cacheWrite5mTokens', usage.cacheWrite5mTokens ?? 0);
  const write1h = tokenCount('cacheWrite1hTokens', usage.cacheWrite1hTokens ?? 0);
  const special = cached + write5m + write1h;
  const uncached = prompt > special ? prompt - special : 0n;

  const rates = centiPicoRates(price);
  const totalCentiPico =
    uncached * rates.input +
    cached * rates.cachedInput +
    write5m * rates.write5m +
    write1h * rates.write1h +
    completion * rates.output;
  const nano = (totalCentiPico + CENTI_PICO_PER_NANO - 1n) / CENTI_PICO_PER_NANO;
  if (nano > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`Cost of ${nano} nano-USD is beyond the supported range`);
  }
  return Number(nano);
}

const CENTI_PICO_PER_NANO = PICO_PER_NANO * 100n;

interface CentiPicoRates {
  input: bigint;
  cachedInput: bigint;
  write5m: bigint;
  write1h: bigint;
  output: bigint;
}

/** Prices are few and long-lived objects (a new one on every change): each one's rates are worked out once. */
const ratesByPrice = new WeakMap<ModelPrice, CentiPicoRates>();

/** Per-token rates in hundredths of a pico-USD, cache defaults filled in. */
export function centiPicoRates(price: ModelPrice): CentiPicoRates {
  let rates = ratesByPrice.get(price);
  if (rates === undefined) {
    rates = computeRates(price);
    ratesByPrice.set(price, rates);
  }
  return rates;
}

function computeRates(price: ModelPrice): CentiPicoRates {
  const input = BigInt(picoUsdPerToken(price.inputUsdPerMtok));
  const explicit = (usd: number | null | undefined): bigint | undefined =>
    usd === null || usd === undefined ? undefined : BigInt(picoUsdPerToken(usd)) * 100n;
  const multiple = defaultCacheMultiples(price.model);
  return {
    input: input * 100n,
    cachedInput: explicit(price.cachedInputUsdPerMtok) ?? input * multiple.cachedInput,
    write5m: explicit(price.cacheWrite5mUsdPerMtok) ?? input * multiple.write5m,
    write1h: explicit(price.cacheWrite1hUsdPerMtok) ?? input * multiple.write1h,
    output: BigInt(picoUsdPerToken(price.outputUsdPerMtok)) * 100n,
  };
}

/**
 * Cache prices, in hundredths of the input price, for a price that leaves them out: Anthropic's
 * published multiples (reads 0.1×, 5-minute writes 1.25×, 1-hour writes 2×); elsewhere the input
 * price (a provider that publishes a cached price has it in the catalog).
 */
function defaultCacheMultiples(model: string): { cachedInput: bigint; write5m: bigint; write1h: bigint } {
  return model.startsWith('anthropic/')
    ? { cachedInput: 10n, write5m: 125n, write1h: 200n }
    : { cachedInput: 100n, write5m: 100n, write1h: 100n };
}

/** The cache prices that bill a model, USD per million tokens, defaults filled in (for display). */
export function effectiveCachePrices(price: ModelPrice): { cachedInput: number; write5m: number; write1h: number } {
  const rates = centiPicoRates(price);
  const usd = (centiPico: bigint): number => Number(centiPico) / 1e8;
  return { cachedInput: usd(rates.cachedInput), write5m: usd(rates.write5m), write1h: usd(rates.write1h) };
}

/** Nano-USD to the API's micro-USD, to the nearest micro-USD. */
export function nanoToMicro(nano: number): number {
  if (!Number.isSafeInteger(nano)) throw new RangeError(`nano-USD must be a safe integer, got ${nano}`);
  // Exact: for |nano| < 2^53 the quotient of a halfway value (k × 1000 + 500) is exactly k.5.
  // `|| 0` turns Math.round's -0 into 0.
  return Math.round(nano / 1000) || 0;
}

/** The API's micro-USD to nano-USD (exact). */
export function microToNano(micro: number): number {
  if (!Number.isSafeInteger(micro)) throw new RangeError(`micro-USD must be a safe integer, got ${micro}`);
  const nano = micro * 1000;
  if (!Number.isSafeInteger(nano)) throw new RangeError(`${micro} micro-USD is beyond the supported range`);
  return nano;
}
