/**
 * Prometheus metrics (prom-client): requests by provider / model / status, latency and TTFT
 * histograms, token and cost counters, upstream errors by class, fallbacks, 402s and in-flight
 * streams. Labels come only from configured providers and served models, so a client cannot blow
 * up their cardinality with made-up model names.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface RequestObservation {
  provider: string | null;
  model: string | null;
  status: number;
  latencyMs: number;
  ttftMs: number | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  costNanoUsd: number;
}

const POOL_STATES = ['ok', 'cooling_down', 'failing'] as const;
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** What one (provider, model, status) added since prom-client last collected. */
interface Tally {
  provider: string;
  model: string;
  status: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  costNanoUsd: number;
}

export class Metrics {
  readonly registry = new Registry();
  /**
   * The counters by provider and model are summed here per request and handed to prom-client when
   * it collects (a scrape): prom-client hashes the labels on every inc(), four times per request.
   */
  private readonly tallies = new Map<string, Tally>();
  private readonly takeTallies = (): void => this.flushTallies();
  private readonly requests = new Counter({
    name: 'zai_requests_total',
    help: 'Gateway requests by provider, served model and status.',
    labelNames: ['provider', 'model', 'status'] as const,
    registers: [this.registry],
    collect: this.takeTallies,
  });
  private readonly latency = new Histogram({
    name: 'zai_request_duration_seconds',
    help: 'Gateway request latency.',
    labelNames: ['provider'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly ttft = new Histogram({
    name: 'zai_time_to_first_token_seconds',
    help: 'Time to the first streamed byte.',
    labelNames: ['provider'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'zai_tokens_total',
    help: 'Tokens reported by providers.',
    labelNames: ['provider', 'model', 'kind'] as const,
    registers: [this.registry],
    collect: this.takeTallies,
  });
  private readonly cost = new Counter({
    name: 'zai_cost_usd_total',
    help: 'Cost of answered requests in USD.',
    labelNames: ['provider', 'model'] as const,
    registers: [this.registry],
    collect: this.takeTallies,
  });
  private readonly upstreamErrors = new Counter({
    name: 'zai_upstream_errors_total',
    help: 'Failed upstream attempts by class (connect, timeout, status, reset, protocol).',
    labelNames: ['provider', 'class'] as const,
    registers: [this.registry],
  });
  private readonly fallbacks = new Counter({
    name: 'zai_fallbacks_total',
    help: 'Attempts made on a fallback model.',
    registers: [this.registry],
  });
  private readonly poolRetries = new Counter({
    name: 'zai_pool_key_retries_total',
    help: 'Calls retried on another key of the same pool, by reason (rate_limited: 429/529, refused: 401/403).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private poolStates: () => Iterable<{ provider: string; keyId: string; state: string }> = () => [];
  private readonly poolKeyState = new Gauge({
    name: 'zai_pool_key_state',
    help: 'Pool keys this replica knows, by state (1 for the current state: ok, cooling_down, failing).',
    labelNames: ['provider', 'key_id', 'state'] as const,
    registers: [this.registry],
    collect: () => {
      this.poolKeyState.reset();
      for (const { provider, keyId, state } of this.poolStates()) {
        for (const s of POOL_STATES) this.poolKeyState.set({ provider, key_id: keyId, state: s }, s === state ? 1 : 0);
      }
    },
  });
  private readonly capRefusals = new Counter({
    name: 'zai_spend_cap_refusals_total',
    help: 'Requests refused with 402 spend_cap_reached.',
    registers: [this.registry],
  });
  private readonly streams = new Gauge({
    name: 'zai_streams_in_flight',
    help: 'Streamed answers being relayed now.',
    registers: [this.registry],
  });

  private readonly usageDropped = new Counter({
    name: 'zai_usage_rows_dropped_total',
    help: 'Usage rows given up: more waited for the database than the bound, or the shutdown grace period ended first.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'zai_process_' });
  }

  /** A gauge whose value is read when metrics are collected. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  usageRowsDropped(rows: number): void {
    this.usageDropped.inc(rows);
  }

  request(o: RequestObservation): void {
    const provider = o.provider ?? '-';
    const model = o.status === 200 && o.model !== null ? o.model : '-';
    const key = `${provider}\n${model}\n${o.status}`;
    let tally = this.tallies.get(key);
    if (tally === undefined) {
      tally = {
        provider,
        model,
        status: String(o.status),
        requests: 0,
        promptTokens: 0,
        completionTokens: 0,
        cachedTokens: 0,
        costNanoUsd: 0,
      };
      this.tallies.set(key, tally);
    }
    tally.requests += 1;
    tally.promptTokens += o.promptTokens;
    tally.completionTokens += o.completionTokens;
    tally.cachedTokens += o.cachedTokens;
    tally.costNanoUsd += o.costNanoUsd;
    this.latency.observe({ provider }, o.latencyMs / 1000);
    if (o.ttftMs !== null) this.ttft.observe({ provider }, o.ttftMs / 1000);
    if (o.status === 402) this.capRefusals.inc();
  }

  /** Hands the tallies to the counters (from their collect(), so every scrape sees every request). */
  private flushTallies(): void {
    for (const t of this.tallies.values()) {
      if (t.requests === 0) continue;
      const { provider, model } = t;
      this.requests.inc({ provider, model, status: t.status }, t.requests);
      if (t.promptTokens > 0) this.tokens.inc({ provider, model, kind: 'prompt' }, t.promptTokens);
      if (t.completionTokens > 0) this.tokens.inc({ provider, model, kind: 'completion' }, t.completionTokens);
      if (t.cachedTokens > 0) this.tokens.inc({ provider, model, kind: 'cached' }, t.cachedTokens);
      if (t.costNanoUsd > 0) this.cost.inc({ provider, model }, t.costNanoUsd / 1e9);
      t.requests = 0;
      t.promptTokens = 0;
      t.completionTokens = 0;
      t.cachedTokens = 0;
      t.costNanoUsd = 0;
    }
  }

  upstreamError(provider: string, failureClass: string): void {
    this.upstreamErrors.inc({ provider, class: failureClass });
  }

  poolRetry(reason: 'rate_limited' | 'refused'): void {
    this.poolRetries.inc({ reason });
  }

  /** Where zai_pool_key_state reads the keys' states at each scrape. */
  observePool(states: () => Iterable<{ provider: string; keyId: string; state: string }>): void {
    this.poolStates = states;
  }

  fallback(): void {
    this.fallbacks.inc();
  }

  streamOpened(): void {
    this.streams.inc();
  }

  streamClosed(): void {
    this.streams.dec();
  }
}
