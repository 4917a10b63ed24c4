import { describe, expect, it } from 'vitest';
import { periodEnd, periodStart } from './budget-period.js';

const at = (iso: string): number => Date.parse(iso);

describe('budget periods', () => {
  it('periodStart() and periodEnd() follow UTC calendar days', () => {
    const start = periodStart('day', at('2026-03-31T23:59:59.999Z'));
    expect(start).toBe(at('2026-03-31T00:00:00Z'));
    expect(periodEnd('day', start)).toBe(at('2026-04-01T00:00:00Z'));
    expect(periodStart('day', at('2026-04-01T00:00:00Z'))).toBe(at('2026-04-01T00:00:00Z'));
  });

  it('periodStart() starts weeks on Monday, also from a Sunday', () => {
    // 2026-12-06 is a Sunday; its week began on Monday 2026-11-30.
    expect(periodStart('week', at('2026-12-06T23:00:00Z'))).toBe(at('2026-11-30T00:00:00Z'));
    expect(periodStart('week', at('2026-11-30T00:00:00Z'))).toBe(at('2026-11-30T00:00:00Z'));
    expect(periodEnd('week', at('2026-11-30T00:00:00Z'))).toBe(at('2026-12-07T00:00:00Z'));
  });

  it('periodStart() and periodEnd() use calendar months, not 30 days, across a year and a leap day', () => {
    expect(periodStart('month', at('2028-02-29T12:00:00Z'))).toBe(at('2028-02-01T00:00:00Z'));
    expect(periodEnd('month', at('2028-02-01T00:00:00Z'))).toBe(at('2028-03-01T00:00:00Z'));
    expect(periodEnd('month', at('2026-12-01T00:00:00Z'))).toBe(at('2027-01-01T00:00:00Z'));
  });

  it('a total budget is one period that never ends', () => {
    expect(periodStart('total', at('2026-03-31T23:59:59Z'))).toBe(0);
    expect(periodEnd('total', 0)).toBeNull();
  });
});
