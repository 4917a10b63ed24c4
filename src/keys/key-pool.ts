/**
 * The health of pool keys and the choice among them, in memory: a key that answered 429/529 cools
 * down for its retry-after, one that answered 401/403 is failing until replaced, re-enabled or
 * tested. Changes are published on the invalidation bus, so with Redis every replica steps around
 * the same keys; without it each replica keeps its own view. Nothing here reads the database.
 */
import type { InvalidationBus, PoolKeyHealth } from '../coordination/invalidation.js';

/** One enabled key of a provider's pool, as the gateway's route holds it (still encrypted). */
export interface PoolKey {
  id: string;
  ciphertext: string;
  weight: number;
}

/** What a pool needs of its provider route. */
export interface PoolRoute {
  name: string;
  keys: readonly PoolKey[];
  affinity: boolean;
}

export interface PoolKeyError {
  at: string;
  status: number;
  code: string | null;
}

/** What the Providers page shows of one key. */
export interface PoolKeyView {
  state: 'ok' | 'cooling_down' | 'failing';
  /** While cooling down: when it ends (ISO time). */
  until: string | null;
  /** While failing: the error class, e.g. `401 invalid_api_key`. */
  error: string | null;
  requests_last_hour: number;
  errors_last_hour: number;
  last_used_at: string | null;
  /** The last few errors this replica saw, newest first. */
  recent_errors: PoolKeyError[];
}

const MINUTE = 60_000;
const BUCKETS = 60;
const RECENT_ERRORS = 5;
/** A provider's retry-after is honoured up to an hour. */
const MAX_COOLDOWN_MS = 3_600_000;
export const DEFAULT_COOLDOWN_MS = 30_000;

/** Per-minute request and error counts of the last hour, and the last use. */
class KeyStats {
  readonly minutes = new Float64Array(BUCKETS);
  readonly requests = new Uint32Array(BUCKETS);
  readonly errors = new Uint32Array(BUCKETS);
  lastUsedAt = 0;
  recent: PoolKeyError[] = [];

  constructor(public provider: string) {}

  add(now: number, failed: boolean): void {
    const minute = Math.floor(now / MINUTE);
    const slot = minute % BUCKETS;
    if (this.minutes[slot] !== minute) {
      this.minutes[slot] = minute;
      this.requests[slot] = 0;
      this.errors[slot] = 0;
    }
    this.requests[slot] = (this.requests[slot] ?? 0) + 1;
    if (failed) this.errors[slot] = (this.errors[slot] ?? 0) + 1;
    this.lastUsedAt = now;
  }

  sums(now: number): { requests: number; errors: number } {
    const from = Math.floor(now / MINUTE) - BUCKETS + 1;
    let requests = 0;
    let errors = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if ((this.minutes[i] ?? 0) >= from) {
        requests += this.requests[i] ?? 0;
        errors += this.errors[i] ?? 0;
      }
    }
    return { requests, errors };
  }
}

/** FNV-1a, 32 bits: a cheap, stable spread for affinity (not a security boundary). */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class KeyPool {
  /** Keys that are not ok; absent means ok. */
  private readonly health = new Map<string, PoolKeyHealth>();
  private readonly stats = new Map<string, KeyStats>();

  constructor(
    private readonly bus: InvalidationBus,
    private readonly random: () => number = Math.random,
  ) {
    bus.subscribe((message) => {
      if (message.kind !== 'pool-key') return;
      if (message.health.state === 'ok') this.health.delete(message.keyId);
      else this.health.set(message.keyId, message.health);
    });
  }

  /** Whether a key may be chosen now. */
  available(keyId: string, now = Date.now()): boolean {
    const health = this.health.get(keyId);
    if (health === undefined) return true;
    if (health.state === 'cooling_down' && health.until <= now) {
      this.health.delete(keyId);
      return true;
    }
    return false;
  }

  /**
   * Picks a key by weight among the available ones not yet tried by this request; with affinity,
   * the same `affinityHash` lands on the same key while it stays available (weighted rendezvous
   * hashing, so a key coming or going moves only its own share).
   */
  choose(route: PoolRoute, tried?: ReadonlySet<string>, affinityHash?: number): PoolKey | undefined {
    const now = Date.now();
    let total = 0;
    let candidates = 0;
    for (const key of route.keys) {
      if (tried?.has(key.id) || !this.available(key.id, now)) continue;
      total += key.weight;
      candidates += 1;
    }
    if (candidates === 0) return undefined;
    if (route.affinity && affinityHash !== undefined) {
      let best: PoolKey | undefined;
      let bestScore = -Infinity;
      for (const key of route.keys) {
        if (tried?.has(key.id) || !this.available(key.id, now)) continue;
        // u in (0, 1); -w / ln(u) is the weighted rendezvous score.
        const u = (fnv1a(key.id, affinityHash) + 0.5) / 4294967296;
        const score = -key.weight / Math.log(u);
        if (score > bestScore) {
          bestScore = score;
          best = key;
        }
      }
      return best;
    }
    let point = this.random() * total;
    let last: PoolKey | undefined;
    for (const key of route.keys) {
      if (tried?.has(key.id) || !this.available(key.id, now)) continue;
      last = key;
      point -= key.weight;
      if (point < 0) return key;
    }
    return last;
  }

  /** Milliseconds until the first cooling key of the route is usable again; undefined if none is cooling. */
  soonestRecoveryMs(route: PoolRoute): number | undefined {
    const now = Date.now();
    let soonest: number | undefined;
    for (const key of route.keys) {
      const health = this.health.get(key.id);
      if (health?.state === 'cooling_down' && health.until > now) {
        const left = health.until - now;
        if (soonest === undefined || left < soonest) soonest = left;
      }
    }
    return soonest;
  }

  /** The failing mark of one of the route's keys, if any (for the answer when every key is refused). */
  failure(route: PoolRoute): { status: number; error: string } | undefined {
    for (const key of route.keys) {
      const health = this.health.get(key.id);
      if (health?.state === 'failing') return { status: health.status, error: health.error };
    }
    return undefined;
  }

  /** Counts one upstream call on a key; a failed one is remembered among its recent errors. */
  recordUse(provider: string, keyId: string, error?: { status: number; code: string | null }): void {
    let stats = this.stats.get(keyId);
    if (stats === undefined) {
      stats = new KeyStats(provider);
      this.stats.set(keyId, stats);
    }
    const now = Date.now();
    stats.add(now, error !== undefined);
    if (error !== undefined) {
      stats.recent.unshift({ at: new Date(now).toISOString(), status: error.status, code: error.code });
      if (stats.recent.length > RECENT_ERRORS) stats.recent.length = RECENT_ERRORS;
    }
  }

  coolDown(keyId: string, ms: number): void {
    const until = Date.now() + Math.min(Math.max(ms, 0), MAX_COOLDOWN_MS);
    this.bus.publish({ kind: 'pool-key', keyId, health: { state: 'cooling_down', until } });
  }

  markFailing(keyId: string, status: number, error: string): void {
    this.bus.publish({ kind: 'pool-key', keyId, health: { state: 'failing', status, error, since: Date.now() } });
  }

  /** Back to ok (replaced, re-enabled, removed, or its Test passed), on every replica. */
  clear(keyId: string): void {
    this.bus.publish({ kind: 'pool-key', keyId, health: { state: 'ok' } });
  }

  view(keyId: string): PoolKeyView {
    const now = Date.now();
    const ok = this.available(keyId, now);
    const health = this.health.get(keyId);
    const stats = this.stats.get(keyId);
    const sums = stats?.sums(now) ?? { requests: 0, errors: 0 };
    return {
      state: ok || health === undefined ? 'ok' : health.state,
      until: !ok && health?.state === 'cooling_down' ? new Date(health.until).toISOString() : null,
      error: !ok && health?.state === 'failing' ? health.error : null,
      requests_last_hour: sums.requests,
      errors_last_hour: sums.errors,
      last_used_at: stats !== undefined && stats.lastUsedAt > 0 ? new Date(stats.lastUsedAt).toISOString() : null,
      recent_errors: stats?.recent.slice() ?? [],
    };
  }

  /** Every key this replica has used or heard about, with its provider and state (for /metrics). */
  *states(): Iterable<{ provider: string; keyId: string; state: PoolKeyView['state'] }> {
    const now = Date.now();
    for (const [keyId, stats] of this.stats) {
      const health = this.health.get(keyId);
      const state = this.available(keyId, now) || health === undefined ? 'ok' : health.state;
      yield { provider: stats.provider, keyId, state };
    }
  }
}
