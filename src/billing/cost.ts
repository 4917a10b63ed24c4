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
 * `cachedTokens` are part of `promptTokens` (OpenAI's and Gemini's convention) and are billed at the
 * cached price, or at the input price when the model has no cached price. Should a provider report
 * more cached than prompt tokens, every cached token is still billed and none twice.
 *
 * BigInt because tokens × pico-USD can pass 2^53: 10M tokens at the 10,000 USD/Mtok ceiling is
 * 1e7 × 1e10 = 1e17 pico-USD. The nano-USD result fits a Number for any cost below 9 million USD.
 * @throws RangeError for negative or fractional token counts or an invalid price.
 */
export function costNanoUsd(usage: TokenUsage, price: ModelPrice): number {
  const prompt = tokenCount('promptTokens', usage.promptTokens);
  const completion = tokenCount('completionTokens', usage.completionTokens);
  const cached = tokenCount('cachedTokens', usage.cachedTokens);
  const uncached = prompt > cached ? prompt - cached : 0n;

  const inputPico = BigInt(picoUsdPerToken(price.inputUsdPerMtok));
  const cachedPico = BigInt(picoUsdPerToken(price.cachedInputUsdPerMtok ?? price.inputUsdPerMtok));
  const outputPico = BigInt(picoUsdPerToken(price.outputUsdPerMtok));

  const totalPico = uncached * inputPico + cached * cachedPico + completion * outputPico;
  const nano = (totalPico + PICO_PER_NANO - 1n) / PICO_PER_NANO;
  if (nano > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`Cost of ${nano} nano-USD is beyond the supported range`);
  }
  return Number(nano);
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
