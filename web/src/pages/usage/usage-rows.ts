/** Loads a period's usage rows for the charts (newest first, up to CHART_ROW_LIMIT) and its totals. */
import { api } from '../../lib/api';
import type { UsagePage, UsageRecord, UsageTotals } from '../../lib/types';
import { bucketStarts, type Period } from '../../lib/usage-stats';

export const CHART_ROW_LIMIT = 5000;
const PAGE = 1000;

export interface UsageRows {
  rows: UsageRecord[];
  totals: UsageTotals;
  truncated: boolean;
  loadedAt: number;
}

export function usageQuery(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  return `/api/usage?${q.toString()}`;
}

export function periodSince(period: Period, now: number): string {
  return new Date(bucketStarts(period, now)[0] ?? now).toISOString();
}

export async function loadUsageRows(period: Period, keyId: string): Promise<UsageRows> {
  const loadedAt = Date.now();
  const since = periodSince(period, loadedAt);
  const rows: UsageRecord[] = [];
  let cursor: string | undefined;
  let totals: UsageTotals | undefined;
  let next: string | null;
  do {
    const page: UsagePage = await api.get<UsagePage>(usageQuery({ since, key_id: keyId, limit: PAGE, cursor }));
    totals ??= page.totals;
    rows.push(...page.data);
    next = page.next_cursor;
    cursor = next ?? undefined;
  } while (next && rows.length < CHART_ROW_LIMIT);
  return {
    rows,
    totals: totals ?? { requests: 0, prompt_tokens: 0, completion_tokens: 0, cost_micro_usd: 0 },
    truncated: Boolean(next),
    loadedAt,
  };
}
