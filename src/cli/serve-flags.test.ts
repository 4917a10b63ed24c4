import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingServeEnv, missingServeFlags, runsOnGlibc, SERVE_ENV, SERVE_NODE_FLAGS, serveCommand } from './serve-flags.js';

const ROOT = new URL('../../', import.meta.url);
// Two 4 MB semi-spaces; Node 24's V8 was seen to report up to 8.75 MB for the same setting.
const YOUNG_GENERATION_LIMIT_BYTES = 9 * 1024 * 1024;

/**
 * Runs a fresh node with `flags`, churns through short- and long-lived objects, and reports the
 * median size of its young generation over the run. The median, not the last reading: Node 24's
 * V8 briefly reports up to 27 MB mid-collection under the flags (and 64–128 MB without them).
 */
function youngGenerationAfterChurn(flags: readonly string[]): number {
  const script = `
    import v8 from 'node:v8';
    const keep = [];
    const sizes = [];
    for (let round = 0; round < 200; round++) {
      // Bursts where much survives: what makes V8 grow the young generation.
      for (let i = 0; i < 4000; i++) keep.push({ i, text: 'x'.repeat(20) + i });
      if (keep.length > 200000) keep.splice(0, 100000);
      await new Promise((resolve) => setTimeout(resolve, 1));
      sizes.push(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
    }
    console.log(sizes.sort((a, b) => a - b)[sizes.length >> 1]);
  `;
  const out = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  return Number(out.trim());
}

/**
 * Runs a fresh node with `env`: it frees one 16 MB block, then fills and frees 20 MB of 256 KB
 * blocks (a burst of large request bodies or answers), and reports the MB of anonymous memory the
 * process still holds over what it held before the burst.
 */
function retainedAfterBurst(env: Record<string, string>): number {
  const script = `
    import fs from 'node:fs';
    const rss = () => Number(/RssAnon:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    const settle = async () => {
      for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((resolve) => setTimeout(resolve, 20)); }
    };
    function allocate(count, size) {
      const list = [];
      for (let i = 0; i < count; i++) list.push(Buffer.allocUnsafeSlow(size).fill(1));
      return list.length;
    }
    allocate(1, 16 << 20);
    await settle();
    const before = rss();
    allocate(80, 256 << 10);
    await settle();
    console.log(rss() - before);
  `;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
  return Number(out.trim());
}

describe('the serve launch flags', () => {
  it('and environment are the ones npm start and the Docker image launch zai serve with', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('package.json', ROOT), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(serveCommand());
    expect(serveCommand()).toBe(`MALLOC_TRIM_THRESHOLD_=131072 node ${SERVE_NODE_FLAGS.join(' ')} bin/zai.js serve`);
    const dockerfile = fs.readFileSync(new URL('Dockerfile', ROOT), 'utf8');
    const cmd = /^CMD (.+)$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', ...SERVE_NODE_FLAGS, 'bin/zai.js', 'serve']);
    const dockerEnv = [...dockerfile.matchAll(/^ENV (.+)$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    for (const [name, value] of Object.entries(SERVE_ENV)) expect(dockerEnv).toContain(`${name}=${value}`);
  });

  it('hold the young generation near 8 MB where V8 alone grows it past 18 MB', () => {
    expect(youngGenerationAfterChurn([])).toBeGreaterThan(2 * YOUNG_GENERATION_LIMIT_BYTES);
    expect(youngGenerationAfterChurn(SERVE_NODE_FLAGS)).toBeLessThanOrEqual(YOUNG_GENERATION_LIMIT_BYTES);
  });

  it('are reported missing by name unless given, with any value, on the command line or in NODE_OPTIONS', () => {
    expect(missingServeFlags([], undefined)).toEqual([...SERVE_NODE_FLAGS]);
    expect(missingServeFlags([...SERVE_NODE_FLAGS], undefined)).toEqual([]);
    expect(missingServeFlags(['--heap-growing-percent=50'], '--max_semi_space_size=16')).toEqual([]);
    expect(missingServeFlags(['--cpu-prof'], '--max-semi-space-size=2')).toEqual(['--heap-growing-percent=20']);
  });

  it.runIf(runsOnGlibc())('give memory freed after a burst back to the system, where glibc alone keeps it', () => {
    expect(retainedAfterBurst({})).toBeGreaterThan(15);
    expect(retainedAfterBurst({ ...SERVE_ENV })).toBeLessThan(3);
  });

  it('report the malloc setting missing on glibc unless set to any value, and never elsewhere', () => {
    expect(missingServeEnv({}, true)).toEqual(['MALLOC_TRIM_THRESHOLD_']);
    expect(missingServeEnv({ MALLOC_TRIM_THRESHOLD_: '1048576' }, true)).toEqual([]);
    expect(missingServeEnv({}, false)).toEqual([]);
  });
});
