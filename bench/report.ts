/**
 * The benchmark's report: the table of every case, Z-AI's speed targets as ratios against the bare
 * proxy of the same run (PASS / MISS), and the JSON written to bench/results/latest.json.
 */
import type { LoadResult } from './load.js';

export type Target = 'direct' | 'bare-proxy' | 'z-ai' | 'z-ai-alt';
/** `messages`: streaming through the Anthropic Messages ingress (Z-AI only), translated to the same upstream. */
export type Mode = 'json' | 'stream' | 'messages';

export interface CaseResult {
  target: Target;
  mode: Mode;
  concurrency: number;
  load: LoadResult;
  /** CPU ms per request of the proxy process (null for direct), from process.resourceUsage(). */
  proxyCpuMsPerReq: number | null;
  /** The same from /proc/<pid>/stat ticks (10 ms resolution). */
  proxyCpuMsPerReqProcStat: number | null;
  /** CPU ms per request of the fake upstream. */
  upstreamCpuMsPerReq: number;
  /** Whole-machine CPU over the window (all processes, ours and others'), 0–1; steal = taken by the hypervisor. */
  machine: { busy: number; steal: number } | undefined;
  /** Share of the machine's CPU used by processes other than the load generator, the fake and the proxy (0–1). */
  others: number | undefined;
}

export interface Check {
  /** `target`: one of Z-AI's speed targets, PASS or MISS. `info`: shown for context, not judged. */
  kind: 'target' | 'info';
  name: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean;
  detail: string;
}

function find(cases: CaseResult[], target: Target, mode: Mode, concurrency: number): CaseResult | undefined {
  return cases.find((c) => c.target === target && c.mode === mode && c.concurrency === concurrency);
}

const MODE_LABEL: Record<Mode, string> = { json: 'non-streaming', stream: 'streaming', messages: 'streaming /v1/messages' };

/** Z-AI's speed targets, each Z-AI against the bare proxy of the same run. */
export function checks(cases: CaseResult[], concurrencies: number[], zaiTarget: Target = 'z-ai'): Check[] {
  const out: Check[] = [];
  const modes: Mode[] = ['json', 'stream'];
  const low = Math.min(...concurrencies);
  for (const mode of modes) {
    const zai = find(cases, zaiTarget, mode, low);
    const bare = find(cases, 'bare-proxy', mode, low);
    const direct = find(cases, 'direct', mode, low);
    if (!zai || !bare) continue;
    const delta = zai.load.latencyMs.p50 - bare.load.latencyMs.p50;
    const over = direct
      ? ` (over direct: bare +${ms(bare.load.latencyMs.p50 - direct.load.latencyMs.p50)}, Z-AI +${ms(zai.load.latencyMs.p50 - direct.load.latencyMs.p50)})`
      : '';
    out.push({
      kind: 'target',
      name: `added p50 latency, ${MODE_LABEL[mode]}, c=${low}`,
      value: delta,
      unit: 'ms',
      target: '≤ 0.15 ms above bare',
      pass: delta <= 0.15,
      detail: `Z-AI ${ms(zai.load.latencyMs.p50)} vs bare ${ms(bare.load.latencyMs.p50)}${over}`,
    });
  }
  for (const mode of modes) {
    for (const c of concurrencies) {
      const zai = find(cases, zaiTarget, mode, c);
      const bare = find(cases, 'bare-proxy', mode, c);
      if (!zai || !bare || zai.proxyCpuMsPerReq === null || bare.proxyCpuMsPerReq === null) continue;
      const limit = mode === 'json' ? 2 : 2.5;
      const ratio = zai.proxyCpuMsPerReq / bare.proxyCpuMsPerReq;
      out.push({
        kind: 'target',
        name: `CPU per request, ${MODE_LABEL[mode]}, c=${c}`,
        value: ratio,
        unit: '×',
        target: `≤ ${limit}× bare`,
        pass: ratio <= limit,
        detail: `Z-AI ${zai.proxyCpuMsPerReq.toFixed(3)} ms vs bare ${bare.proxyCpuMsPerReq.toFixed(3)} ms`,
      });
    }
  }
  for (const mode of modes) {
    for (const c of concurrencies) {
      const zai = find(cases, zaiTarget, mode, c);
      const bare = find(cases, 'bare-proxy', mode, c);
      if (!zai || !bare) continue;
      const ratio = zai.load.rps / bare.load.rps;
      // At c=1 throughput is only 1 / latency (judged above); the target is about load.
      out.push({
        kind: c === low && concurrencies.length > 1 ? 'info' : 'target',
        name: `throughput, ${MODE_LABEL[mode]}, c=${c}`,
        value: ratio * 100,
        unit: '%',
        target: '≥ 50 % of bare',
        pass: ratio >= 0.5,
        detail: `Z-AI ${Math.round(zai.load.rps)} req/s vs bare ${Math.round(bare.load.rps)} req/s`,
      });
    }
  }
  for (const c of concurrencies) {
    // The Messages ingress against Z-AI's own chat route: same upstream stream, translated back.
    const messages = find(cases, zaiTarget, 'messages', c);
    const chat = find(cases, zaiTarget, 'stream', c);
    if (!messages || !chat || messages.proxyCpuMsPerReq === null || chat.proxyCpuMsPerReq === null) continue;
    const ratio = messages.proxyCpuMsPerReq / chat.proxyCpuMsPerReq;
    out.push({
      kind: 'target',
      name: `CPU per request, ${MODE_LABEL.messages} vs /v1/chat/completions, c=${c}`,
      value: ratio,
      unit: '×',
      target: '≤ 1.3× chat',
      pass: ratio <= 1.3,
      detail: `messages ${messages.proxyCpuMsPerReq.toFixed(3)} ms vs chat ${chat.proxyCpuMsPerReq.toFixed(3)} ms`,
    });
  }
  for (const c of concurrencies) {
    const zai = find(cases, zaiTarget, 'stream', c);
    const bare = find(cases, 'bare-proxy', 'stream', c);
    if (!zai || !bare) continue;
    const delta = zai.load.ttfbMs.p50 - bare.load.ttfbMs.p50;
    // Under load, every proxy's TTFB is mostly queueing (Little's law: concurrency ÷ throughput),
    // so only the unloaded case measures the time Z-AI adds before the first byte.
    out.push({
      kind: c === low || concurrencies.length === 1 ? 'target' : 'info',
      name: `time to first byte p50, streaming, c=${c}`,
      value: delta,
      unit: 'ms',
      target: '≤ 1 ms above bare',
      pass: delta <= 1,
      detail: `Z-AI ${ms(zai.load.ttfbMs.p50)} vs bare ${ms(bare.load.ttfbMs.p50)}`,
    });
  }
  return out;
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(3)} ms` : '–';
}

function num(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function table(headers: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (rightAlign[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderTable(cases: CaseResult[]): string {
  const headers = [
    'target',
    'mode',
    'conc',
    'req/s',
    'p50 ms',
    'p99 ms',
    'TTFB p50',
    'proxy CPU ms/req',
    'upstream CPU',
    'client CPU',
    'machine busy',
    'others',
    'errors',
  ];
  const rows = cases.map((c) => [
    c.target,
    c.mode === 'json' ? 'non-stream' : c.mode === 'messages' ? 'messages(20)' : 'stream(20)',
    String(c.concurrency),
    Math.round(c.load.rps).toString(),
    num(c.load.latencyMs.p50, 3),
    num(c.load.latencyMs.p99, 3),
    c.mode !== 'json' ? num(c.load.ttfbMs.p50, 3) : '',
    num(c.proxyCpuMsPerReq, 3),
    num(c.upstreamCpuMsPerReq, 3),
    num(c.load.clientCpuMsPerReq, 3),
    c.machine
      ? `${(c.machine.busy * 100).toFixed(0)} %${c.machine.steal > 0.005 ? ` (steal ${(c.machine.steal * 100).toFixed(0)} %)` : ''}`
      : '–',
    c.others !== undefined ? `${(Math.max(0, c.others) * 100).toFixed(0)} %` : '–',
    String(c.load.errors),
  ]);
  return table(headers, rows, [false, false, true, true, true, true, true, true, true, true, true, true, true]);
}

export function renderChecks(list: Check[]): string {
  const rows = list.map((c) => [
    c.kind === 'info' ? 'info' : c.pass ? 'PASS' : 'MISS',
    c.name,
    c.unit === '×'
      ? `${c.value.toFixed(2)}×`
      : c.unit === '%'
        ? `${c.value.toFixed(0)} %`
        : `${c.value >= 0 ? '+' : ''}${c.value.toFixed(3)} ms`,
    c.kind === 'info' ? `(${c.target}: not a target here)` : c.target,
    c.detail,
  ]);
  return table(['', 'Z-AI vs bare proxy', 'value', 'target', 'measured'], rows, [false, false, true, false, false]);
}
