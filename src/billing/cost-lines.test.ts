import { describe, expect, it } from 'vitest';
import { costBasis, costLines } from './cost-lines.js';
import { costNanoUsd, nanoToMicro } from './cost.js';
import type { ModelPrice } from './price-catalog.js';
import type { TokenUsage } from '../openai/types.js';

const HAIKU: ModelPrice = {
  model: 'anthropic/claude-haiku',
  inputUsdPerMtok: 1,
  outputUsdPerMtok: 5,
  cachedInputUsdPerMtok: null,
  source: 'custom',
};

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('cost lines', () => {
  it('split the prompt like costNanoUsd, with the cache defaults filled in, and no line for reasoning', () => {
    const usage: TokenUsage = {
      promptTokens: 10_000,
      completionTokens: 2_000,
      cachedTokens: 3_000,
      cacheWrite5mTokens: 1_000,
      cacheWrite1hTokens: 500,
      reasoningTokens: 1_500,
    };
    const basis = costBasis(usage, HAIKU);
    expect(basis).toEqual({ tokens: [5_500, 3_000, 1_000, 500, 2_000], usdPerMtok: [1, 0.1, 1.25, 2, 5] });
    const total = nanoToMicro(costNanoUsd(usage, HAIKU));
    expect(total).toBe(5_500 + 300 + 1_250 + 1_000 + 10_000);
    expect(costLines(basis, total)).toEqual([
      { class: 'input', tokens: 5_500, usd_per_mtok: 1, cost_micro_usd: 5_500 },
      { class: 'cached_input', tokens: 3_000, usd_per_mtok: 0.1, cost_micro_usd: 300 },
      { class: 'cache_write_5m', tokens: 1_000, usd_per_mtok: 1.25, cost_micro_usd: 1_250 },
      { class: 'cache_write_1h', tokens: 500, usd_per_mtok: 2, cost_micro_usd: 1_000 },
      { class: 'output', tokens: 2_000, usd_per_mtok: 5, cost_micro_usd: 10_000 },
    ]);
  });

  it('leave out classes without tokens; more cache than prompt bills every cached token and no input', () => {
    const usage: TokenUsage = { promptTokens: 100, completionTokens: 0, cachedTokens: 150 };
    const basis = costBasis(usage, HAIKU);
    expect(basis.tokens).toEqual([0, 150, 0, 0, 0]);
    expect(nanoToMicro(costNanoUsd(usage, HAIKU))).toBe(15);
    expect(costLines(basis, 15)).toEqual([{ class: 'cached_input', tokens: 150, usd_per_mtok: 0.1, cost_micro_usd: 15 }]);
  });

  it('add up to the rounded total of the request, each line within 1 micro-USD of its exact cost', () => {
    const random = seeded(3);
    for (let i = 0; i < 2_000; i++) {
      const price: ModelPrice = {
        model: random() < 0.5 ? 'anthropic/x' : 'openai/x',
        inputUsdPerMtok: Math.round(random() * 30_000_000) / 1e6,
        outputUsdPerMtok: Math.round(random() * 90_000_000) / 1e6,
        cachedInputUsdPerMtok: random() < 0.5 ? null : Math.round(random() * 3_000_000) / 1e6,
        source: 'custom',
      };
      const big = random() < 0.1 ? 1_000_000 : 3_000;
      const cached = Math.floor(random() * big);
      const usage: TokenUsage = {
        promptTokens: cached + Math.floor(random() * big),
        completionTokens: Math.floor(random() * big),
        cachedTokens: cached,
        cacheWrite5mTokens: random() < 0.3 ? Math.floor(random() * 200) : 0,
      };
      const total = nanoToMicro(costNanoUsd(usage, price));
      const basis = costBasis(usage, price);
      const lines = costLines(basis, total);
      expect(
        lines.reduce((sum, l) => sum + l.cost_micro_usd, 0),
        JSON.stringify({ usage, price }),
      ).toBe(total);
      for (const line of lines) {
        const exact = line.tokens * line.usd_per_mtok;
        expect(Math.abs(line.cost_micro_usd - exact), JSON.stringify({ line, usage, price })).toBeLessThan(1 + 1e-6);
      }
    }
  });
});
