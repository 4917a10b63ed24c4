import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { YOUNG_GENERATION_LIMIT_BYTES } from './heap-tuning.js';

const MODULE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/heap-tuning.js');

/** Runs a fresh node that tunes (or not), churns through short- and long-lived objects, and reports its heap. */
function churn(options: { tune: boolean; nodeArgs?: string[] }): { applied: boolean; youngBytes: number; oldBytes: number } {
  const script = `
    import v8 from 'node:v8';
    const { tuneHeapForServing } = await import(${JSON.stringify(MODULE)});
    const applied = ${options.tune} ? tuneHeapForServing() : false;
    const keep = [];
    for (let round = 0; round < 200; round++) {
      // A burst where much survives (what grows the young generation), then a pause for the GC observer.
      for (let i = 0; i < 4000; i++) keep.push({ i, text: 'x'.repeat(20) + i });
      if (keep.length > 200000) keep.splice(0, 100000);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const space = (name) => v8.getHeapSpaceStatistics().find((s) => s.space_name === name).space_size;
    console.log(JSON.stringify({ applied, youngBytes: space('new_space'), oldBytes: space('old_space') }));
  `;
  const out = execFileSync(process.execPath, [...(options.nodeArgs ?? []), '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  return JSON.parse(out) as { applied: boolean; youngBytes: number; oldBytes: number };
}

describe('tuneHeapForServing', () => {
  it('holds the young generation at its limit where V8 alone grows it to 32 MB', () => {
    const untuned = churn({ tune: false });
    const tuned = churn({ tune: true });
    expect(untuned.youngBytes).toBeGreaterThan(2 * YOUNG_GENERATION_LIMIT_BYTES);
    expect(tuned.applied).toBe(true);
    expect(tuned.youngBytes).toBeLessThanOrEqual(YOUNG_GENERATION_LIMIT_BYTES);
  });

  it('leaves the heap alone when the operator passed their own V8 heap flags', () => {
    const operator = churn({ tune: true, nodeArgs: ['--max-semi-space-size=2'] });
    expect(operator.applied).toBe(false);
  });
});
