/**
 * The node flags `zai serve` is launched with: one definition for `npm start`, the Docker image,
 * the bench and the soak (a test checks that package.json and the Dockerfile carry exactly these).
 * They are V8 heap settings, so they must be given at launch: V8 reads them when the heap is set up.
 * Why these values: docs/performance.md, "A small young generation".
 */
export const SERVE_NODE_FLAGS: readonly string[] = [
  // The young generation stops growing at two 4 MB semi-spaces instead of V8's 32 MB.
  '--max-semi-space-size=4',
  // The old generation's limit grows by 20 % over its live size instead of up to 4×.
  '--heap-growing-percent=20',
];

/**
 * The environment `zai serve` is launched with, beside the flags (same places, same test). glibc's
 * malloc raises its trim threshold each time it frees a large block (up to 64 MB) and from then on
 * keeps that much freed memory; a fixed threshold gives it back. glibc reads it when the process
 * starts, so the launcher must set it; other C libraries ignore it. Why: docs/performance.md,
 * "Freed memory goes back to the system".
 */
export const SERVE_ENV: Readonly<Record<string, string>> = {
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/** The serve flags whose setting (any value: an operator may choose their own) is absent. */
export function missingServeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map(flagName);
  return SERVE_NODE_FLAGS.filter((flag) => !given.includes(flagName(flag)));
}

/** Whether this process runs on glibc, the C library whose malloc SERVE_ENV tunes. */
export function runsOnGlibc(): boolean {
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: unknown } };
  return typeof report.header?.glibcVersionRuntime === 'string';
}

/** The SERVE_ENV variables not set at all (an operator may choose their own values); none off glibc. */
export function missingServeEnv(env: NodeJS.ProcessEnv, glibc: boolean): string[] {
  return glibc ? Object.keys(SERVE_ENV).filter((name) => env[name] === undefined) : [];
}

/** `--max-semi-space-size=4` → `max-semi-space-size` (V8 also accepts underscores). */
function flagName(flag: string): string {
  return flag.replace(/^--/, '').split('=')[0]!.replaceAll('_', '-');
}

/** The command line `npm start` runs (package.json's start script is exactly this; a test checks). */
export function serveCommand(): string {
  const env = Object.entries(SERVE_ENV).map(([name, value]) => `${name}=${value}`);
  return [...env, 'node', ...SERVE_NODE_FLAGS, 'bin/zai.js', 'serve'].join(' ');
}
