import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BIN_COUNT,
  addEncoded,
  binHigh,
  binLow,
  binOf,
  emptyHistogram,
  encodeDense,
  encodeEntries,
  percentiles,
} from './latency-histogram.js';

function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] as number;
}

describe('latency histogram', () => {
  it('puts every value in the bin whose bounds hold it, bins at most 1/16 of their lower bound wide', () => {
    let previousHigh = -1;
    for (let bin = 0; bin < BIN_COUNT; bin++) {
      const low = binLow(bin);
      const high = binHigh(bin);
      expect(low).toBe(previousHigh + 1);
      expect(binOf(low)).toBe(bin);
      expect(binOf(high)).toBe(bin);
      if (low >= 32) expect(high - low + 1).toBeLessThanOrEqual(low / 16);
      previousHigh = high;
    }
    expect(previousHigh).toBe(0x7fffffff);
    expect(binOf(-5)).toBe(0);
    expect(binOf(31)).toBe(31);
    expect(binOf(32)).toBe(32);
    expect(binOf(1e12)).toBe(BIN_COUNT - 1);
  });

  it('round-trips entries, adding bins that repeat (appended batches)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: BIN_COUNT - 1 }), fc.integer({ min: 1, max: 2 ** 40 }))),
        (entries) => {
          const expected = emptyHistogram();
          for (const [bin, count] of entries) expected[bin] = (expected[bin] as number) + count;
          const half = Math.floor(entries.length / 2);
          const a = encodeEntries(
            entries.slice(0, half).map((e) => e[0]),
            entries.slice(0, half).map((e) => e[1]),
            half,
          );
          const b = encodeEntries(
            entries.slice(half).map((e) => e[0]),
            entries.slice(half).map((e) => e[1]),
            entries.length - half,
          );
          const decoded = emptyHistogram();
          addEncoded(decoded, Buffer.concat([a, b]));
          expect([...decoded]).toEqual([...expected]);
          const again = emptyHistogram();
          addEncoded(again, encodeDense(decoded));
          expect([...again]).toEqual([...expected]);
        },
      ),
    );
  });

  it('gives percentiles whose bin holds the exact nearest-rank value, midpoint within 1/32', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_600_000 }), { minLength: 1, maxLength: 400 }), (values) => {
        const dense = emptyHistogram();
        for (const v of values) dense[binOf(v)] = (dense[binOf(v)] as number) + 1;
        const sorted = [...values].sort((x, y) => x - y);
        const ps = [0.5, 0.95, 0.99, 1];
        const got = percentiles(dense, values.length, ps);
        ps.forEach((p, i) => {
          const exact = nearestRank(sorted, p);
          const q = got[i];
          expect(q).not.toBeNull();
          expect(exact).toBeGreaterThanOrEqual(q?.low as number);
          expect(exact).toBeLessThanOrEqual(q?.high as number);
          expect(Math.abs((q?.value as number) - exact)).toBeLessThanOrEqual(exact / 32 + 0.5);
        });
      }),
    );
    expect(percentiles(emptyHistogram(), 0, [0.5])).toEqual([null]);
  });
});
