/**
 * The node flags `zai serve` is launched with: one definition for `npm start`, the Docker image,
 * the bench and the soak (a test checks that package.json and the Dockerfile carry exactly these).
 * They are V8 heap settings, so they must be given at launch: V8 reads them when the heap is set up.
 * Why these values: docs/performance.md, "Heap settings".
 */
export const SERVE_NODE_FLAGS: readonly string[] = [
  // The young generation stops growing at two 4 MB semi-spaces instead of V8's 32 MB.
  '--max-semi-space-size=4',
  // The old generation's limit grows by 20 % over its live size instead of up to 4×.
  '--heap-growing-percent=20',
];

/** The serve flags whose setting (any value: an operator may choose their own) is absent. */
export function missingServeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map(flagName);
  return SERVE_NODE_FLAGS.filter((flag) => !given.includes(flagName(flag)));
}

/** `--max-semi-space-size=4` → `max-semi-space-size` (V8 also accepts underscores). */
function flagName(flag: string): string {
  return flag.replace(/^--/, '').split('=')[0]!.replaceAll('_', '-');
}
