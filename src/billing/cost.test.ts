import { describe, expect, it } from 'vitest';
import { costNanoUsd, microToNano, nanoToMicro, picoUsdPerToken } from './cost.js';
import type { ModelPrice } from './price-catalog.js';

function price(input: number, output: number, cached: number | null = null): ModelPrice {
  return {
    model: 'test/model',
    inputUsdPerMtok: input,
    outputUsdPerMtok: output,
    cachedInputUsdPerMtok: cached,
    source: 'custom',
  };
}

/** openai/gpt-4o-mini list price: $0.15 in, $0.075 cached, $0.60 out per million tokens. */
const GPT_4O_MINI = price(0.15, 0.6, 0.075);

describe('picoUsdPerToken', () => {
  it('picoUsdPerToken() converts USD per million tokens to exact integer pico-USD per token', () => {
    expect(picoUsdPerToken(0.15)).toBe(150_000);
    expect(picoUsdPerToken(0.075)).toBe(75_000);
    expect(picoUsdPerToken(0.000001)).toBe(1);
    expect(picoUsdPerToken(2.5)).toBe(2_500_000);
    expect(picoUsdPerToken(9999.999999)).toBe(9_999_999_999);
    expect(picoUsdPerToken(0)).toBe(0);
  });

  it('picoUsdPerToken() rejects negative and non-finite prices', () => {
    expect(() => picoUsdPerToken(-0.01)).toThrow(RangeError);
    expect(() => picoUsdPerToken(Number.NaN)).toThrow(RangeError);
    expect(() => picoUsdPerToken(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('costNanoUsd', () => {
  it('costNanoUsd() prices 1,234 prompt and 567 completion tokens on gpt-4o-mini', () => {
    // 1,234 × 150,000 pico + 567 × 600,000 pico = 185,100,000 + 340,200,000 = 525,300,000 pico
    // = 525,300 nano-USD (0.0005253 USD).
    expect(costNanoUsd({ promptTokens: 1234, completionTokens: 567, cachedTokens: 0 }, GPT_4O_MINI)).toBe(525_300);
  });

  it('costNanoUsd() bills cached tokens, which are part of the prompt, at the cached price', () => {
    // 210 uncached × 150,000 + 1,024 cached × 75,000 + 567 × 600,000
    // = 31,500,000 + 76,800,000 + 340,200,000 = 448,500,000 pico = 448,500 nano.
    expect(costNanoUsd({ promptTokens: 1234, completionTokens: 567, cachedTokens: 1024 }, GPT_4O_MINI)).toBe(448_500);
  });

  it('costNanoUsd() bills cached tokens at the input price when the model has no cached price', () => {
    const noCachePrice = price(0.15, 0.6, null);
    expect(costNanoUsd({ promptTokens: 1234, completionTokens: 567, cachedTokens: 1024 }, noCachePrice)).toBe(525_300);
  });

  it('costNanoUsd() bills every cached token when a provider reports more cached than prompt tokens', () => {
    // 20 cached × 75,000 pico = 1,500,000 pico = 1,500 nano; no negative uncached count.
    expect(costNanoUsd({ promptTokens: 10, completionTokens: 0, cachedTokens: 20 }, GPT_4O_MINI)).toBe(1_500);
  });

  it('costNanoUsd() bills Anthropic cache writes at 1.25× (5 minutes) and 2× (1 hour) the input price by default, reads at 0.1×', () => {
    const sonnet: ModelPrice = { ...price(3, 15, null), model: 'anthropic/claude-sonnet-4-5' };
    // 1,000 uncached × 3,000,000 pico + 2,000 reads × 300,000 + 4,000 5m writes × 3,750,000
    // + 8,000 1h writes × 6,000,000 + 500 output × 15,000,000
    // = 3e9 + 6e8 + 1.5e10 + 4.8e10 + 7.5e9 = 74,100,000,000 pico = 74,100,000 nano.
    const usage = {
      promptTokens: 15_000,
      completionTokens: 500,
      cachedTokens: 2_000,
      cacheWrite5mTokens: 4_000,
      cacheWrite1hTokens: 8_000,
    };
    expect(costNanoUsd(usage, sonnet)).toBe(74_100_000);
    // Explicit prices win over the multiples.
    const explicit: ModelPrice = { ...sonnet, cachedInputUsdPerMtok: 1, cacheWrite5mUsdPerMtok: 2, cacheWrite1hUsdPerMtok: 4 };
    // 3e9 + 2,000 × 1e6 + 4,000 × 2e6 + 8,000 × 4e6 + 7.5e9 = 3e9 + 2e9 + 8e9 + 3.2e10 + 7.5e9 = 5.25e10 pico.
    expect(costNanoUsd(usage, explicit)).toBe(52_500_000);
  });

  it('costNanoUsd() bills cache writes at the input price for providers other than Anthropic, and reasoning tokens once', () => {
    // Writes at 150,000 pico like uncached input; reasoning tokens are inside completionTokens.
    const usage = {
      promptTokens: 1234,
      completionTokens: 567,
      cachedTokens: 1024,
      cacheWrite5mTokens: 100,
      reasoningTokens: 400,
    };
    expect(costNanoUsd(usage, GPT_4O_MINI)).toBe(448_500);
  });

  it('costNanoUsd() rounds a fractional default write price up once per request', () => {
    // 1 token written at 1.25 × 0.000001 USD/Mtok = 1.25 pico-USD → 1 nano-USD.
    const tiny: ModelPrice = { ...price(0.000001, 0, null), model: 'anthropic/x' };
    expect(costNanoUsd({ promptTokens: 1, completionTokens: 0, cachedTokens: 0, cacheWrite5mTokens: 1 }, tiny)).toBe(1);
  });

  it('costNanoUsd() keeps sub-micro costs: 1 token at $0.02/Mtok is 20 nano-USD, not 0', () => {
    expect(costNanoUsd({ promptTokens: 1, completionTokens: 0, cachedTokens: 0 }, price(0.02, 0))).toBe(20);
  });

  it('costNanoUsd() rounds the total up to the next nano-USD, once per request', () => {
    // 1 pico rounds up to 1 nano; 1,001 pico to 2 nano; 1,000 pico is exactly 1 nano.
    expect(costNanoUsd({ promptTokens: 1, completionTokens: 0, cachedTokens: 0 }, price(0.000001, 0))).toBe(1);
    expect(costNanoUsd({ promptTokens: 1001, completionTokens: 0, cachedTokens: 0 }, price(0.000001, 0))).toBe(2);
    expect(costNanoUsd({ promptTokens: 1000, completionTokens: 0, cachedTokens: 0 }, price(0.000001, 0))).toBe(1);
    // Rounded on the sum, not per part: 500 + 500 pico = 1 nano (per part it would be 2).
    expect(costNanoUsd({ promptTokens: 500, completionTokens: 500, cachedTokens: 0 }, price(0.000001, 0.000001))).toBe(1);
  });

  it('costNanoUsd() is exact for 10M tokens at $75/Mtok', () => {
    // 10,000,000 × 75,000,000 pico = 7.5e14 pico = 750,000,000,000 nano = 750 USD.
    expect(costNanoUsd({ promptTokens: 0, completionTokens: 10_000_000, cachedTokens: 0 }, price(15, 75))).toBe(750_000_000_000);
    // Plus 10M prompt tokens at $15/Mtok: 150,000,000,000 nano more.
    expect(costNanoUsd({ promptTokens: 10_000_000, completionTokens: 10_000_000, cachedTokens: 0 }, price(15, 75))).toBe(
      900_000_000_000,
    );
  });

  it('costNanoUsd() stays exact where the pico-USD sum passes 2^53', () => {
    // 10M tokens at the 10,000 USD/Mtok ceiling: 1e17 pico, above 2^53 ≈ 9.007e15.
    expect(costNanoUsd({ promptTokens: 10_000_000, completionTokens: 0, cachedTokens: 0 }, price(10_000, 0))).toBe(
      100_000_000_000_000,
    );
    // MAX_SAFE_INTEGER tokens at 1,000 pico each: 9.007e21 pico, which a float would round.
    expect(costNanoUsd({ promptTokens: Number.MAX_SAFE_INTEGER, completionTokens: 0, cachedTokens: 0 }, price(0.001, 0))).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    // 9,999.999999 USD/Mtok × 3 tokens = 29,999,999,997 pico → 29,999,999.997 nano → 30,000,000 nano.
    expect(costNanoUsd({ promptTokens: 3, completionTokens: 0, cachedTokens: 0 }, price(9999.999999, 0))).toBe(30_000_000);
  });

  it('costNanoUsd() is 0 for a free model and for no tokens', () => {
    expect(costNanoUsd({ promptTokens: 5000, completionTokens: 5000, cachedTokens: 100 }, price(0, 0, 0))).toBe(0);
    expect(costNanoUsd({ promptTokens: 0, completionTokens: 0, cachedTokens: 0 }, GPT_4O_MINI)).toBe(0);
  });

  it('costNanoUsd() rejects negative, fractional and non-finite token counts', () => {
    expect(() => costNanoUsd({ promptTokens: -1, completionTokens: 0, cachedTokens: 0 }, GPT_4O_MINI)).toThrow(RangeError);
    expect(() => costNanoUsd({ promptTokens: 1, completionTokens: 0.5, cachedTokens: 0 }, GPT_4O_MINI)).toThrow(RangeError);
    expect(() => costNanoUsd({ promptTokens: 1, completionTokens: 0, cachedTokens: Number.NaN }, GPT_4O_MINI)).toThrow(
      RangeError,
    );
  });

  it('costNanoUsd() rejects a cost beyond the safe integer range', () => {
    expect(() =>
      costNanoUsd({ promptTokens: Number.MAX_SAFE_INTEGER, completionTokens: 0, cachedTokens: 0 }, price(10_000, 0)),
    ).toThrow(RangeError);
  });
});

describe('nanoToMicro', () => {
  it('nanoToMicro() rounds to the nearest micro-USD, halves up', () => {
    expect(nanoToMicro(525_300)).toBe(525);
    expect(nanoToMicro(1_499)).toBe(1);
    expect(nanoToMicro(1_500)).toBe(2);
    expect(nanoToMicro(499)).toBe(0);
    expect(nanoToMicro(0)).toBe(0);
    expect(Object.is(nanoToMicro(-1), 0)).toBe(true);
    expect(nanoToMicro(Number.MAX_SAFE_INTEGER)).toBe(9_007_199_254_741);
  });

  it('nanoToMicro() rejects non-integers', () => {
    expect(() => nanoToMicro(1.5)).toThrow(RangeError);
  });
});

describe('microToNano', () => {
  it('microToNano() multiplies exactly by 1,000', () => {
    expect(microToNano(525)).toBe(525_000);
    expect(microToNano(0)).toBe(0);
    expect(nanoToMicro(microToNano(123_456_789))).toBe(123_456_789);
  });

  it('microToNano() rejects non-integers and overflow', () => {
    expect(() => microToNano(0.5)).toThrow(RangeError);
    expect(() => microToNano(Number.MAX_SAFE_INTEGER)).toThrow(RangeError);
  });
});
