/**
 * `npm run bench`: Z-AI's speed against the floor, in one run on this machine (see README.md).
 *
 * Starts three processes — a fake OpenAI-compatible upstream, a bare Node reverse proxy in front
 * of it, and Z-AI (built `dist/`, `zai serve`, info logging to /dev/null) with an account, an
 * `openai` provider pointing at the fake and an uncapped key, so every request takes the full
 * path (key auth, allow-list, decrypt, usage recording) — then measures direct / bare proxy /
 * Z-AI × non-streaming / streaming (20 chunks) × concurrency 1 / 50 from this process, and
 * prints the table and Z-AI's speed targets as ratios against the bare proxy of the same run.
 * Writes bench/results/latest.json.
 *
 * Options: --no-build (use the existing dist/), --quick (short windows, one round: to try the
 * bench), --cpu-prof (Z-AI under `node --cpu-prof`; profiles and results go to
 * bench/results/profile/, numbers not comparable).
 * Env: BENCH_WARMUP_MS, BENCH_DURATION_MS, BENCH_ROUNDS (default 2; each case keeps its least
 * disturbed round), BENCH_CONCURRENCY ("1,50"), BENCH_MODES ("json,stream,messages"; `messages` is
 * streaming through the Anthropic Messages ingress, Z-AI only), BENCH_TARGETS
 * ("direct,bare-proxy,z-ai,z-ai-alt"), BENCH_ZAI_DIR (the Z-AI checkout to measure, default this
 * one), BENCH_ZAI_ALT_DIR (a second checkout with bin/ and a built dist/, measured as `z-ai-alt`
 * in the same run, interleaved with the others: the way to compare a change on a noisy machine),
 * BENCH_ZAI_NODE_ARGS / BENCH_BARE_NODE_ARGS (extra node flags for the Z-AI processes / the bare
 * proxy, e.g. `--cpu-prof --cpu-prof-dir=./prof --cpu-prof-interval=250`; the bare proxy writes a
 * profile only if it exits cleanly, so add a preload that calls process.exit on SIGTERM).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVE_NODE_FLAGS } from '../src/cli/serve-flags.js';
import { runLoad, type LoadResult } from './load.js';
import {
  BENCH_DIR,
  ROOT,
  clkTck,
  compileScript,
  freePort,
  killAllSync,
  spawnNode,
  stopAll,
  type Child,
  type CpuSample,
} from './processes.js';
import { checks, renderChecks, renderTable, type CaseResult, type Check, type Mode, type Target } from './report.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const build = !args.has('--no-build');
const cpuProf = args.has('--cpu-prof');
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? (quick ? 300 : 1000));
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? (quick ? 1000 : 3500));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 2)));
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,50').split(',').map((s) => Number(s.trim()));
const MODES = (process.env.BENCH_MODES ?? 'json,stream,messages').split(',').map((s) => s.trim()) as Mode[];
const TARGETS = (process.env.BENCH_TARGETS ?? 'direct,bare-proxy,z-ai,z-ai-alt').split(',').map((s) => s.trim());
/** Another checkout/build of Z-AI (with bin/ and dist/) to measure as `z-ai-alt` in the same run. */
const ALT_DIR = process.env.BENCH_ZAI_ALT_DIR;
/** The Z-AI checkout measured as `z-ai` (default: this one, built first unless --no-build). */
const ZAI_DIR = path.resolve(process.env.BENCH_ZAI_DIR ?? ROOT);
/** Extra node flags for the Z-AI processes and the bare proxy (e.g. `--cpu-prof`), for experiments. */
const ZAI_NODE_ARGS = (process.env.BENCH_ZAI_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const BARE_NODE_ARGS = (process.env.BENCH_BARE_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const PROVIDER_KEY = 'sk-bench-0123456789abcdefghijklmnop';
const STREAM_CHUNKS = 20;

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

/** Machine-wide CPU counters from /proc/stat (jiffies): total, idle (idle + iowait), steal. */
function machineCpu(): { total: number; idle: number; steal: number } | undefined {
  try {
    const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, v) => sum + v, 0);
    return { total, idle: (fields[3] ?? 0) + (fields[4] ?? 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/** Share of the machine's CPU busy (and stolen by the hypervisor) between two readings. */
function busyBetween(
  a: ReturnType<typeof machineCpu>,
  b: ReturnType<typeof machineCpu>,
): { busy: number; steal: number } | undefined {
  if (!a || !b || b.total <= a.total) return undefined;
  const total = b.total - a.total;
  return { busy: 1 - (b.idle - a.idle) / total, steal: (b.steal - a.steal) / total };
}

/** Share of the machine's CPU busy over `ms` (other sessions, builds…). */
async function machineBusy(ms: number): Promise<number | undefined> {
  const a = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return busyBetween(a, machineCpu())?.busy;
}

function chatBody(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Say hello in a short sentence.' },
    ],
    temperature: 0.7,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

/** A streaming Anthropic Messages request, translated by Z-AI to the same upstream stream. */
function messagesBody(model: string): string {
  return JSON.stringify({
    model,
    max_tokens: 1000,
    stream: true,
    system: 'You are a helpful assistant.',
    messages: [{ role: 'user', content: 'Say hello in a short sentence.' }],
    temperature: 0.7,
  });
}

const MESSAGES_END = 'event: message_stop\ndata: {"type":"message_stop"}\n\n';

function isZaiTarget(target: Target): boolean {
  return target === 'z-ai' || target === 'z-ai-alt';
}

/** Only Z-AI speaks the Messages API; the direct and bare-proxy targets take the other modes. */
function serves(endpoint: { target: Target }, mode: Mode): boolean {
  return mode !== 'messages' || isZaiTarget(endpoint.target);
}

/** The management API with a kept session cookie. */
class Management {
  private cookie = '';
  constructor(private readonly base: string) {}

  async call(method: string, route: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${this.base}${route}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    const text = await res.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { text };
    }
    if (res.status >= 300) throw new Error(`${method} ${route} → ${res.status}: ${text.slice(0, 300)}`);
    return { status: res.status, json };
  }
}

async function waitHealthy(url: string, child: Child): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`Z-AI exited at start:\n${child.stderr()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Z-AI did not become healthy within 30 s:\n${child.stderr()}`);
}

interface Endpoint {
  target: Target;
  origin: string;
  model: string;
  authorization: string;
  proxy: Child | undefined;
}

/** One request per mode through an endpoint, checked in full before any load. */
async function sanityCheck(endpoint: Endpoint): Promise<void> {
  const headers = { authorization: endpoint.authorization, 'content-type': 'application/json' };
  const json = await fetch(`${endpoint.origin}/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: chatBody(endpoint.model, false),
  });
  const completion = (await json.json()) as { model?: string; choices?: unknown[]; usage?: unknown };
  if (json.status !== 200 || !Array.isArray(completion.choices) || completion.usage === undefined) {
    throw new Error(
      `${endpoint.target}: unexpected non-streaming answer ${json.status} ${JSON.stringify(completion).slice(0, 300)}`,
    );
  }
  const isZai = isZaiTarget(endpoint.target);
  if (isZai && completion.model !== endpoint.model) throw new Error(`${endpoint.target} answered model ${completion.model}`);
  const stream = await fetch(`${endpoint.origin}/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: chatBody(endpoint.model, true),
  });
  const text = await stream.text();
  const events = text.split('\n\n').filter((e) => e.startsWith('data: '));
  const chunks = events
    .filter((e) => e !== 'data: [DONE]')
    .map((e) => JSON.parse(e.slice(6)) as { choices: unknown[]; model: string; usage?: unknown });
  const content = chunks.filter((c) => c.choices.length > 0);
  const usage = chunks.filter((c) => c.choices.length === 0 && c.usage);
  if (stream.status !== 200 || events.at(-1) !== 'data: [DONE]' || content.length !== STREAM_CHUNKS || usage.length !== 1) {
    throw new Error(
      `${endpoint.target}: unexpected stream (${stream.status}, ${content.length} chunks, ${usage.length} usage chunks)`,
    );
  }
  if (isZai && chunks.some((c) => c.model !== endpoint.model))
    throw new Error(`${endpoint.target}: a chunk kept the upstream model`);
  if (!isZai) return;
  const messages = await fetch(`${endpoint.origin}/v1/messages`, { method: 'POST', headers, body: messagesBody(endpoint.model) });
  const messagesText = await messages.text();
  const deltas = messagesText.split('\n\n').filter((e) => e.startsWith('event: content_block_delta\n'));
  if (messages.status !== 200 || !messagesText.endsWith(MESSAGES_END) || deltas.length !== STREAM_CHUNKS) {
    throw new Error(`${endpoint.target}: unexpected /v1/messages stream (${messages.status}, ${deltas.length} deltas)`);
  }
}

function cpuMsPerReq(start: CpuSample, end: CpuSample, requests: number): { precise: number; ticks: number | null } {
  const precise = (end.cpuUs - start.cpuUs) / 1000 / requests;
  const ticks =
    start.ticks !== undefined && end.ticks !== undefined ? ((end.ticks - start.ticks) * 1000) / clkTck() / requests : null;
  return { precise, ticks };
}

interface RunningZai {
  child: Child;
  origin: string;
  api: Management;
  key: string;
  /** Answers it gave (sanity checks + every load run), to compare with its usage rows. */
  answers: number;
}

/**
 * Starts `zai serve` from `dir` (a checkout with bin/ and a built dist/) as production runs it —
 * info logs (to /dev/null), SQLite in a fresh temp dir — and sets up an account, an `openai`
 * provider pointing at the fake and an uncapped key without an allow-list.
 */
async function startZai(name: string, dir: string, upstreamOrigin: string, profileDir: string | undefined): Promise<RunningZai> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-bench-'));
  dataDirs.push(dataDir);
  const bin = path.join(dir, 'bin', 'zai.js');
  const encryptionKey = execFileSync(process.execPath, [bin, 'keygen'], { cwd: dir, encoding: 'utf8' }).trim();
  const port = await freePort();
  const { child } = await spawnNode({
    name,
    args: [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ...SERVE_NODE_FLAGS,
      ...ZAI_NODE_ARGS,
      bin,
      'serve',
    ],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      ZAI_DATA_DIR: dataDir,
      PROVIDER_KEY_ENCRYPTION_KEY: encryptionKey,
      ZAI_LOG_LEVEL: 'info',
      DATABASE_URL: '',
      REDIS_URL: '',
    },
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitHealthy(origin, child);
  const api = new Management(origin);
  await api.call('POST', '/api/auth/signup', { email: 'bench@example.com', password: 'benchmark password' });
  await api.call('POST', '/api/providers', { provider: 'openai', api_key: PROVIDER_KEY, base_url: `${upstreamOrigin}/v1` });
  const key = await api.call('POST', '/api/keys', { name: 'bench' });
  return { child, origin, api, key: String(key.json.key), answers: 0 };
}

/** Rows in the account's usage log (waits for the recorder's 250 ms flush). */
async function usageRows(zai: RunningZai): Promise<number> {
  const usage = await zai.api.call('GET', '/api/usage?limit=1');
  return Number((usage.json.totals as { requests?: number } | undefined)?.requests ?? NaN);
}

function met(list: Check[]): string {
  const targets = list.filter((c) => c.kind === 'target');
  return `${targets.filter((c) => c.pass).length} of ${targets.length}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  if (build) {
    log('building Z-AI (npm run build)…');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (!fs.existsSync(path.join(ZAI_DIR, 'dist', 'cli', 'main.js')))
    throw new Error(`${ZAI_DIR}/dist is missing: run npm run build`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const busyBefore = await machineBusy(1000);
  if (busyBefore !== undefined && busyBefore > 0.1) {
    log(
      `warning: ${(busyBefore * 100).toFixed(0)} % of the CPU was busy before the bench started (other processes); results will be noisier`,
    );
  }

  // 1. The fake upstream and 2. the bare proxy, each its own process.
  const scripts = path.join(RESULTS_DIR, '.build');
  const fake = await spawnNode({
    name: 'fake-upstream',
    args: [compileScript('fake-upstream.ts', scripts)],
    env: {},
    readyMessage: true,
  });
  const fakeOrigin = `http://127.0.0.1:${fake.port}`;
  const bare = await spawnNode({
    name: 'bare-proxy',
    args: [...BARE_NODE_ARGS, compileScript('bare-proxy.ts', scripts)],
    env: { UPSTREAM_URL: fakeOrigin },
    readyMessage: true,
  });
  const bareOrigin = `http://127.0.0.1:${bare.port}`;

  // 3. Z-AI (and, to compare a candidate build in the same run, a second one).
  const profileDir = path.join(RESULTS_DIR, 'profile');
  if (cpuProf) fs.mkdirSync(profileDir, { recursive: true });
  const zai = await startZai('z-ai', ZAI_DIR, fakeOrigin, cpuProf ? profileDir : undefined);
  const alt = ALT_DIR
    ? await startZai('z-ai-alt', path.resolve(ALT_DIR), fakeOrigin, cpuProf ? profileDir : undefined)
    : undefined;

  const allEndpoints: Endpoint[] = [
    { target: 'direct', origin: fakeOrigin, model: 'gpt-4o-mini', authorization: `Bearer ${PROVIDER_KEY}`, proxy: undefined },
    {
      target: 'bare-proxy',
      origin: bareOrigin,
      model: 'gpt-4o-mini',
      authorization: `Bearer ${PROVIDER_KEY}`,
      proxy: bare.child,
    },
    { target: 'z-ai', origin: zai.origin, model: 'openai/gpt-4o-mini', authorization: `Bearer ${zai.key}`, proxy: zai.child },
    ...(alt
      ? [
          {
            target: 'z-ai-alt' as const,
            origin: alt.origin,
            model: 'openai/gpt-4o-mini',
            authorization: `Bearer ${alt.key}`,
            proxy: alt.child,
          },
        ]
      : []),
  ];
  const zaiOf = (target: Target): RunningZai | undefined => (target === 'z-ai' ? zai : target === 'z-ai-alt' ? alt : undefined);
  for (const endpoint of allEndpoints) await sanityCheck(endpoint);
  const endpoints = allEndpoints.filter((e) => TARGETS.includes(e.target));
  zai.answers += 3; // the sanity checks
  if (alt) alt.answers += 3;

  // 4. Every case. The targets of one (mode, concurrency) run back to back so drift hits them alike;
  // the whole matrix runs ROUNDS times and each case keeps its least disturbed round (the highest
  // throughput): other load on a shared machine only ever makes a round slower.
  const modes = MODES;
  const runCase = async (
    endpoint: Endpoint,
    mode: Mode,
    concurrency: number,
    warmupMs: number,
    durationMs: number,
  ): Promise<CaseResult> => {
    let proxyStart: CpuSample | undefined;
    let proxyEnd: CpuSample | undefined;
    let fakeStart: CpuSample | undefined;
    let fakeEnd: CpuSample | undefined;
    let machineStart: ReturnType<typeof machineCpu>;
    let machineEnd: ReturnType<typeof machineCpu>;
    const load: LoadResult = await runLoad({
      origin: endpoint.origin,
      path: mode === 'messages' ? '/v1/messages' : '/v1/chat/completions',
      headers: { authorization: endpoint.authorization },
      body: mode === 'messages' ? messagesBody(endpoint.model) : chatBody(endpoint.model, mode === 'stream'),
      concurrency,
      warmupMs,
      durationMs,
      stream: mode !== 'json',
      ...(mode === 'messages' ? { streamEnd: MESSAGES_END } : {}),
      async onWindowStart() {
        [proxyStart, fakeStart] = await Promise.all([endpoint.proxy?.sample(), fake.child.sample()]);
        machineStart = machineCpu();
      },
      async onWindowEnd() {
        machineEnd = machineCpu();
        [proxyEnd, fakeEnd] = await Promise.all([endpoint.proxy?.sample(), fake.child.sample()]);
      },
    });
    const served = zaiOf(endpoint.target);
    if (served) served.answers += load.totalAnswers;
    const proxyCpu = proxyStart && proxyEnd && load.requests > 0 ? cpuMsPerReq(proxyStart, proxyEnd, load.requests) : undefined;
    const fakeCpu = fakeStart && fakeEnd && load.requests > 0 ? cpuMsPerReq(fakeStart, fakeEnd, load.requests) : undefined;
    const result: CaseResult = {
      target: endpoint.target,
      mode,
      concurrency,
      load,
      proxyCpuMsPerReq: proxyCpu?.precise ?? null,
      proxyCpuMsPerReqProcStat: proxyCpu?.ticks ?? null,
      upstreamCpuMsPerReq: fakeCpu?.precise ?? NaN,
      machine: busyBetween(machineStart, machineEnd),
      others: undefined,
    };
    if (result.machine && load.requests > 0) {
      // Our three processes' CPU over the window, as a share of all cores.
      const oursMs =
        (load.clientCpuMsPerReq + (result.upstreamCpuMsPerReq || 0) + (result.proxyCpuMsPerReq ?? 0)) * load.requests;
      result.others = result.machine.busy - oursMs / (load.windowMs * os.cpus().length);
    }
    return result;
  };

  // JIT warm-up of every process on every path before anything is measured.
  log('warming up every target…');
  for (const endpoint of endpoints) {
    for (const mode of modes) if (serves(endpoint, mode)) await runCase(endpoint, mode, 10, 0, quick ? 300 : 1000);
  }

  const rounds: CaseResult[][] = [];
  const total = modes.reduce((sum, mode) => sum + endpoints.filter((e) => serves(e, mode)).length, 0) * CONCURRENCIES.length;
  log(
    `measuring ${total} cases × ${ROUNDS} round(s): ${WARMUP_MS} ms warm-up + ${DURATION_MS} ms each` +
      (cpuProf ? ' (Z-AI under --cpu-prof: numbers not comparable)' : ''),
  );
  for (let round = 0; round < ROUNDS; round++) {
    const results: CaseResult[] = [];
    for (const mode of modes) {
      for (const concurrency of CONCURRENCIES) {
        for (const endpoint of endpoints) {
          if (!serves(endpoint, mode)) continue;
          const result = await runCase(endpoint, mode, concurrency, WARMUP_MS, DURATION_MS);
          results.push(result);
          const { load } = result;
          log(
            `  round ${round + 1}  ${endpoint.target.padEnd(10)} ${mode.padEnd(6)} c=${String(concurrency).padEnd(3)} ${Math.round(load.rps)} req/s, ` +
              `p50 ${load.latencyMs.p50.toFixed(3)} ms, CPU ${result.proxyCpuMsPerReq?.toFixed(3) ?? '–'} ms/req, others ${result.others === undefined ? '?' : `${Math.round(Math.max(0, result.others) * 100)} %`}` +
              (load.errors > 0 ? `, ${load.errors} errors (first: ${load.firstError})` : ''),
          );
        }
      }
    }
    rounds.push(results);
  }
  const cases: CaseResult[] = (rounds[0] ?? []).map((first, i) =>
    rounds.map((r) => r[i] ?? first).reduce((best, c) => (c.load.rps > best.load.rps ? c : best), first),
  );

  const zaiPeakRssKb = await zai.child.peakRssKb();
  const altPeakRssKb = alt ? await alt.child.peakRssKb() : undefined;
  const barePeakRssKb = await bare.child.peakRssKb();

  // Usage recording really happened: one row per answered request (rows are flushed every 250 ms).
  await new Promise((resolve) => setTimeout(resolve, 700));
  const zaiRows = await usageRows(zai);
  const altRows = alt ? await usageRows(alt) : undefined;

  // 5. The report.
  const list = checks(cases, CONCURRENCIES, 'z-ai');
  const altList = alt ? checks(cases, CONCURRENCIES, 'z-ai-alt') : [];
  const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
  const header =
    `Z-AI benchmark — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores (${cpuModel}), ` +
    `CPU busy before the run ${busyBefore === undefined ? '?' : `${(busyBefore * 100).toFixed(0)} %`}\n` +
    `All processes (load generator, fake upstream, proxy) share these ${os.cpus().length} cores; ` +
    `${WARMUP_MS} ms warm-up + ${DURATION_MS} ms measured per case, best of ${ROUNDS} round(s) by req/s. Latency = send → last byte; TTFB = send → first body byte; ` +
    `CPU ms/req = process CPU time over the window ÷ requests (upstream = the fake, client = the load generator); ` +
    `machine busy = all cores over the window, others = the part not used by these three processes (other sessions, kernel).`;
  const output = [
    header,
    '',
    renderTable(cases),
    '',
    renderChecks(list),
    '',
    `Z-AI peak RSS: ${(zaiPeakRssKb / 1024).toFixed(1)} MiB (bare proxy: ${(barePeakRssKb / 1024).toFixed(1)} MiB)`,
    `Usage rows recorded by Z-AI: ${zaiRows} for ${zai.answers} answered requests${zaiRows === zai.answers ? '' : ' (MISMATCH)'}`,
    `Targets met: ${met(list)}${cpuProf ? ' (Z-AI ran under --cpu-prof: not comparable)' : ''}`,
    ...(alt
      ? [
          '',
          `z-ai-alt = the build in ${ALT_DIR}:`,
          renderChecks(altList),
          `z-ai-alt peak RSS: ${((altPeakRssKb ?? NaN) / 1024).toFixed(1)} MiB; usage rows ${altRows} for ${alt.answers} answered requests; ` +
            `targets met: ${met(altList)}`,
        ]
      : []),
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
      clkTck: clkTck(),
      cpuBusyBeforeRun: busyBefore,
    },
    settings: {
      warmupMs: WARMUP_MS,
      durationMs: DURATION_MS,
      rounds: ROUNDS,
      concurrencies: CONCURRENCIES,
      streamChunks: STREAM_CHUNKS,
      zaiLogLevel: 'info',
      cpuProf,
    },
    cases: cases.map((c) => ({
      target: c.target,
      mode: c.mode,
      concurrency: c.concurrency,
      rps: c.load.rps,
      requests: c.load.requests,
      errors: c.load.errors,
      firstError: c.load.firstError,
      latencyMs: c.load.latencyMs,
      ttfbMs: c.mode !== 'json' ? c.load.ttfbMs : null,
      bytesPerAnswer: c.load.bytesPerAnswer,
      proxyCpuMsPerReq: c.proxyCpuMsPerReq,
      proxyCpuMsPerReqProcStat: c.proxyCpuMsPerReqProcStat,
      upstreamCpuMsPerReq: c.upstreamCpuMsPerReq,
      clientCpuMsPerReq: c.load.clientCpuMsPerReq,
      machineCpuBusy: c.machine?.busy ?? null,
      machineCpuSteal: c.machine?.steal ?? null,
      otherProcessesCpu: c.others ?? null,
    })),
    allRounds: rounds.map((r) =>
      r.map((c) => ({
        target: c.target,
        mode: c.mode,
        concurrency: c.concurrency,
        rps: c.load.rps,
        p50: c.load.latencyMs.p50,
        ttfbP50: c.load.ttfbMs.p50,
        proxyCpuMsPerReq: c.proxyCpuMsPerReq,
        others: c.others ?? null,
      })),
    ),
    checks: list,
    zaiPeakRssKb,
    bareProxyPeakRssKb: barePeakRssKb,
    usageRows: zaiRows,
    zaiAnsweredRequests: zai.answers,
    ...(alt
      ? {
          alt: {
            dir: path.resolve(ALT_DIR ?? ''),
            checks: altList,
            peakRssKb: altPeakRssKb,
            usageRows: altRows,
            answeredRequests: alt.answers,
          },
        }
      : {}),
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
