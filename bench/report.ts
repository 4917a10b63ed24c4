/**
 * The benchmark's report: medians over the rounds of every (target, mode, concurrency), one table
 * of Z-AI against the bare proxy of the same run, and Z-AI's speed targets marked PASS / MISS.
 */
import type { Mode } from './modes.js';
import type { WrkResult } from './wrk.js';

export type Target = 'bare-proxy' | 'z-ai' | 'z-ai-alt';

/** One measured window of one case. */
export interface CaseRun {
  round: number;
  target: Target;
  mode: string;
  concurrency: number;
  wrk: WrkResult;
  /** CPU time of the gateway process over the window ÷ requests (process.resourceUsage() over IPC). */
  cpuMsPerReq: number;
  /** The same from /proc/<pid>/stat ticks (10 ms resolution), as a cross-check. */
  cpuMsPerReqTicks: number | null;
  /** CPU of the fake upstream per request. */
  upstreamCpuMsPerReq: number;
  /** Busy share (0–1) over the window of the load core (wrk, the fake, the bench) and of the gateway's core. */
  loadCoreBusy: number;
  gatewayCoreBusy: number;
  /** Share of the gateway's core used by anything but the gateway (other processes on the machine). */
  gatewayCoreOthers: number;
}

export interface CaseMedian {
  target: Target;
  mode: string;
  concurrency: number;
  /** Medians over the rounds, each figure on its own. */
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerReq: number;
  /** Errors summed over the rounds. */
  errors: number;
  runs: CaseRun[];
}

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function medians(runs: CaseRun[]): CaseMedian[] {
  const groups = new Map<string, CaseRun[]>();
  for (const run of runs) {
    const key = `${run.target}|${run.mode}|${run.concurrency}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as CaseRun;
    return {
      target: first.target,
      mode: first.mode,
      concurrency: first.concurrency,
      rps: median(group.map((r) => r.wrk.rps)),
      p50: median(group.map((r) => r.wrk.latencyMs.p50)),
      p99: median(group.map((r) => r.wrk.latencyMs.p99)),
      cpuMsPerReq: median(group.map((r) => r.cpuMsPerReq)),
      errors: group.reduce((sum, r) => sum + r.wrk.errors, 0),
      runs: group,
    };
  });
}

export interface Check {
  /** `target`: one of the speed and memory targets; `check`: a correctness check of the run. */
  kind: 'target' | 'check';
  name: string;
  value: string;
  target: string;
  pass: boolean;
  detail: string;
}

function find(cases: CaseMedian[], target: Target, mode: string, concurrency: number): CaseMedian | undefined {
  return cases.find((c) => c.target === target && c.mode === mode && c.concurrency === concurrency);
}

/** The targets against the bare proxy: throughput and CPU under load, the tail without load. */
const RATIO_TARGETS: {
  mode: string;
  label: string;
  figure: 'rps' | 'cpuMsPerReq' | 'p99';
  /** `high`: at the highest concurrency (if above 1); `one`: at c=1 (if measured). */
  load: 'high' | 'one';
  /** rps: Z-AI ≥ limit × bare; the others: Z-AI ≤ limit × bare. */
  limit: number;
}[] = [
  { mode: 'stream', label: 'streaming', figure: 'rps', load: 'high', limit: 0.6 },
  { mode: 'stream', label: 'streaming', figure: 'cpuMsPerReq', load: 'high', limit: 2 },
  { mode: 'json', label: 'non-streaming', figure: 'rps', load: 'high', limit: 0.7 },
  { mode: 'json', label: 'non-streaming', figure: 'cpuMsPerReq', load: 'high', limit: 1.5 },
  { mode: 'json', label: 'non-streaming', figure: 'p99', load: 'one', limit: 2 },
  { mode: 'stream', label: 'streaming', figure: 'p99', load: 'one', limit: 2 },
];

export const RSS_LIMIT_MB = 130;

export interface RssPeak {
  /** KiB; NaN when not measured. */
  kb: number;
  /** How: VmHWM reset before each high-load case, or VmRSS sampled during them. */
  method: 'VmHWM' | 'sampled VmRSS';
}

export function checks(
  cases: CaseMedian[],
  concurrencies: number[],
  zai: Target,
  rss: RssPeak,
  modes: Pick<Mode, 'name' | 'label' | 'zaiOnly'>[],
): Check[] {
  const out: Check[] = [];
  const high = Math.max(...concurrencies);
  for (const t of RATIO_TARGETS) {
    const c = t.load === 'high' ? high : 1;
    if (t.load === 'high' && high <= 1) continue;
    const mine = find(cases, zai, t.mode, c);
    const bare = find(cases, 'bare-proxy', t.mode, c);
    if (!mine || !bare) continue;
    const ratio = mine[t.figure] / bare[t.figure];
    const what = t.figure === 'rps' ? 'throughput' : t.figure === 'p99' ? 'p99 latency' : 'CPU per request';
    const unit = t.figure === 'rps' ? 'req/s' : 'ms';
    const digits = t.figure === 'rps' ? 0 : 3;
    out.push({
      kind: 'target',
      name: `${what}, ${t.label}, c=${c}`,
      value: `${ratio.toFixed(2)}×`,
      target: t.figure === 'rps' ? `≥ ${t.limit}× bare` : `≤ ${t.limit}× bare`,
      pass: t.figure === 'rps' ? ratio >= t.limit : ratio <= t.limit,
      detail: `${zai} ${mine[t.figure].toFixed(digits)} ${unit} vs bare ${bare[t.figure].toFixed(digits)} ${unit}`,
    });
  }
  for (const mode of modes) {
    if (!mode.zaiOnly) continue;
    const { against, maxCpuRatio } = mode.zaiOnly;
    const label = modes.find((m) => m.name === against)?.label ?? against;
    for (const c of concurrencies) {
      const mine = find(cases, zai, mode.name, c);
      const base = find(cases, zai, against, c);
      if (!mine || !base) continue;
      const ratio = mine.cpuMsPerReq / base.cpuMsPerReq;
      out.push({
        kind: 'target',
        name: `CPU per request, ${mode.label} vs ${label}, c=${c}`,
        value: `${ratio.toFixed(2)}×`,
        target: `≤ ${maxCpuRatio}× ${label}`,
        pass: ratio <= maxCpuRatio,
        detail: `${zai} ${mine.cpuMsPerReq.toFixed(3)} ms vs ${base.cpuMsPerReq.toFixed(3)} ms`,
      });
    }
  }
  if (high > 1 && Number.isFinite(rss.kb)) {
    const mb = rss.kb / 1024;
    out.push({
      kind: 'target',
      name: `peak RSS under c=${high}`,
      value: `${mb.toFixed(1)} MB`,
      target: `≤ ${RSS_LIMIT_MB} MB`,
      pass: mb <= RSS_LIMIT_MB,
      detail: rss.method === 'VmHWM' ? 'VmHWM, reset before each case' : 'VmRSS sampled every 100 ms',
    });
  }
  return out;
}

/** One usage row per answered request; wrk cuts off up to one request per connection when a run ends. */
export function usageCheck(rows: number, answered: number, cutOff: number): Check {
  return {
    kind: 'check',
    name: 'one usage row per answered request',
    value: String(rows),
    target: `${answered} to ${answered + cutOff}`,
    pass: rows >= answered && rows <= answered + cutOff,
    detail: `${answered} answered; up to ${cutOff} more were in flight when a wrk run ended (a row each if Z-AI had started them)`,
  };
}

function num(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) ? `${(a / b).toFixed(2)}` : '–';
}

export function table(headers: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (rightAlign[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The one table: per mode × concurrency, each Z-AI build against the bare proxy — throughput, CPU
 * per request, p50 and p99 (medians over the rounds).
 */
export function renderTable(
  cases: CaseMedian[],
  modes: { name: string; label: string }[],
  concurrencies: number[],
  builds: Target[],
): string {
  const headers = [
    'mode',
    'c',
    ...(builds.length > 1 ? ['build'] : []),
    'bare req/s',
    'Z-AI req/s',
    'ratio',
    'bare CPU ms/req',
    'Z-AI CPU ms/req',
    'ratio',
    'bare p50 ms',
    'Z-AI p50 ms',
    'bare p99 ms',
    'Z-AI p99 ms',
    'errors',
  ];
  const rows: string[][] = [];
  for (const mode of modes) {
    for (const c of concurrencies) {
      const bare = find(cases, 'bare-proxy', mode.name, c);
      for (const build of builds) {
        const zai = find(cases, build, mode.name, c);
        if (!bare && !zai) continue;
        const b = (figure: 'rps' | 'cpuMsPerReq' | 'p50' | 'p99'): number => bare?.[figure] ?? NaN;
        const z = (figure: 'rps' | 'cpuMsPerReq' | 'p50' | 'p99'): number => zai?.[figure] ?? NaN;
        rows.push([
          mode.label,
          String(c),
          ...(builds.length > 1 ? [build] : []),
          num(b('rps'), 0),
          num(z('rps'), 0),
          ratio(z('rps'), b('rps')),
          num(b('cpuMsPerReq'), 3),
          num(z('cpuMsPerReq'), 3),
          ratio(z('cpuMsPerReq'), b('cpuMsPerReq')),
          num(b('p50'), 2),
          num(z('p50'), 2),
          num(b('p99'), 2),
          num(z('p99'), 2),
          String((bare?.errors ?? 0) + (zai?.errors ?? 0)),
        ]);
      }
    }
  }
  return table(
    headers,
    rows,
    headers.map((h) => !['mode', 'build'].includes(h)),
  );
}

export function renderChecks(list: Check[]): string {
  const rows = list.map((c) => [c.pass ? 'PASS' : 'MISS', c.name, c.value, c.target, c.detail]);
  return table(['', 'Z-AI vs bare proxy', 'value', 'target', 'measured'], rows, [false, false, true, false, false]);
}
