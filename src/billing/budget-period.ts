/**
 * Budget periods: the span a key's spend cap applies to. `total` is the key's whole life; `day`,
 * `week` and `month` are UTC calendar periods (weeks start on Monday), so a "monthly" budget resets
 * on the 1st, not every 30 days. A period is named by its start (epoch ms); `total` by 0.
 */
import type { BudgetPeriod } from '../store/schema.js';

export type { BudgetPeriod };

export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['total', 'day', 'week', 'month'];

const DAY_MS = 86_400_000;

/** The start of the period containing `nowMs` (0 for `total`). */
export function periodStart(period: BudgetPeriod, nowMs: number): number {
  if (period === 'total') return 0;
  const now = new Date(nowMs);
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (period === 'day') return midnight;
  if (period === 'week') return midnight - ((now.getUTCDay() + 6) % 7) * DAY_MS;
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
}

/** When the period starting at `start` ends, i.e. the next one starts; null for `total`. */
export function periodEnd(period: BudgetPeriod, start: number): number | null {
  if (period === 'total') return null;
  if (period === 'day') return start + DAY_MS;
  if (period === 'week') return start + 7 * DAY_MS;
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}
