/**
 * The soak and fault test of Z-AI (loopback only, bounded in time).
 *
 * Z-AI runs from the compiled `bin/zai.js` as a child process (its RSS read from /proc, its exit
 * watched), in front of a fault-injecting fake upstream (`fault-upstream.ts`, its own process).
 *
 * Phase A: `seconds` of mixed streaming and non-streaming load at bounded concurrency and rate;
 * the fake answers normally or resets, stalls, answers 500 / 429, cuts streams, sends garbage.
 * Checks: Z-AI never exits; every request is answered or errored (no hang, no malformed answer,
 * no connection error); exactly one usage row per request, with the status the client saw; RSS
 * under a bound and not growing steadily; no sockets left behind; SIGTERM exits 0.
 *
 * Phase B: `slowStreams` concurrent slow streams (50 chunks, 100 ms apart) through one fresh Z-AI
 * process: every stream completes with the full text within the deadline, peak RSS (VmHWM) under
 * the bound, one usage row each.
 *
 * `npm run soak` (env SOAK_SECONDS, SOAK_SLOW_STREAMS, …, see `optionsFromEnv`) prints a summary
 * and writes soak/results/latest.json; it exits 1 if a check failed. `runSoak` is the same run
 * for the test suite (a short version in test/e2e/soak.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { call, setupAccount, allUsage, type Outcome, type UsageRow } from './client.js';
import { OK_CHUNKS, SLOW_CHUNKS, SLOW_INTERVAL_MS, fullText, type Behaviour, type FaultStats } from './fault-upstream.js';
import os from 'node:os';
import {
  SOAK_DIR,
  cpuSeconds,
  fdLimit,
  killChildrenSync,
  listenOverflows,
  machineBusySeconds,
  openFds,
  procStatus,
  resetPeakRss,
  startFake,
  startZai,
  type FakeProcess,
  type ZaiProcess,
} from './processes.js';

export interface SoakOptions {
  /** Phase A length. */
  seconds: number;
  /** Phase A: requests in flight at once, and the most requests per second. */
  concurrency: number;
  rps: number;
  /** Phase A: stop early after this many requests. */
  maxRequests: number;
  /** Phase A: a request without a complete answer after this long is a hang. */
  requestDeadlineMs: number;
  /** Phase A: RSS bound, and the largest growth allowed from the first to the last window. */
  rssLimitMb: number;
  rssGrowthLimitMb: number;
  /** Phase B: concurrent slow streams (0 skips phase B), their deadline, the peak-RSS bound, and the ramp-up. */
  slowStreams: number;
  slowDeadlineMs: number;
  peakRssLimitMb: number;
  rampMs: number;
  /** Z-AI's upstream timeouts and log level. */
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  logLevel: string;
  /** Extra node flags for the Z-AI processes (diagnosis only: results with them are not the product's). */
  zaiNodeArgs: string[];
  seed: number;
  /** Where to write the results JSON (undefined: nowhere). */
  resultsFile: string | undefined;
  /** Progress lines (to stderr). */
  log: (line: string) => void;
}

export const DEFAULTS: SoakOptions = {
  seconds: 300,
  concurrency: 50,
  rps: 250,
  maxRequests: 200_000,
  requestDeadlineMs: 15_000,
  rssLimitMb: 300,
  rssGrowthLimitMb: 25,
  slowStreams: 1000,
  slowDeadlineMs: 15_000,
  peakRssLimitMb: 150,
  rampMs: 0,
  firstByteTimeoutMs: 2_000,
  idleTimeoutMs: 2_000,
  // The `"url"` line Z-AI prints at start is an info line; info is also production's level.
  logLevel: 'info',
  zaiNodeArgs: [],
  seed: 1,
  resultsFile: undefined,
  log: () => {},
};

/** The phase-A mix: behaviour, weight, and whether it is asked as a stream ('either' = at random). */
const MIX: ReadonlyArray<readonly [Behaviour, number, 'json' | 'stream' | 'either']> = [
  ['json-ok', 28, 'json'],
  ['stream-ok', 28, 'stream'],
  ['status-500', 7, 'either'],
  ['status-429', 7, 'either'],
  ['reset-before-headers', 5, 'either'],
  ['stall-before-headers', 3, 'either'],
  ['stream-stall-after-headers', 3, 'stream'],
  ['reset-mid-stream', 6, 'stream'],
  ['stall-mid-stream', 3, 'stream'],
  ['stream-garbage', 2, 'stream'],
  ['json-reset-mid-body', 4, 'json'],
  ['json-stall-mid-body', 2, 'json'],
  ['bad-json', 2, 'json'],
];

/** What Z-AI should answer for each fault (an OpenAI error with this status, or an SSE error event with this code). */
const EXPECTED: Record<Behaviour, string> = {
  'json-ok': 'ok',
  'stream-ok': 'ok',
  slow: 'ok',
  'status-500': 'http 502',
  'status-429': 'http 429',
  'reset-before-headers': 'http 502',
  'stall-before-headers': 'http 504',
  'stream-stall-after-headers': 'http 504',
  'reset-mid-stream': 'sse-error upstream_error',
  'stall-mid-stream': 'sse-error upstream_timeout',
  'stream-garbage': 'sse-error upstream_error',
  'json-reset-mid-body': 'http 502',
  'json-stall-mid-body': 'http 504',
  'bad-json': 'http 502',
};

const MODEL = 'openai/gpt-4o-mini';
const MB = 1024;

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Distribution {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function distribution(values: number[]): Distribution {
  if (values.length === 0) return { p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (kb: number): number => Math.round((kb / MB) * 10) / 10;

interface RssSample {
  /** Seconds since the phase started. */
  t: number;
  rssKb: number;
}

/** Samples VmRSS of `pid` every `everyMs`; stops itself when the process is gone. */
function rssSampler(pid: number, everyMs: number): { samples: RssSample[]; stop(): void } {
  const samples: RssSample[] = [];
  const start = performance.now();
  const take = (): void => {
    const status = procStatus(pid);
    if (status) samples.push({ t: (performance.now() - start) / 1000, rssKb: status.rssKb });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
    },
  };
}

export interface CpuUse {
  /** Wall time of the phase. */
  seconds: number;
  /** CPU used during the phase, in % of one core: Z-AI, the fake upstream, this load generator, everything else on the machine. */
  zaiPct: number;
  fakePct: number;
  loadGeneratorPct: number;
  otherProcessesPct: number;
  cores: number;
}

/** Measures the CPU each party used between start and stop (the machine is shared: others show up too). */
function cpuMeter(zaiPid: number, fakePid: number): { stop(): CpuUse } {
  const t0 = performance.now();
  const z0 = cpuSeconds(zaiPid) ?? 0;
  const f0 = cpuSeconds(fakePid) ?? 0;
  const s0 = process.cpuUsage();
  const m0 = machineBusySeconds() ?? 0;
  return {
    stop() {
      const seconds = (performance.now() - t0) / 1000;
      const zai = (cpuSeconds(zaiPid) ?? z0) - z0;
      const fake = (cpuSeconds(fakePid) ?? f0) - f0;
      const self = process.cpuUsage(s0);
      const soak = (self.user + self.system) / 1e6;
      const machine = (machineBusySeconds() ?? m0) - m0;
      const pct = (x: number): number => Math.round((x / seconds) * 1000) / 10;
      return {
        seconds: Math.round(seconds * 10) / 10,
        zaiPct: pct(zai),
        fakePct: pct(fake),
        loadGeneratorPct: pct(soak),
        otherProcessesPct: pct(Math.max(0, machine - zai - fake - soak)),
        cores: os.cpus().length,
      };
    },
  };
}

function average(samples: RssSample[]): number {
  return samples.length === 0 ? NaN : samples.reduce((s, x) => s + x.rssKb, 0) / samples.length;
}

/** Least-squares slope of RSS over time, in MB per minute. */
function slopeMbPerMin(samples: RssSample[]): number {
  const n = samples.length;
  if (n < 3) return NaN;
  const mt = samples.reduce((s, x) => s + x.t, 0) / n;
  const mr = samples.reduce((s, x) => s + x.rssKb, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of samples) {
    num += (x.t - mt) * (x.rssKb - mr);
    den += (x.t - mt) ** 2;
  }
  return den === 0 ? NaN : ((num / den) * 60) / MB;
}

/** Error-level lines of Z-AI's JSON log, grouped by message. */
function logErrors(file: string): { errorLines: number; warnLines: number; messages: Record<string, number> } {
  const messages: Record<string, number> = {};
  let errorLines = 0;
  let warnLines = 0;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { errorLines, warnLines, messages };
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { level?: number; msg?: string; err?: { message?: string } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if ((entry.level ?? 0) >= 50) {
      errorLines += 1;
      const key = `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`.slice(0, 160);
      messages[key] = (messages[key] ?? 0) + 1;
    } else if (entry.level === 40) warnLines += 1;
  }
  return { errorLines, warnLines, messages };
}

export interface PhaseAResult {
  seconds: number;
  concurrency: number;
  requests: number;
  answered: number;
  errored: number;
  failures: number;
  failureSamples: string[];
  /** behaviour → signature → count. */
  outcomes: Record<string, Record<string, number>>;
  /** Answers that were well-formed but not what the fault calls for (behaviour: expected → seen × n). */
  unexpected: string[];
  latencyMs: { answered: Distribution; errored: Distribution };
  usage: {
    rows: number;
    totalsRequests: number;
    pages: number;
    rows200: number;
    missing: number;
    duplicates: number;
    extra: number;
    statusMismatches: number;
    mismatchSamples: string[];
  };
  /** `hwm`: peak RSS during the load (VmHWM reset after setup, if `hwmReset`); `setupHwm`: peak of start-up and sign-up. */
  rssMb: {
    start: number;
    min: number;
    avg: number;
    max: number;
    firstWindowAvg: number;
    lastWindowAvg: number;
    growth: number;
    slopePerMin: number;
    hwm: number;
    hwmReset: boolean;
    setupHwm: number;
  };
  fds: { before: number | undefined; after: number | undefined };
  fake: FaultStats | undefined;
  cpu: CpuUse;
  log: { errorLines: number; warnLines: number; messages: Record<string, number> };
  exitedDuringLoad: string | undefined;
  shutdown: { code: number | null; signal: string | null; graceful: boolean };
}

export interface PhaseBResult {
  streams: number;
  completed: number;
  errored: number;
  failures: number;
  failureSamples: string[];
  late: number;
  wallMs: number;
  durationMs: Distribution;
  ttfbMs: Distribution;
  /** Streams by time to first byte, per whole second ("0" = under 1 s). */
  ttfbHistogram: Record<string, number>;
  /** `hwm`: peak RSS of the streams (VmHWM reset after setup, if `hwmReset`); `setupHwm`: peak of start-up and sign-up. */
  rssMb: { idle: number; max: number; hwm: number; hwmReset: boolean; setupHwm: number };
  /** Connections the kernel dropped because a listen queue was full during the phase (machine-wide; each costs the client a SYN retry, ≥ 1 s). */
  listenOverflows: number | undefined;
  usage: { rows: number; rows200: number };
  cpu: CpuUse;
  exitedDuringLoad: string | undefined;
  shutdown: { code: number | null; signal: string | null; graceful: boolean };
}

export interface SoakResult {
  startedAt: string;
  options: Omit<SoakOptions, 'log' | 'resultsFile'>;
  machine: { node: string; cores: number; fdLimit: number | undefined; loadGeneratorPeakRssMb: number };
  phaseA: PhaseAResult;
  phaseB: PhaseBResult | undefined;
  checks: Check[];
  /** Well-formed but questionable behaviour worth reporting (not failed checks). */
  findings: string[];
  ok: boolean;
}

function exitText(zai: ZaiProcess): string | undefined {
  const exit = zai.exit();
  return exit
    ? `Z-AI exited (code ${String(exit.code)}, signal ${String(exit.signal)}):\n${zai.stderr().slice(-2000)}`
    : undefined;
}

/** Deletes a passed phase's Z-AI data directory; keeps a failed one's (its log helps) and says where. */
function keepOrRemove(o: SoakOptions, zai: ZaiProcess, passed: boolean): void {
  if (passed && process.env.SOAK_KEEP_DATA !== '1') zai.remove();
  else o.log(`  Z-AI data directory and log kept: ${zai.dataDir}`);
}

async function phaseA(o: SoakOptions, fake: FakeProcess): Promise<{ result: PhaseAResult; checks: Check[] }> {
  let passed = false;
  const zai = await startZai({
    logLevel: o.logLevel,
    firstByteTimeoutMs: o.firstByteTimeoutMs,
    idleTimeoutMs: o.idleTimeoutMs,
    connectTimeoutMs: 2_000,
    nodeArgs: o.zaiNodeArgs,
  });
  try {
    const { api, key } = await setupAccount(zai.url, `${fake.origin}/v1`);
    const setupHwmKb = procStatus(zai.pid)?.hwmKb ?? NaN;
    const hwmReset = resetPeakRss(zai.pid);
    const rssStart = procStatus(zai.pid)?.rssKb ?? NaN;
    const fdsBefore = openFds(zai.pid);
    const agent = new Agent({ connections: o.concurrency, pipelining: 1, keepAliveTimeout: 10_000 });
    const random = mulberry32(o.seed);
    const totalWeight = MIX.reduce((s, [, w]) => s + w, 0);
    const pick = (): { behaviour: Behaviour; stream: boolean } => {
      let r = random() * totalWeight;
      for (const [behaviour, weight, mode] of MIX) {
        r -= weight;
        if (r < 0) return { behaviour, stream: mode === 'stream' || (mode === 'either' && random() < 0.5) };
      }
      return { behaviour: 'json-ok', stream: false };
    };

    const outcomes: Record<string, Record<string, number>> = {};
    const byRequestId = new Map<string, Outcome & { behaviour: Behaviour; stream: boolean }>();
    const failureSamples: string[] = [];
    const answeredMs: number[] = [];
    const erroredMs: number[] = [];
    let requests = 0;
    let answered = 0;
    let errored = 0;
    let failures = 0;
    let exitedDuringLoad: string | undefined;

    const sampler = rssSampler(zai.pid, 1_000);
    const meter = cpuMeter(zai.pid, fake.pid);
    const start = performance.now();
    const end = start + o.seconds * 1000;
    const gapMs = 1000 / o.rps;
    let nextSlot = start;
    let lastProgress = start;

    const worker = async (): Promise<void> => {
      while (performance.now() < end && requests < o.maxRequests && exitedDuringLoad === undefined) {
        // Pace to the rate limit: each request takes the next free slot.
        const now = performance.now();
        const slot = Math.max(now, nextSlot);
        nextSlot = slot + gapMs;
        if (slot > now) await sleep(slot - now);
        if (performance.now() >= end) break;
        const n = requests++;
        const { behaviour, stream } = pick();
        const outcome = await call({
          agent,
          origin: zai.url,
          key,
          model: MODEL,
          stream,
          content: `soak:${behaviour}:${n}`,
          expectedText: fullText(OK_CHUNKS),
          deadlineMs: o.requestDeadlineMs,
        });
        const perBehaviour = (outcomes[`${behaviour}${stream ? ' (stream)' : ''}`] ??= {});
        const signature = outcome.kind === 'failure' ? 'failure' : outcome.signature;
        perBehaviour[signature] = (perBehaviour[signature] ?? 0) + 1;
        if (outcome.kind === 'answered') {
          answered += 1;
          answeredMs.push(outcome.ms);
        } else if (outcome.kind === 'errored') {
          errored += 1;
          erroredMs.push(outcome.ms);
        } else {
          failures += 1;
          if (failureSamples.length < 20)
            failureSamples.push(`#${n} ${behaviour}${stream ? ' (stream)' : ''}: ${outcome.detail ?? ''}`);
        }
        if (outcome.requestId !== undefined) {
          if (byRequestId.has(outcome.requestId)) {
            failures += 1;
            failureSamples.push(`request id ${outcome.requestId} seen twice`);
          }
          byRequestId.set(outcome.requestId, { ...outcome, behaviour, stream });
        }
        if (zai.exit() !== undefined) exitedDuringLoad = exitText(zai);
        const t = performance.now();
        if (t - lastProgress >= 30_000) {
          lastProgress = t;
          const rss = procStatus(zai.pid);
          o.log(
            `  phase A ${Math.round((t - start) / 1000)} s: ${requests} requests (${answered} answered, ${errored} errored, ${failures} failures), Z-AI RSS ${rss ? mb(rss.rssKb) : '?'} MB`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, () => worker()));
    const elapsed = (performance.now() - start) / 1000;
    sampler.stop();
    const cpu = meter.stop();
    if (zai.exit() !== undefined) exitedDuringLoad ??= exitText(zai);
    o.log(`  phase A done: ${requests} requests in ${elapsed.toFixed(1)} s; reading usage…`);

    // Usage rows are written in batches (≤ 250 ms): give them time, then read every row.
    await sleep(1_500);
    const usage = exitedDuringLoad === undefined ? await allUsage(api) : { rows: [] as UsageRow[], totalRequests: 0, pages: 0 };
    const rowsById = new Map<string, UsageRow>();
    let duplicates = 0;
    for (const row of usage.rows) {
      if (rowsById.has(row.id)) duplicates += 1;
      rowsById.set(row.id, row);
    }
    let missing = 0;
    let statusMismatches = 0;
    const mismatchSamples: string[] = [];
    for (const [id, outcome] of byRequestId) {
      const row = rowsById.get(id);
      if (!row) {
        missing += 1;
        if (mismatchSamples.length < 10) mismatchSamples.push(`${id} (${outcome.behaviour}): no usage row`);
        continue;
      }
      const fits =
        outcome.signature === 'ok'
          ? row.status === 200 && row.error_code === null
          : outcome.signature.startsWith('http ')
            ? row.status === outcome.status
            : row.status >= 400 && row.error_code === outcome.code;
      if (!fits) {
        statusMismatches += 1;
        if (mismatchSamples.length < 10)
          mismatchSamples.push(
            `${id} (${outcome.behaviour}): client saw ${outcome.signature}, usage row says ${row.status} ${String(row.error_code)}`,
          );
      }
    }
    const extra = [...rowsById.keys()].filter((id) => !byRequestId.has(id)).length;
    const rows200 = usage.rows.filter((r) => r.status === 200).length;

    // Socket leaks: with the load gone and idle connections closed on both sides, Z-AI's open
    // descriptors must be back where they were before the load.
    await agent.close();
    await sleep(2_500);
    const fdsAfter = openFds(zai.pid);
    const fakeStats = await fake.stats().catch(() => undefined);
    const hwmKb = procStatus(zai.pid)?.hwmKb ?? NaN;

    // RSS: bound over the run, and growth from the first window after warm-up to the last one.
    const samples = sampler.samples;
    const warmup = Math.min(30, elapsed * 0.2);
    const window = Math.min(60, (elapsed - warmup) / 3);
    const first = samples.filter((s) => s.t >= warmup && s.t < warmup + window);
    const last = samples.filter((s) => s.t > elapsed - window && s.t <= elapsed);
    const afterWarmup = samples.filter((s) => s.t >= warmup);
    const rssValues = samples.map((s) => s.rssKb);
    const firstAvg = average(first);
    const lastAvg = average(last);

    const shutdown = await zai.stop();
    const log = logErrors(zai.logFile);

    const unexpected: string[] = [];
    for (const [label, seen] of Object.entries(outcomes)) {
      const behaviour = label.replace(' (stream)', '') as Behaviour;
      for (const [signature, count] of Object.entries(seen)) {
        if (signature !== 'failure' && signature !== EXPECTED[behaviour])
          unexpected.push(`${label}: expected ${EXPECTED[behaviour]}, got ${signature} × ${count}`);
      }
    }

    const result: PhaseAResult = {
      seconds: Math.round(elapsed * 10) / 10,
      concurrency: o.concurrency,
      requests,
      answered,
      errored,
      failures,
      failureSamples,
      outcomes,
      unexpected,
      latencyMs: { answered: distribution(answeredMs), errored: distribution(erroredMs) },
      usage: {
        rows: usage.rows.length,
        totalsRequests: usage.totalRequests,
        pages: usage.pages,
        rows200,
        missing,
        duplicates,
        extra,
        statusMismatches,
        mismatchSamples,
      },
      rssMb: {
        start: mb(rssStart),
        min: mb(Math.min(...rssValues)),
        avg: mb(average(samples)),
        max: mb(Math.max(...rssValues)),
        firstWindowAvg: mb(firstAvg),
        lastWindowAvg: mb(lastAvg),
        growth: mb(lastAvg - firstAvg),
        slopePerMin: Math.round(slopeMbPerMin(afterWarmup) * 100) / 100,
        hwm: mb(hwmKb),
        hwmReset,
        setupHwm: mb(setupHwmKb),
      },
      fds: { before: fdsBefore, after: fdsAfter },
      fake: fakeStats,
      cpu,
      log,
      exitedDuringLoad,
      shutdown: { code: shutdown.code, signal: shutdown.signal, graceful: shutdown.graceful },
    };

    const checks: Check[] = [
      {
        name: 'A: Z-AI never exited under load',
        ok: exitedDuringLoad === undefined,
        detail: exitedDuringLoad ?? 'alive throughout',
      },
      {
        name: 'A: no failures (hang, malformed answer, connection error)',
        ok: failures === 0,
        detail: failures === 0 ? '0' : `${failures}: ${failureSamples.slice(0, 5).join(' | ')}`,
      },
      {
        name: 'A: every request answered or errored',
        ok: answered + errored === requests,
        detail: `${answered} + ${errored} of ${requests}`,
      },
      {
        name: 'A: one usage row per request',
        ok:
          usage.rows.length === requests && usage.totalRequests === requests && missing === 0 && duplicates === 0 && extra === 0,
        detail: `${usage.rows.length} rows (totals.requests ${usage.totalRequests}) for ${requests} requests; ${missing} missing, ${duplicates} duplicated, ${extra} unknown`,
      },
      {
        name: 'A: usage rows with status 200 = answers; every row has the status the client saw',
        ok: rows200 === answered && statusMismatches === 0,
        detail: `${rows200} rows 200 for ${answered} answers; ${statusMismatches} mismatches${mismatchSamples.length ? `: ${mismatchSamples.slice(0, 3).join(' | ')}` : ''}`,
      },
      {
        name: `A: RSS ≤ ${o.rssLimitMb} MB`,
        ok: Math.max(...rssValues, hwmReset ? hwmKb : 0) <= o.rssLimitMb * MB,
        detail: `max sampled ${mb(Math.max(...rssValues))} MB, peak (VmHWM${hwmReset ? ' since the load began' : ''}) ${mb(hwmKb)} MB`,
      },
      {
        name: `A: RSS does not grow steadily (last window − first window ≤ ${o.rssGrowthLimitMb} MB)`,
        ok: first.length > 0 && last.length > 0 && lastAvg - firstAvg <= o.rssGrowthLimitMb * MB,
        detail: `first ${Math.round(window)} s after ${Math.round(warmup)} s warm-up: ${mb(firstAvg)} MB; last ${Math.round(window)} s: ${mb(lastAvg)} MB; slope ${result.rssMb.slopePerMin} MB/min`,
      },
      {
        name: 'A: no sockets left behind (open fds back to the pre-load count ± 10)',
        ok: fdsBefore !== undefined && fdsAfter !== undefined && fdsAfter <= fdsBefore + 10,
        detail: `${String(fdsBefore)} before, ${String(fdsAfter)} after; fake: ${fakeStats ? `${fakeStats.openSockets} sockets, ${fakeStats.openResponses} responses open` : '?'}`,
      },
      {
        name: 'A: SIGTERM exits 0',
        ok: shutdown.code === 0 && shutdown.graceful,
        detail: `code ${String(shutdown.code)}, signal ${String(shutdown.signal)}`,
      },
    ];
    passed = checks.every((c) => c.ok);
    return { result, checks };
  } finally {
    await zai.stop(5_000);
    keepOrRemove(o, zai, passed);
  }
}

async function phaseB(o: SoakOptions, fake: FakeProcess): Promise<{ result: PhaseBResult; checks: Check[] }> {
  let passed = false;
  const zai = await startZai({
    logLevel: o.logLevel,
    firstByteTimeoutMs: o.firstByteTimeoutMs,
    idleTimeoutMs: o.idleTimeoutMs,
    connectTimeoutMs: 2_000,
    nodeArgs: o.zaiNodeArgs,
  });
  try {
    const { api, key } = await setupAccount(zai.url, `${fake.origin}/v1`);
    await sleep(500);
    const setupHwmKb = procStatus(zai.pid)?.hwmKb ?? NaN;
    const hwmReset = resetPeakRss(zai.pid);
    const idleKb = procStatus(zai.pid)?.rssKb ?? NaN;
    const agent = new Agent({ connections: o.slowStreams + 10, pipelining: 1, keepAliveTimeout: 10_000 });
    const sampler = rssSampler(zai.pid, 100);
    const meter = cpuMeter(zai.pid, fake.pid);
    const overflows0 = listenOverflows();
    const expected = fullText(SLOW_CHUNKS);
    const start = performance.now();
    o.log(`  phase B: ${o.slowStreams} streams of ${SLOW_CHUNKS} chunks, ${SLOW_INTERVAL_MS} ms apart…`);
    const outcomes = await Promise.all(
      Array.from({ length: o.slowStreams }, async (_, i) => {
        if (o.rampMs > 0) await sleep((i / o.slowStreams) * o.rampMs);
        return call({
          agent,
          origin: zai.url,
          key,
          model: MODEL,
          stream: true,
          content: `soak:slow:${i}`,
          expectedText: expected,
          deadlineMs: o.slowDeadlineMs,
        });
      }),
    );
    const wallMs = performance.now() - start;
    sampler.stop();
    const cpu = meter.stop();
    const overflows1 = listenOverflows();
    const exitedDuringLoad = exitText(zai);
    const hwmKb = procStatus(zai.pid)?.hwmKb ?? NaN;
    await agent.close();
    await sleep(1_500);
    const usage = exitedDuringLoad === undefined ? await allUsage(api) : { rows: [] as UsageRow[] };
    const shutdown = await zai.stop();

    const completed = outcomes.filter((x) => x.kind === 'answered');
    const failures = outcomes.filter((x) => x.kind === 'failure');
    const errored = outcomes.filter((x) => x.kind === 'errored');
    const late = completed.filter((x) => x.ms > o.slowDeadlineMs).length;
    const failureSamples = [...new Set([...failures.map((x) => x.detail ?? ''), ...errored.map((x) => x.signature)])].slice(
      0,
      10,
    );
    const rows200 = usage.rows.filter((r) => r.status === 200).length;
    const result: PhaseBResult = {
      streams: o.slowStreams,
      completed: completed.length,
      errored: errored.length,
      failures: failures.length,
      failureSamples,
      late,
      wallMs: Math.round(wallMs),
      durationMs: distribution(outcomes.map((x) => x.ms)),
      ttfbMs: distribution(outcomes.flatMap((x) => (x.ttfbMs === undefined ? [] : [x.ttfbMs]))),
      ttfbHistogram: outcomes.reduce<Record<string, number>>((h, x) => {
        const bucket = x.ttfbMs === undefined ? 'none' : String(Math.floor(x.ttfbMs / 1000));
        h[bucket] = (h[bucket] ?? 0) + 1;
        return h;
      }, {}),
      rssMb: {
        idle: mb(idleKb),
        max: mb(Math.max(...sampler.samples.map((s) => s.rssKb))),
        hwm: mb(hwmKb),
        hwmReset,
        setupHwm: mb(setupHwmKb),
      },
      listenOverflows: overflows0 === undefined || overflows1 === undefined ? undefined : overflows1 - overflows0,
      usage: { rows: usage.rows.length, rows200 },
      cpu,
      exitedDuringLoad,
      shutdown: { code: shutdown.code, signal: shutdown.signal, graceful: shutdown.graceful },
    };
    const checks: Check[] = [
      {
        name: 'B: Z-AI never exited under load',
        ok: exitedDuringLoad === undefined,
        detail: exitedDuringLoad ?? 'alive throughout',
      },
      {
        name: `B: all ${o.slowStreams} streams complete with the full text within ${o.slowDeadlineMs / 1000} s`,
        ok: completed.length === o.slowStreams && late === 0,
        detail: `${completed.length} complete, ${errored.length} errored, ${failures.length} failed; slowest ${Math.round(result.durationMs.max)} ms${failureSamples.length ? `: ${failureSamples.slice(0, 3).join(' | ')}` : ''}`,
      },
      {
        name: `B: Z-AI peak RSS (VmHWM) ≤ ${o.peakRssLimitMb} MB`,
        ok: hwmKb <= o.peakRssLimitMb * MB,
        detail: `${mb(hwmKb)} MB ${hwmReset ? 'from the first stream on' : 'over the whole process life (VmHWM could not be reset)'}; idle before: ${mb(idleKb)} MB; start-up and sign-up peak: ${mb(setupHwmKb)} MB`,
      },
      {
        name: 'B: one usage row per stream, with status 200 for each complete one',
        ok: usage.rows.length === o.slowStreams && rows200 === completed.length,
        detail: `${usage.rows.length} rows for ${o.slowStreams} streams; ${rows200} with 200 for ${completed.length} complete`,
      },
    ];
    passed = checks.every((c) => c.ok);
    return { result, checks };
  } finally {
    await zai.stop(5_000);
    keepOrRemove(o, zai, passed);
  }
}

/** Runs phase A and (unless `slowStreams` is 0) phase B; never throws for a failed check. */
export async function runSoak(overrides: Partial<SoakOptions> = {}): Promise<SoakResult> {
  const o: SoakOptions = { ...DEFAULTS, ...overrides };
  const limit = fdLimit();
  // Phase B holds a client socket and an upstream socket per stream in Z-AI, and one in each of this process and the fake.
  const needed = 2 * Math.max(o.slowStreams, o.concurrency) + 200;
  if (limit !== undefined && limit < needed) {
    throw new Error(`the open-files limit is ${limit}; phase B needs about ${needed}: raise it first (ulimit -n ${needed * 2})`);
  }
  const startedAt = new Date().toISOString();
  const fake = await startFake();
  try {
    o.log(
      `phase A: ${o.seconds} s of mixed load, concurrency ${o.concurrency}, ≤ ${o.rps} requests/s, faults from ${fake.origin}`,
    );
    const a = await phaseA(o, fake);
    const b = o.slowStreams > 0 ? await phaseB(o, fake) : undefined;
    const checks = [...a.checks, ...(b?.checks ?? [])];
    const findings: string[] = [];
    for (const line of a.result.unexpected) findings.push(`fault mapped unexpectedly: ${line}`);
    if (a.result.log.errorLines > 0) {
      findings.push(
        `Z-AI logged ${a.result.log.errorLines} error-level lines in phase A: ${Object.entries(a.result.log.messages)
          .map(([m, n]) => `${m} × ${n}`)
          .join('; ')}`,
      );
    }
    const { log: _log, resultsFile: _file, ...options } = o;
    const result: SoakResult = {
      startedAt,
      options,
      machine: {
        node: process.version,
        cores: os.cpus().length,
        fdLimit: limit,
        loadGeneratorPeakRssMb: mb(process.resourceUsage().maxRSS),
      },
      phaseA: a.result,
      phaseB: b?.result,
      checks,
      findings,
      ok: checks.every((c) => c.ok),
    };
    if (o.resultsFile) {
      fs.mkdirSync(path.dirname(o.resultsFile), { recursive: true });
      fs.writeFileSync(o.resultsFile, `${JSON.stringify(result, null, 2)}\n`);
    }
    return result;
  } finally {
    await fake.stop();
  }
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

const ms = (d: Distribution): string =>
  `p50 ${Math.round(d.p50)} / p90 ${Math.round(d.p90)} / p99 ${Math.round(d.p99)} / max ${Math.round(d.max)} ms`;

const cpuText = (c: CpuUse): string =>
  `Z-AI ${c.zaiPct} %, fake ${c.fakePct} %, load generator ${c.loadGeneratorPct} %, other processes on the machine ${c.otherProcessesPct} % (${c.cores} cores)`;

/** The summary table. */
export function formatSummary(r: SoakResult): string {
  const a = r.phaseA;
  const rows: Array<[string, string]> = [
    [
      'Phase A',
      `${a.seconds} s, concurrency ${a.concurrency}, ≤ ${r.options.rps} req/s, Z-AI timeouts ${r.options.firstByteTimeoutMs}/${r.options.idleTimeoutMs} ms`,
    ],
    ['requests', `${a.requests} (${(a.requests / a.seconds).toFixed(1)}/s)`],
    ['answered (2xx, complete)', String(a.answered)],
    ['errored (OpenAI error / SSE error event)', String(a.errored)],
    ['failures', String(a.failures)],
    [
      'usage rows (totals.requests)',
      `${a.usage.rows} (${a.usage.totalsRequests}); status 200: ${a.usage.rows200}; missing ${a.usage.missing}, duplicated ${a.usage.duplicates}, status mismatches ${a.usage.statusMismatches}`,
    ],
    ['latency answered', ms(a.latencyMs.answered)],
    ['latency errored', ms(a.latencyMs.errored)],
    [
      'Z-AI RSS min / avg / max sampled',
      `${a.rssMb.min} / ${a.rssMb.avg} / ${a.rssMb.max} MB (idle at start ${a.rssMb.start} MB; peak under load, VmHWM ${a.rssMb.hwm} MB; start-up + sign-up peak ${a.rssMb.setupHwm} MB)`,
    ],
    [
      'Z-AI RSS first / last window',
      `${a.rssMb.firstWindowAvg} / ${a.rssMb.lastWindowAvg} MB (growth ${a.rssMb.growth} MB, slope ${a.rssMb.slopePerMin} MB/min)`,
    ],
    ['Z-AI open fds before / after', `${String(a.fds.before)} / ${String(a.fds.after)}`],
    ['Z-AI log', `${a.log.errorLines} error lines, ${a.log.warnLines} warn lines`],
    ['SIGTERM', `exit code ${String(a.shutdown.code)}`],
    ['CPU (% of one core)', cpuText(a.cpu)],
  ];
  const b = r.phaseB;
  if (b) {
    rows.push(
      [
        'Phase B',
        `${b.streams} concurrent streams × ${SLOW_CHUNKS} chunks, ${SLOW_INTERVAL_MS} ms apart${r.options.rampMs ? `, ramp ${r.options.rampMs} ms` : ''}`,
      ],
      ['completed / errored / failed', `${b.completed} / ${b.errored} / ${b.failures}`],
      ['wall time', `${b.wallMs} ms`],
      ['stream completion', ms(b.durationMs)],
      ['time to first byte', ms(b.ttfbMs)],
      [
        'streams by first byte (s: count)',
        Object.entries(b.ttfbHistogram)
          .map(([k, n]) => `${k}: ${n}`)
          .join(', '),
      ],
      [
        'Z-AI RSS idle / max sampled / peak (VmHWM)',
        `${b.rssMb.idle} / ${b.rssMb.max} / ${b.rssMb.hwm} MB (start-up + sign-up peak ${b.rssMb.setupHwm} MB)`,
      ],
      ['listen-queue overflows (kernel)', String(b.listenOverflows)],
      ['usage rows', `${b.usage.rows} (${b.usage.rows200} with 200)`],
      ['CPU (% of one core)', cpuText(b.cpu)],
    );
  }
  if (r.options.zaiNodeArgs.length > 0) rows.unshift(['Z-AI node flags (diagnosis run)', r.options.zaiNodeArgs.join(' ')]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const lines = rows.map(([k, v]) => `${pad(k, width)}${v}`);
  lines.push('', 'Outcomes by fault (phase A):');
  for (const [label, seen] of Object.entries(a.outcomes).sort()) {
    lines.push(
      `  ${pad(label, 36)}${Object.entries(seen)
        .map(([s, n]) => `${s} × ${n}`)
        .join(', ')}`,
    );
  }
  lines.push('', 'Checks:');
  for (const c of r.checks) lines.push(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  if (r.findings.length > 0) {
    lines.push('', 'Findings (not failed checks):');
    for (const f of r.findings) lines.push(`  - ${f}`);
  }
  lines.push('', r.ok ? 'SOAK PASSED' : 'SOAK FAILED');
  return lines.join('\n');
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
}

/**
 * The CLI's options: SOAK_SECONDS, SOAK_CONCURRENCY, SOAK_RPS, SOAK_MAX_REQUESTS, SOAK_SLOW_STREAMS
 * (0 skips phase B), SOAK_RAMP_MS (phase B start spread), SOAK_SEED, SOAK_LOG_LEVEL, and
 * SOAK_ZAI_NODE_ARGS (node flags for Z-AI, e.g. `--cpu-prof --cpu-prof-dir=soak/results/prof`).
 */
export function optionsFromEnv(): Partial<SoakOptions> {
  return {
    seconds: envNumber('SOAK_SECONDS', DEFAULTS.seconds),
    concurrency: envNumber('SOAK_CONCURRENCY', DEFAULTS.concurrency),
    rps: envNumber('SOAK_RPS', DEFAULTS.rps),
    maxRequests: envNumber('SOAK_MAX_REQUESTS', DEFAULTS.maxRequests),
    slowStreams: envNumber('SOAK_SLOW_STREAMS', DEFAULTS.slowStreams),
    rampMs: envNumber('SOAK_RAMP_MS', DEFAULTS.rampMs),
    seed: envNumber('SOAK_SEED', DEFAULTS.seed),
    logLevel: process.env.SOAK_LOG_LEVEL?.trim() || DEFAULTS.logLevel,
    zaiNodeArgs: (process.env.SOAK_ZAI_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
  };
}

// `npm run soak`
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.on('exit', killChildrenSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killChildrenSync();
      process.exit(130);
    });
  }
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  try {
    const result = await runSoak({ ...optionsFromEnv(), resultsFile: path.join(SOAK_DIR, 'results', 'latest.json'), log });
    process.stdout.write(`\n${formatSummary(result)}\n`);
    log(`results: ${path.relative(process.cwd(), path.join(SOAK_DIR, 'results', 'latest.json'))}`);
    process.exitCode = result.ok ? 0 : 1;
  } catch (err) {
    log(`soak aborted: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  }
}
