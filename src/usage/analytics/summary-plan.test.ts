import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../rollups.js';
import { planPeriod } from './summary-plan.js';

const WIDTHS = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR, DAY];
const BASE = Date.UTC(2026, 0, 1);

describe('planPeriod', () => {
  it('covers the period exactly once, each rollup aligned, within one bucket and compacted when coarser than minutes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 * DAY }),
        fc.integer({ min: 0, max: 20 * DAY }),
        fc.constantFrom(...WIDTHS),
        fc.integer({ min: 0, max: 50 * 24 }),
        (start, length, width, compactedHours) => {
          const since = BASE + start;
          const until = since + length;
          const compacted = BASE + compactedHours * HOUR;
          const plan = planPeriod(since, until, width, compacted);
          const pieces = [...plan.raw.map((r) => ({ ...r, grain: 0 })), ...plan.rollups].sort((a, b) => a.from - b.from);
          let at = since;
          for (const p of pieces) {
            expect(p.from).toBe(at);
            expect(p.to).toBeGreaterThan(p.from);
            at = p.to;
            if (p.grain === 0) {
              // Request rows only for what no whole minute covers.
              expect(Math.ceil(p.from / MINUTE) * MINUTE + MINUTE).toBeGreaterThan(p.to);
              continue;
            }
            expect(p.from % p.grain).toBe(0);
            expect(p.to % p.grain).toBe(0);
            expect(width % p.grain).toBe(0);
            if (p.grain > MINUTE) expect(p.to).toBeLessThanOrEqual(compacted);
          }
          expect(at).toBe(length === 0 ? since : until);
          expect(plan.raw.length).toBeLessThanOrEqual(2);
          expect(plan.rollups.length).toBeLessThanOrEqual(5);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads a compacted month from about thirty day rollups', () => {
    const since = BASE + 17 * MINUTE + 5;
    const plan = planPeriod(since, since + 30 * DAY, DAY, BASE + 40 * DAY);
    const days = plan.rollups.filter((r) => r.grain === DAY);
    expect(days).toHaveLength(1);
    expect(((days[0]?.to ?? 0) - (days[0]?.from ?? 0)) / DAY).toBe(29);
  });
});
