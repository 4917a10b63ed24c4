/**
 * Whether the Z-AI server can be reached. A request that gets no answer at all marks it
 * unreachable; from then on /healthz is probed with a growing delay (1 s, 2 s, 4 s … 30 s) until it
 * answers, and everything waiting for the server is told to load again.
 */
import { useSyncExternalStore } from 'react';

export interface Connectivity {
  reachable: boolean;
  /** When the next probe runs (epoch ms), while unreachable. */
  nextProbeAt: number | null;
  /** Set for a few seconds after the server came back, for the "Reconnected" note. */
  recoveredAt: number | null;
}

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
const RECOVERED_NOTE_MS = 4_000;

let state: Connectivity = { reachable: true, nextProbeAt: null, recoveredAt: null };
let delay = FIRST_DELAY_MS;
let timer: number | undefined;
let probing = false;
const listeners = new Set<() => void>();
const recoveryListeners = new Set<() => void>();

function set(next: Connectivity): void {
  state = next;
  listeners.forEach((l) => l());
}

function schedule(): void {
  window.clearTimeout(timer);
  set({ ...state, nextProbeAt: Date.now() + delay });
  timer = window.setTimeout(() => void probe(), delay);
  delay = Math.min(delay * 2, MAX_DELAY_MS);
}

async function probe(): Promise<void> {
  if (probing) return;
  probing = true;
  try {
    const res = await fetch('/healthz', { cache: 'no-store' });
    if (res.ok && res.headers.has('x-zai-request-id')) reportReachable();
    else schedule();
  } catch {
    schedule();
  } finally {
    probing = false;
  }
}

/** A request got no answer: the server (or the network to it) is down. */
export function reportUnreachable(): void {
  if (!state.reachable) return;
  delay = FIRST_DELAY_MS;
  set({ reachable: false, nextProbeAt: null, recoveredAt: null });
  schedule();
}

/** A request got an answer (any status): the server is up. */
export function reportReachable(): void {
  if (state.reachable) return;
  window.clearTimeout(timer);
  const recoveredAt = Date.now();
  set({ reachable: true, nextProbeAt: null, recoveredAt });
  window.setTimeout(() => {
    if (state.recoveredAt === recoveredAt) set({ ...state, recoveredAt: null });
  }, RECOVERED_NOTE_MS);
  recoveryListeners.forEach((l) => l());
}

/** Probes now instead of waiting for the next try ("Retry now"). */
export function retryNow(): void {
  window.clearTimeout(timer);
  void probe();
}

/** Called each time the server is back after being unreachable. */
export function onRecovered(listener: () => void): () => void {
  recoveryListeners.add(listener);
  return () => recoveryListeners.delete(listener);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useConnectivity(): Connectivity {
  return useSyncExternalStore(subscribe, () => state);
}
