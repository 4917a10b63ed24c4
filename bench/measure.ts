/**
 * What the bench reads off the machine and its processes around a measured window: how busy each
 * core was, a process's CPU time, its peak RSS, and that a gateway's threads stay on their core.
 */
import {
  clkTck,
  pinToCore,
  resetPeakRss,
  rssKb,
  threadsOffCore,
  type Child,
  type coreTimes,
  type CpuSample,
} from './processes.js';
import type { RssPeak } from './report.js';

/** Busy share of each core between two readings of coreTimes(). */
export function coreBusy(a: ReturnType<typeof coreTimes>, b: ReturnType<typeof coreTimes>, core: number): number {
  const start = a.get(core);
  const end = b.get(core);
  if (!start || !end || end.total <= start.total) return NaN;
  return (end.busy - start.busy) / (end.total - start.total);
}

/** Makes sure every thread of a gateway is on its core (a thread started while taskset ran could have slipped). */
export function verifyPinned(child: Child, core: number): void {
  pinToCore(child.pid, core);
  const off = threadsOffCore(child.pid, core);
  if (off.length > 0) throw new Error(`${child.name}: threads not on core ${core}: ${off.join(', ')}`);
}

export function cpuMs(start: CpuSample, end: CpuSample): { precise: number; ticks: number | null } {
  const precise = (end.cpuUs - start.cpuUs) / 1000;
  const ticks = start.ticks !== undefined && end.ticks !== undefined ? ((end.ticks - start.ticks) * 1000) / clkTck() : null;
  return { precise, ticks };
}

/** Peak RSS of a process over a stretch: VmHWM after a reset, or VmRSS sampled every 100 ms where a reset is refused. */
export function watchRss(child: Child): { method: RssPeak['method']; stop(): Promise<number> } {
  if (resetPeakRss(child.pid)) return { method: 'VmHWM', stop: () => child.peakRssKb() };
  let peak = rssKb(child.pid) ?? 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssKb(child.pid) ?? 0)), 100);
  return {
    method: 'sampled VmRSS',
    stop() {
      clearInterval(timer);
      return Promise.resolve(Math.max(peak, rssKb(child.pid) ?? 0));
    },
  };
}
