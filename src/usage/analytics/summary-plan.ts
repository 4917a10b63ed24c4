/**
 * Which stored rows answer a period exactly. A period [since, until) splits into: request rows for
 * the partial minutes at its ends, minute rollups, hour rollups and day rollups — each as coarse as
 * the account's compaction progress and the time series' bucket width allow (a rollup must fall in
 * one bucket). Every request is counted once: by its row, or by exactly one rollup.
 */
import { DAY, HOUR, MINUTE, type Grain } from '../rollups.js';

export interface TimeRange {
  from: number;
  to: number;
}

export interface SummaryPlan {
  raw: TimeRange[];
  rollups: Array<TimeRange & { grain: Grain }>;
}

const ceilTo = (t: number, unit: number): number => Math.ceil(t / unit) * unit;
const floorTo = (t: number, unit: number): number => Math.floor(t / unit) * unit;

function push(list: TimeRange[], from: number, to: number): void {
  if (from < to) list.push({ from, to });
}

/**
 * @param bucketMs the time series' bucket width (a multiple of a minute), or DAY when there is none
 * @param compactedUntil the account's compaction progress (hour-aligned)
 */
export function planPeriod(since: number, until: number, bucketMs: number, compactedUntil: number): SummaryPlan {
  const raw: TimeRange[] = [];
  const rollups: SummaryPlan['rollups'] = [];
  const a = ceilTo(since, MINUTE);
  const b = floorTo(until, MINUTE);
  if (a >= b) {
    push(raw, since, until);
    return { raw, rollups };
  }
  push(raw, since, a);
  push(raw, b, until);

  const hours = bucketMs % HOUR === 0;
  const days = bucketMs % DAY === 0;
  const h1 = ceilTo(a, HOUR);
  const h2 = floorTo(Math.min(b, compactedUntil), HOUR);
  if (!hours || h1 >= h2) {
    rollups.push({ grain: MINUTE, from: a, to: b });
    return { raw, rollups };
  }
  rollups.push({ grain: MINUTE, from: a, to: h1 }, { grain: MINUTE, from: h2, to: b });
  const d1 = ceilTo(h1, DAY);
  const d2 = floorTo(h2, DAY);
  if (!days || d1 >= d2) rollups.push({ grain: HOUR, from: h1, to: h2 });
  else rollups.push({ grain: HOUR, from: h1, to: d1 }, { grain: HOUR, from: d2, to: h2 }, { grain: DAY, from: d1, to: d2 });
  return { raw, rollups: rollups.filter((r) => r.from < r.to) };
}
