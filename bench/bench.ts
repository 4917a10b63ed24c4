/**
 * `npm run bench`: Z-AI's speed against the floor, measured the way an outside benchmark measures
 * a gateway (see README.md): wrk as the load generator, the gateway under test alone on core 1,
 * wrk, the fake upstream and this process on core 0.
 *
 * Starts a fake OpenAI-compatible upstream, a bare Node reverse proxy in front of it and Z-AI
 * (built `dist/`, `zai serve`, info logging discarded) with an account, an `openai` provider
 * pointing at the fake and an uncapped key, so every request takes the full path. Every case —
 * target × mode × concurrency — gets a warm-up wrk run and a measured one; rounds interleave the
 * targets; the table shows medians over the rounds and the targets are ratios against the bare
 * proxy of the same run. Writes bench/results/latest.json.
 *
 * Options: --no-build (use the existing dist/), --quick (short windows, one round: to try the
 * bench), --cpu-prof (Z-AI under `node --cpu-prof`; profiles and results go to
 * bench/results/profile/, numbers not comparable). Environment: see README.md.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MODES, type Mode } from './modes.js';
import {
  BENCH_DIR,
  ROOT,
  compileScript,
  coreTimes,
  clkTck,
  killAllSync,
  nodeArgsFrom,
  pinToCore,
  spawnNode,
  startFakeUpstream,
  stopAll,
} from './processes.js';
import { sanityCheck, serves, type Endpoint } from './endpoint.js';
import { coreBusy, cpuMs, verifyPinned, watchRss } from './measure.js';
import {
  checks,
  median,
  medians,
  renderChecks,
  renderTable,
  usageCheck,
  type CaseRun,
  type Check,
  type RssPeak,
  type Target,
} from './report.js';
import { describeErrors, ensureWrk, runWrk, wrkVersion, type WrkResult } from './wrk.js';
import { PROVIDER_KEY, makeDataDir, startZai } from './zai.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const build = !args.has('--no-build');
const cpuProf = args.has('--cpu-prof');
const WARMUP_S = Math.max(1, Math.round(Number(process.env.BENCH_WARMUP_S ?? (quick ? 1 : 2))));
const DURATION_S = Math.max(1, Math.round(Number(process.env.BENCH_DURATION_S ?? (quick ? 2 : 8))));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 3)));
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,50').split(',').map((s) => Number(s.trim()));
const MODE_NAMES = (process.env.BENCH_MODES ?? MODES.map((m) => m.name).join(',')).split(',').map((s) => s.trim());
const TARGETS = (process.env.BENCH_TARGETS ?? 'bare-proxy,z-ai,z-ai-alt').split(',').map((s) => s.trim());
/** Another checkout/build of Z-AI (with bin/ and dist/) to measure as `z-ai-alt` in the same run. */
const ALT_DIR = process.env.BENCH_ZAI_ALT_DIR;
/** The Z-AI checkout measured as `z-ai` (default: this one, built first unless --no-build). */
const ZAI_DIR = path.resolve(process.env.BENCH_ZAI_DIR ?? ROOT);
/** Extra node flags for the Z-AI processes and the bare proxy (e.g. `--cpu-prof`), for experiments. */
const ZAI_NODE_ARGS = nodeArgsFrom('BENCH_ZAI_NODE_ARGS');
const BARE_NODE_ARGS = nodeArgsFrom('BENCH_BARE_NODE_ARGS');
// Flags for z-ai-alt alone, after the others (V8 takes the last): A/B of node flags on one build.
const ALT_NODE_ARGS = nodeArgsFrom('BENCH_ZAI_ALT_NODE_ARGS');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
/** wrk, the fake upstream and this process run here; the gateway under test alone on GATEWAY_CORE. */
const LOAD_CORE = 0;
const GATEWAY_CORE = 1;
/**
 * Pause after a wrk run before the CPU of a window is read, so the window holds the work that
 * trails its own requests (usage rows are written every 250 ms) and not the warm-up's.
 */
const SETTLE_MS = 400;

const dataDirs: string[] = [];

function removeDataDirs(): void {
  for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

async function cleanup(): Promise<void> {
  await stopAll();
  removeDataDirs();
}

process.on('exit', () => {
  killAllSync();
  removeDataDirs();
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the benchmark's processes`);
    void cleanup().finally(() => process.exit(130));
  });
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const pct = (share: number): string => `${Math.round(share * 100)} %`;

async function main(): Promise<void> {
  const started = Date.now();
  if (os.cpus().length < 2) throw new Error('the bench needs two cores: the gateway alone on one, the load on the other');
  const wrk = ensureWrk(log);
  const modes = MODE_NAMES.map((name) => {
    const mode = MODES.find((m) => m.name === name);
    if (!mode) throw new Error(`BENCH_MODES: no mode ${name} (there are ${MODES.map((m) => m.name).join(', ')})`);
    return mode;
  });
  if (build) {
    log('building Z-AI (npm run build)…');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (!fs.existsSync(path.join(ZAI_DIR, 'dist', 'cli', 'main.js')))
    throw new Error(`${ZAI_DIR}/dist is missing: run npm run build`);
  // After the build (which may use every core): every process started from here on starts on the load core.
  pinToCore(process.pid, LOAD_CORE);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });

  const before = coreTimes();
  await sleep(1000);
  const after = coreTimes();
  const busyBefore = [LOAD_CORE, GATEWAY_CORE].map((core) => coreBusy(before, after, core));
  const loadAverage = os.loadavg();
  if (busyBefore.some((b) => b > 0.1)) {
    log(
      `warning: before the bench started, core ${LOAD_CORE} was ${pct(busyBefore[0] ?? NaN)} busy and core ${GATEWAY_CORE} ` +
        `${pct(busyBefore[1] ?? NaN)} (other processes; load average ${loadAverage[0]?.toFixed(1)}): results will be noisier`,
    );
  }

  // The fake upstream on the load core; the bare proxy and Z-AI each pinned alone to the gateway core.
  const fake = await startFakeUpstream(LOAD_CORE);
  const profileDir = path.join(RESULTS_DIR, 'profile');
  if (cpuProf) fs.mkdirSync(profileDir, { recursive: true });
  const zaiNodeArgs = [...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...ZAI_NODE_ARGS];

  const endpoints: Endpoint[] = [];
  if (TARGETS.includes('bare-proxy')) {
    const bare = await spawnNode({
      name: 'bare-proxy',
      args: [...BARE_NODE_ARGS, compileScript('bare-proxy.ts')],
      env: { UPSTREAM_URL: fake.origin },
      core: GATEWAY_CORE,
      readyMessage: true,
    });
    const authorization = `Bearer ${PROVIDER_KEY}`;
    const origin = `http://127.0.0.1:${bare.port}`;
    endpoints.push({
      target: 'bare-proxy',
      origin,
      model: 'gpt-4o-mini',
      authorization,
      child: bare.child,
      zai: undefined,
      peakRssKb: 0,
      unjudgedPeakRssKb: 0,
    });
  }
  const zaiBuilds: [Target, string][] = [
    ['z-ai', ZAI_DIR],
    ...(ALT_DIR ? [['z-ai-alt', path.resolve(ALT_DIR)] as [Target, string]] : []),
  ];
  for (const [target, dir] of zaiBuilds) {
    if (!TARGETS.includes(target)) continue;
    const dataDir = makeDataDir();
    dataDirs.push(dataDir);
    const running = await startZai({
      name: target,
      dir,
      upstreamOrigin: fake.origin,
      core: GATEWAY_CORE,
      nodeArgs: target === 'z-ai-alt' ? [...zaiNodeArgs, ...ALT_NODE_ARGS] : zaiNodeArgs,
      dataDir,
    });
    endpoints.push({
      target,
      origin: running.origin,
      model: 'openai/gpt-4o-mini',
      authorization: `Bearer ${running.key}`,
      child: running.child,
      zai: { running, answered: 0, cutOff: 0 },
      peakRssKb: 0,
      unjudgedPeakRssKb: 0,
    });
  }
  if (endpoints.length === 0) throw new Error(`BENCH_TARGETS=${TARGETS.join(',')} names no target to measure`);
  for (const endpoint of endpoints) verifyPinned(endpoint.child, GATEWAY_CORE);
  for (const mode of modes) {
    if (mode.zaiOnly && !modes.some((m) => m.name === mode.zaiOnly?.against))
      throw new Error(`BENCH_MODES: ${mode.name} is judged against ${mode.zaiOnly.against}, which must run too`);
  }
  for (const endpoint of endpoints) for (const mode of modes) if (serves(endpoint, mode)) await sanityCheck(endpoint, mode);

  const highLoad = Math.max(...CONCURRENCIES);
  let rssMethod: RssPeak['method'] | undefined;

  /** One wrk run; every answer and cut-off request is counted for the usage check. */
  const load = async (endpoint: Endpoint, mode: Mode, concurrency: number, seconds: number): Promise<WrkResult> => {
    const result = await runWrk({
      wrk,
      core: LOAD_CORE,
      url: `${endpoint.origin}${mode.path}`,
      body: mode.body(endpoint.model),
      authorization: endpoint.authorization,
      connections: concurrency,
      seconds,
      expectText: mode.expectText,
    });
    if (endpoint.zai) {
      endpoint.zai.answered += result.requests;
      endpoint.zai.cutOff += concurrency;
    }
    return result;
  };

  const runCase = async (endpoint: Endpoint, mode: Mode, concurrency: number, round: number): Promise<CaseRun> => {
    const rss = concurrency === highLoad ? watchRss(endpoint.child) : undefined;
    rssMethod ??= rss?.method;
    await load(endpoint, mode, concurrency, WARMUP_S);
    await sleep(SETTLE_MS);
    const [gatewayStart, fakeStart] = await Promise.all([endpoint.child.sample(), fake.child.sample()]);
    const coresStart = coreTimes();
    const measured = await load(endpoint, mode, concurrency, DURATION_S);
    await sleep(SETTLE_MS);
    const coresEnd = coreTimes();
    const [gatewayEnd, fakeEnd] = await Promise.all([endpoint.child.sample(), fake.child.sample()]);
    if (rss) {
      const kb = await rss.stop();
      if (mode.rssJudged === false) endpoint.unjudgedPeakRssKb = Math.max(endpoint.unjudgedPeakRssKb, kb);
      else endpoint.peakRssKb = Math.max(endpoint.peakRssKb, kb);
    }

    const gateway = cpuMs(gatewayStart, gatewayEnd);
    const windowMs = (((coresEnd.get(GATEWAY_CORE)?.total ?? 0) - (coresStart.get(GATEWAY_CORE)?.total ?? 0)) * 1000) / clkTck();
    const gatewayCoreBusy = coreBusy(coresStart, coresEnd, GATEWAY_CORE);
    const requests = measured.requests;
    return {
      round,
      target: endpoint.target,
      mode: mode.name,
      concurrency,
      wrk: measured,
      cpuMsPerReq: requests > 0 ? gateway.precise / requests : NaN,
      cpuMsPerReqTicks: requests > 0 && gateway.ticks !== null ? gateway.ticks / requests : null,
      upstreamCpuMsPerReq: requests > 0 ? cpuMs(fakeStart, fakeEnd).precise / requests : NaN,
      loadCoreBusy: coreBusy(coresStart, coresEnd, LOAD_CORE),
      gatewayCoreBusy,
      gatewayCoreOthers: Math.max(0, gatewayCoreBusy - gateway.precise / windowMs),
    };
  };

  // The modes whose memory the RSS bound judges run first, all their rounds; the others (large
  // bodies) after, so the heap they grow is not counted against the small body's bound.
  const phases = [modes.filter((m) => m.rssJudged !== false), modes.filter((m) => m.rssJudged === false)].filter(
    (phase) => phase.length > 0,
  );
  const pairs = modes.reduce((sum, mode) => sum + endpoints.filter((e) => serves(e, mode)).length, 0);
  const total = pairs * CONCURRENCIES.length;
  log(
    `measuring ${total} cases × ${ROUNDS} round(s): ${WARMUP_S} s warm-up + ${DURATION_S} s measured each, ` +
      `about ${Math.ceil((total * ROUNDS * (WARMUP_S + DURATION_S + 1)) / 60)} min` +
      (cpuProf ? ' (Z-AI under --cpu-prof: numbers not comparable)' : ''),
  );
  const runs: CaseRun[] = [];
  for (const phase of phases) {
    // JIT warm-up of every process on every path of the phase before anything is measured (not recorded).
    log(`warming up every target on ${phase.map((m) => m.name).join(', ')} (${WARMUP_S} s each)…`);
    for (const endpoint of endpoints) {
      for (const mode of phase) if (serves(endpoint, mode)) await load(endpoint, mode, highLoad, WARMUP_S);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      // The targets of one case run back to back so drift hits them alike; every other round reversed.
      const order = round % 2 === 1 ? endpoints : [...endpoints].reverse();
      for (const mode of phase) {
        for (const concurrency of CONCURRENCIES) {
          for (const endpoint of order) {
            if (!serves(endpoint, mode)) continue;
            const run = await runCase(endpoint, mode, concurrency, round);
            runs.push(run);
            const w = run.wrk;
            log(
              `  round ${round}  ${endpoint.target.padEnd(10)} ${mode.name.padEnd(6)} c=${String(concurrency).padEnd(3)} ` +
                `${Math.round(w.rps)} req/s, p50 ${w.latencyMs.p50.toFixed(2)} ms, p99 ${w.latencyMs.p99.toFixed(2)} ms, ` +
                `CPU ${run.cpuMsPerReq.toFixed(3)} ms/req (wrk ${w.cpuMsPerReq.toFixed(3)}, fake ${run.upstreamCpuMsPerReq.toFixed(3)}); ` +
                `load core ${pct(run.loadCoreBusy)} busy, others on the gateway core ${pct(run.gatewayCoreOthers)}` +
                (w.errors > 0 ? `; errors: ${describeErrors(w)}` : ''),
            );
          }
        }
      }
    }
  }
  const cases = medians(runs);

  // Usage recording really happened: one row per answered request (rows are flushed every 250 ms).
  await sleep(700);
  const builds = endpoints.filter((e) => e.zai !== undefined);
  const verdicts: { endpoint: Endpoint; list: Check[]; usage: Check; rows: number }[] = [];
  for (const endpoint of builds) {
    const zai = endpoint.zai as NonNullable<Endpoint['zai']>;
    const rows = await zai.running.usageRows();
    const list = checks(
      cases,
      CONCURRENCIES,
      endpoint.target,
      {
        kb: endpoint.peakRssKb > 0 ? endpoint.peakRssKb : NaN,
        method: rssMethod ?? 'VmHWM',
      },
      modes,
    );
    verdicts.push({ endpoint, list, usage: usageCheck(rows, zai.answered, zai.cutOff), rows });
  }

  // The report.
  const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
  const bare = endpoints.find((e) => e.target === 'bare-proxy');
  const others = runs.map((r) => r.gatewayCoreOthers);
  const loadCore = runs.map((r) => r.loadCoreBusy);
  const header =
    `Z-AI benchmark — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores (${cpuModel})\n` +
    `wrk (one thread, c connections, keep-alive), the fake upstream and the bench on core ${LOAD_CORE}; the gateway under test alone on core ${GATEWAY_CORE}. ` +
    `Per case ${WARMUP_S} s warm-up + ${DURATION_S} s measured; medians of ${ROUNDS} interleaved round(s). ` +
    `Latency = request sent → last byte of the answer; CPU ms/req = the gateway's CPU time over the window ÷ requests.\n` +
    `Before the run: core ${LOAD_CORE} ${pct(busyBefore[0] ?? NaN)} busy, core ${GATEWAY_CORE} ${pct(busyBefore[1] ?? NaN)}, load average ${loadAverage.map((l) => l.toFixed(1)).join(' ')}.`;
  const output = [
    header,
    '',
    renderTable(
      cases,
      modes,
      CONCURRENCIES,
      builds.map((b) => b.target),
    ),
    '',
    `Other processes on the gateway's core during the measured windows: median ${pct(median(others))}, max ${pct(Math.max(...others))}; ` +
      `load core busy: median ${pct(median(loadCore))}, max ${pct(Math.max(...loadCore))}.`,
    ...(median(others) > 0.1
      ? [
          `Other processes shared the gateway's core: throughput and latency then follow the scheduler's share as much as ` +
            `the gateway's cost (CPU per request much less so). Quote figures from a quiet machine.`,
        ]
      : []),
    ...(median(loadCore) > 0.9
      ? [
          `The load core was busy most of the time: where it was, wrk or the fake may have set the pace instead of the gateway ` +
            `(wrk's and the fake's CPU per request are in the JSON).`,
        ]
      : []),
    ...verdicts.flatMap(({ endpoint, list, usage }) => [
      '',
      ...(builds.length > 1 ? [`${endpoint.target}${endpoint.target === 'z-ai-alt' ? ` (${ALT_DIR})` : ''}:`] : []),
      renderChecks([...list, usage]),
      `Targets met: ${list.filter((c) => c.pass).length} of ${list.length}` +
        (bare ? `; bare proxy peak RSS under c=${highLoad}: ${(bare.peakRssKb / 1024).toFixed(1)} MB` : '') +
        (endpoint.unjudgedPeakRssKb > 0
          ? `; peak RSS under c=${highLoad} in the modes the bound does not judge: ${(endpoint.unjudgedPeakRssKb / 1024).toFixed(1)} MB` +
            (bare !== undefined && bare.unjudgedPeakRssKb > 0
              ? ` (bare proxy ${(bare.unjudgedPeakRssKb / 1024).toFixed(1)} MB)`
              : '')
          : '') +
        (cpuProf ? ' (Z-AI ran under --cpu-prof: not comparable)' : ''),
    ]),
  ].join('\n');
  console.log(output);

  const json = {
    generatedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: {
      cores: os.cpus().length,
      cpu: cpuModel,
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      wrk: wrkVersion(wrk) ?? null,
      coresBusyBeforeRun: { load: busyBefore[0], gateway: busyBefore[1] },
      loadAverageBeforeRun: loadAverage,
    },
    settings: {
      warmupSeconds: WARMUP_S,
      durationSeconds: DURATION_S,
      rounds: ROUNDS,
      concurrencies: CONCURRENCIES,
      modes: modes.map((m) => ({ name: m.name, path: m.path, stream: m.stream, body: m.body('…'), zaiOnly: m.zaiOnly ?? null })),
      loadCore: LOAD_CORE,
      gatewayCore: GATEWAY_CORE,
      zaiLogLevel: 'info',
      rssMethod,
      cpuProf,
    },
    cases: cases.map(({ runs: caseRuns, ...c }) => ({
      ...c,
      rounds: caseRuns.map((r) => ({
        round: r.round,
        rps: r.wrk.rps,
        requests: r.wrk.requests,
        errors: r.wrk.errorDetail,
        latencyMs: r.wrk.latencyMs,
        bytesPerAnswer: r.wrk.bytesPerAnswer,
        wrkCpuMsPerReq: r.wrk.cpuMsPerReq,
        cpuMsPerReq: r.cpuMsPerReq,
        cpuMsPerReqTicks: r.cpuMsPerReqTicks,
        upstreamCpuMsPerReq: r.upstreamCpuMsPerReq,
        loadCoreBusy: r.loadCoreBusy,
        gatewayCoreBusy: r.gatewayCoreBusy,
        gatewayCoreOthers: r.gatewayCoreOthers,
      })),
    })),
    peakRssKbUnderHighLoad: Object.fromEntries(endpoints.map((e) => [e.target, e.peakRssKb])),
    unjudgedPeakRssKbUnderHighLoad: Object.fromEntries(endpoints.map((e) => [e.target, e.unjudgedPeakRssKb])),
    verdicts: verdicts.map(({ endpoint, list, usage, rows }) => ({
      target: endpoint.target,
      dir: endpoint.target === 'z-ai-alt' ? path.resolve(ALT_DIR ?? '') : ZAI_DIR,
      checks: [...list, usage],
      usageRows: rows,
      answered: endpoint.zai?.answered,
      cutOff: endpoint.zai?.cutOff,
    })),
    elapsedSeconds: (Date.now() - started) / 1000,
  };
  // A profiling run's numbers are not comparable: they go beside the profiles, not over latest.json.
  const out = cpuProf ? path.join(profileDir, 'results.json') : path.join(RESULTS_DIR, 'latest.json');
  fs.writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
  log(`results written to ${path.relative(process.cwd(), out)} (${json.elapsedSeconds.toFixed(0)} s)`);
}

main().then(
  async () => {
    await cleanup();
    process.exit(0);
  },
  async (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    await cleanup();
    process.exit(1);
  },
);
