/**
 * What makes Z-AI's tail: `node --import tsx bench/tail-probe.ts [--mode json|stream] [--c 1]
 * [--seconds 8] [--dir <a built checkout>]`. Placed like `npm run bench` (Z-AI alone on core 1,
 * wrk and the fake upstream on core 0), with bench/loop-probe.mjs preloaded into Z-AI; after a
 * warm-up it measures one wrk run and sets the latency percentiles beside what stopped the event
 * loop in that window: every heartbeat gap over 2 ms, each charged to a garbage collection or a
 * SQLite statement that overlaps it (or to neither), the collections by kind and the time spent in
 * SQLite statements. Run it on a quiet machine; compare builds with --dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MODES } from './modes.js';
import { compileScript, nodeArgsFrom, ROOT, spawnNode, startFakeUpstream, BENCH_DIR, type Child } from './processes.js';
import { ensureWrk, runWrk } from './wrk.js';
import { PROVIDER_KEY, makeDataDir, startZai } from './zai.js';

type Span = [start: number, duration: number];
/** A heartbeat gap, with the ms the serving thread ran and waited for the core within it. */
type Gap = [start: number, duration: number, ran: number, waited: number];
interface ProbeReply {
  gcs: [number, number, number][];
  statements: [number, number, string][];
  gaps: Gap[];
}

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'json' },
    c: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    dir: { type: 'string', default: ROOT },
    target: { type: 'string', default: 'z-ai' },
  },
});
const mode = MODES.find((m) => m.name === values.mode);
if (mode === undefined) throw new Error(`--mode: one of ${MODES.map((m) => m.name).join(', ')}`);

function probe(child: Child, op: 'reset' | 'read'): Promise<ProbeReply> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      const m = message as { type?: string; op?: string } & ProbeReply;
      if (m.type !== 'loop-probe' || m.op !== op) return;
      child.process.off('message', onMessage);
      resolve(m);
    };
    child.process.on('message', onMessage);
    child.process.send({ type: 'loop-probe', op });
  });
}

/** ms each thread of `pid` other than the main one has run (Linux schedstat), by thread name. */
function otherThreadsRun(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    if (tid === String(pid)) continue;
    try {
      const name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const run = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
      byName.set(name, (byName.get(name) ?? 0) + run);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return byName;
}

const overlaps = (a: Span | Gap, start: number, duration: number): boolean => start < a[0] + a[1] && start + duration > a[0];
const ms = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(2));
function quantile(sorted: number[], q: number): number | undefined {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const fake = await startFakeUpstream(0);
const probeArgs = ['--import', path.join(BENCH_DIR, 'loop-probe.mjs'), ...nodeArgsFrom('TAIL_NODE_ARGS')];
// The bare proxy under the same probe, to tell the gateway's stalls from the machine's.
const gateway =
  values.target === 'bare'
    ? await spawnNode({
        name: 'bare-proxy',
        args: [...probeArgs, compileScript('bare-proxy.ts')],
        env: { UPSTREAM_URL: fake.origin },
        core: 1,
        readyMessage: true,
      }).then(({ child, port }) => ({ child, origin: `http://127.0.0.1:${port}`, key: PROVIDER_KEY }))
    : await startZai({
        name: 'z-ai',
        dir: path.resolve(values.dir),
        upstreamOrigin: fake.origin,
        core: 1,
        nodeArgs: probeArgs,
        dataDir: makeDataDir(),
      });
try {
  const wrk = ensureWrk(console.log);
  const run = (seconds: number) =>
    runWrk({
      wrk,
      core: 0,
      url: `${gateway.origin}${mode.path}`,
      body: mode.body('openai/gpt-4o-mini'),
      authorization: `Bearer ${gateway.key}`,
      connections: Number(values.c),
      seconds,
      expectText: mode.expectText,
    });
  await run(Number(values.warmup));
  await new Promise((resolve) => setTimeout(resolve, 400));
  await probe(gateway.child, 'reset');
  const threadsBefore = otherThreadsRun(gateway.child.pid);
  const result = await run(Number(values.seconds));
  const threadsAfter = otherThreadsRun(gateway.child.pid);
  const { gcs, statements, gaps } = await probe(gateway.child, 'read');
  if (process.env.TAIL_DUMP) fs.writeFileSync(process.env.TAIL_DUMP, JSON.stringify({ gcs, statements, gaps }));

  const causes = { gc: [] as Gap[], sqlite: [] as Gap[], other: [] as Gap[] };
  for (const gap of gaps) {
    const cause = gcs.some(([s, d]) => overlaps(gap, s, d))
      ? 'gc'
      : statements.some(([s, d]) => overlaps(gap, s, d))
        ? 'sqlite'
        : 'other';
    causes[cause].push(gap);
  }
  const windowMs = result.durationMs;
  console.log(
    `${mode.name} c=${values.c}, ${values.target === 'bare' ? 'bare proxy' : path.resolve(values.dir)}: ${Math.round(result.rps)} req/s, latency p50 ${ms(result.latencyMs.p50)} ms, p90 ${ms(result.latencyMs.p90)}, p99 ${ms(result.latencyMs.p99)}, max ${ms(result.latencyMs.max)}, errors ${result.errors}`,
  );
  console.log(`event loop stopped > 2 ms (heartbeat gaps), over ${Math.round(windowMs)} ms:`);
  for (const [cause, list] of Object.entries(causes)) {
    const sorted = list.map((gap) => gap[1]).sort((a, b) => a - b);
    const sum = sorted.reduce((a, b) => a + b, 0);
    // wrk corrects for coordinated omission: a stall of L ms at c=1 counts as answers of L, L − i,
    // L − 2i … ms (i: the mean time between answers), so p99 follows the stalls' time past ~4 ms.
    const long = list.filter((gap) => gap[1] > 4);
    const excess = long.reduce((a, gap) => a + gap[1] - 4, 0);
    // Within the stalls over 4 ms: the serving thread running (JS, the collector's pauses, SQLite's
    // CPU), waiting for the core (other threads or processes on it), or blocked (a system call).
    const ran = long.reduce((a, gap) => a + gap[2], 0);
    const waited = long.reduce((a, gap) => a + gap[3], 0);
    const longMs = long.reduce((a, gap) => a + gap[1], 0);
    console.log(
      `  ${cause.padEnd(7)} ${String(sorted.length).padStart(5)} gaps, ${sum.toFixed(0).padStart(5)} ms (${((100 * sum) / windowMs).toFixed(1)} % of the window), median ${ms(quantile(sorted, 0.5))} ms, max ${ms(sorted.at(-1))} ms; ${long.length} over 4 ms, ${excess.toFixed(0)} ms past 4 ms (of their ${longMs.toFixed(0)} ms: ran ${ran.toFixed(0)}, waited for the core ${waited.toFixed(0)}, blocked ${Math.max(0, longMs - ran - waited).toFixed(0)})`,
    );
  }
  // The core Z-AI is pinned to is shared by its own other threads: V8's compiler and collector helpers.
  const threadMs = [...threadsAfter]
    .map(([name, after]) => [name, after - (threadsBefore.get(name) ?? 0)] as const)
    .filter(([, ms]) => ms >= 1)
    .sort((a, b) => b[1] - a[1]);
  console.log(
    `  Z-AI's other threads ran: ${threadMs.map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`).join(', ') || 'none over 1 ms'}`,
  );
  const kinds = new Map<number, number[]>();
  for (const [, duration, kind] of gcs) kinds.set(kind, [...(kinds.get(kind) ?? []), duration]);
  const kindName: Record<number, string> = {
    1: 'young (scavenge)',
    2: 'minor mark-compact',
    4: 'full mark-compact',
    8: 'incremental marking',
    16: 'weak callbacks',
  };
  for (const [kind, list] of [...kinds].sort((a, b) => a[0] - b[0])) {
    const sorted = list.sort((a, b) => a - b);
    console.log(
      `  GC ${(kindName[kind] ?? String(kind)).padEnd(20)} ${String(sorted.length).padStart(5)}, median ${ms(quantile(sorted, 0.5))} ms, max ${ms(sorted.at(-1))} ms`,
    );
  }
  const byShape = new Map<string, { n: number; ms: number; max: number }>();
  for (const [, duration, shape] of statements) {
    const entry = byShape.get(shape) ?? { n: 0, ms: 0, max: 0 };
    entry.n += 1;
    entry.ms += duration;
    entry.max = Math.max(entry.max, duration);
    byShape.set(shape, entry);
  }
  const sqlMs = [...byShape.values()].reduce((a, b) => a + b.ms, 0);
  console.log(
    `  SQLite statements: ${statements.length}, ${sqlMs.toFixed(0)} ms in all (${((100 * sqlMs) / windowMs).toFixed(1)} % of the window); longest shapes:`,
  );
  for (const [shape, entry] of [...byShape].sort((a, b) => b[1].ms - a[1].ms).slice(0, 4))
    console.log(
      `    ${entry.ms.toFixed(0).padStart(5)} ms ${String(entry.n).padStart(6)}×, longest ${ms(entry.max)} ms: ${shape}`,
    );
} finally {
  await gateway.child.stop();
  await fake.child.stop();
}
