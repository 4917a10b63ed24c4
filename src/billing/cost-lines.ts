/**
 * A request's cost line by line, for its details: what it was computed on (`CostBasis`, kept with
 * the usage row when the request is served, so later price changes do not rewrite it) and the
 * lines shown from it. Reasoning tokens are part of the output tokens and billed at the output
 * price, so they have no line of their own.
 */
import type { TokenUsage } from '../openai/types.js';
import { centiPicoRates } from './cost.js';
import type { ModelPrice } from './price-catalog.js';

/** The token classes of a cost, in the order of CostBasis' arrays. */
export const COST_CLASSES = ['input', 'cached_input', 'cache_write_5m', 'cache_write_1h', 'output'] as const;
export type CostClass = (typeof COST_CLASSES)[number];

/** Tokens billed per class (COST_CLASSES order) and each class' price, USD per million tokens. */
export interface CostBasis {
  tokens: number[];
  usdPerMtok: number[];
}

export interface CostLine {
  class: CostClass;
  tokens: number;
  usd_per_mtok: number;
  cost_micro_usd: number;
}

/** Hundredths of a pico-USD per micro-USD. */
const CENTI_PICO_PER_MICRO = 100_000_000n;

/** Prices are few and long-lived objects: their rates are worked out once each. */
const ratesOf = new WeakMap<ModelPrice, number[]>();

function usdPerMtok(price: ModelPrice): number[] {
  let usd = ratesOf.get(price);
  if (usd === undefined) {
    const r = centiPicoRates(price);
    // A centi-pico rate over 1e8 is USD per million tokens with at most 8 decimals: exact enough
    // for Math.round(usd * 1e8) to give the integer back.
    usd = [r.input, r.cachedInput, r.write5m, r.write1h, r.output].map((rate) => Number(rate) / 1e8);
    ratesOf.set(price, usd);
  }
  return usd;
}

/** What `costNanoUsd(usage, price)` bills: the same split of the prompt into its classes. */
export function costBasis(usage: TokenUsage, price: ModelPrice): CostBasis {
  const cached = usage.cachedTokens;
  const write5m = usage.cacheWrite5mTokens ?? 0;
  const write1h = usage.cacheWrite1hTokens ?? 0;
  const uncached = Math.max(0, usage.promptTokens - cached - write5m - write1h);
  return { tokens: [uncached, cached, write5m, write1h, usage.completionTokens], usdPerMtok: usdPerMtok(price) };
}

/**
 * The lines of a basis whose tokens are not zero. Each line's exact cost is rounded so that the
 * lines add up to `totalMicroUsd` (the request's cost, which was rounded once for the whole):
 * every line gets its exact cost rounded down, and the micro-USD left go to the lines with the
 * largest remainders.
 */
export function costLines(basis: CostBasis, totalMicroUsd: number): CostLine[] {
  const lines: Array<CostLine & { remainder: bigint }> = [];
  let floored = 0;
  COST_CLASSES.forEach((cls, i) => {
    const tokens = basis.tokens[i] ?? 0;
    const usd = basis.usdPerMtok[i] ?? 0;
    if (tokens <= 0) return;
    const exact = BigInt(tokens) * BigInt(Math.round(usd * 1e8));
    const micro = Number(exact / CENTI_PICO_PER_MICRO);
    floored += micro;
    lines.push({ class: cls, tokens, usd_per_mtok: usd, cost_micro_usd: micro, remainder: exact % CENTI_PICO_PER_MICRO });
  });
  let left = totalMicroUsd - floored;
  const byRemainder = [...lines].sort((a, b) => (b.remainder > a.remainder ? 1 : b.remainder < a.remainder ? -1 : 0));
  for (let i = 0; left > 0 && byRemainder.length > 0; i = (i + 1) % byRemainder.length, left--) {
    (byRemainder[i] as CostLine).cost_micro_usd += 1;
  }
  return lines.map((l) => ({ class: l.class, tokens: l.tokens, usd_per_mtok: l.usd_per_mtok, cost_micro_usd: l.cost_micro_usd }));
}
