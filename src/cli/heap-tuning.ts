/**
 * V8 heap settings for `zai serve`, applied in-process so that every way of starting the server
 * (npm start, the Docker image, the bench and the soak) runs with the same ones.
 *
 * A gateway holds little live data per request (about 23 KB per open stream), but with V8's
 * defaults the young generation reserves 32 MB and the old generation may grow to about four
 * times its live size before a full collection. With 1,000 slow streams that put peak RSS at
 * 161–199 MB. Two changes keep it near 140 MB (soak/, phase B):
 * - the young generation stops growing at 8 MB (two 4 MB semi-spaces; what
 *   `--max-semi-space-size=4` would do, which cannot be set once V8 is running), and
 * - the old generation's limit grows by 20 % over the live size instead of up to 4× (`--heap-growing-percent`).
 * The cost is more, shorter collections: about 5 % more CPU under sustained load.
 *
 * An operator who passes any of these flags to node (command line or NODE_OPTIONS) keeps their own.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

/** Size at which the young generation stops growing (both semi-spaces). */
export const YOUNG_GENERATION_LIMIT_BYTES = 8 * 1024 * 1024;
export const HEAP_GROWING_PERCENT = 20;

const OPERATOR_FLAGS = /^--(max-semi-space-size|heap-growing-percent|semi-space-growth-factor|optimize-for-size)/;

function youngGenerationBytes(): number {
  return v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

/** Applies the settings unless the operator chose their own; returns whether it did. */
export function tuneHeapForServing(): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((flag) => OPERATOR_FLAGS.test(flag))) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  // V8 doubles the young generation after a scavenge when much survives; once it is at the
  // limit, the growth factor of 1 holds it there. Checked after every collection.
  let held = false;
  const check = (): void => {
    const hold = youngGenerationBytes() >= YOUNG_GENERATION_LIMIT_BYTES;
    if (hold === held) return;
    v8.setFlagsFromString(`--semi-space-growth-factor=${hold ? 1 : 2}`);
    held = hold;
  };
  check();
  new PerformanceObserver(check).observe({ entryTypes: ['gc'] });
  return true;
}
