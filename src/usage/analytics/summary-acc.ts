/**
 * The summary's accumulators: sums of requests, errors, unpriced requests, tokens, cost, latency
 * and TTFT, with dense histograms for percentiles when asked.
 */
import { BIN_COUNT, emptyHistogram, percentiles, type Percentile } from '../../store/latency-histogram.js';

export interface Sums {
  requests: number;
  errors: number;
  /** Served by a model without a price: their cost is unknown, and not in cost_nano_usd. */
  unpriced_requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_nano_usd: number;
  cost_micro_usd: number;
}

export interface LatencyStats {
  count: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

const PS = [0.5, 0.95, 0.99] as const;

/** Sums (and, when asked, histograms) of a total, a bucket, a series or a breakdown row. */
export class Acc {
  requests = 0;
  errors = 0;
  unpriced = 0;
  prompt = 0;
  completion = 0;
  cached = 0;
  cost = 0;
  latencySum = 0;
  ttftCount = 0;
  ttftSum = 0;
  lat: Float64Array | undefined;
  ttft: Float64Array | undefined;
  /** False once a part without a histogram was added: percentiles unknown. */
  complete = true;

  withHistograms(): this {
    this.lat = emptyHistogram();
    this.ttft = emptyHistogram();
    return this;
  }

  addSums(from: Acc): void {
    this.requests += from.requests;
    this.errors += from.errors;
    this.unpriced += from.unpriced;
    this.prompt += from.prompt;
    this.completion += from.completion;
    this.cached += from.cached;
    this.cost += from.cost;
    this.latencySum += from.latencySum;
    this.ttftCount += from.ttftCount;
    this.ttftSum += from.ttftSum;
    if (from.lat === undefined || from.ttft === undefined || !from.complete) this.complete = false;
    else if (this.lat !== undefined && this.ttft !== undefined) {
      for (let b = 0; b < BIN_COUNT; b++) {
        this.lat[b] = (this.lat[b] as number) + (from.lat[b] as number);
        this.ttft[b] = (this.ttft[b] as number) + (from.ttft[b] as number);
      }
    }
  }

  sums(): Sums {
    return {
      requests: this.requests,
      errors: this.errors,
      prompt_tokens: this.prompt,
      completion_tokens: this.completion,
      cached_tokens: this.cached,
      cost_nano_usd: this.cost,
      cost_micro_usd: Math.round(this.cost / 1000),
      unpriced_requests: this.unpriced,
    };
  }

  stats(which: 'latency' | 'ttft'): { stats: LatencyStats; ps: Array<Percentile | null> } {
    const count = which === 'latency' ? this.requests : this.ttftCount;
    const sum = which === 'latency' ? this.latencySum : this.ttftSum;
    const dense = which === 'latency' ? this.lat : this.ttft;
    const ps = dense !== undefined && this.complete ? percentiles(dense, count, PS) : PS.map(() => null);
    return {
      stats: {
        count,
        mean: count === 0 ? null : Math.round((sum / count) * 10) / 10,
        p50: ps[0]?.value ?? null,
        p95: ps[1]?.value ?? null,
        p99: ps[2]?.value ?? null,
      },
      ps,
    };
  }
}

/** Adds the histogram entries in bytes[from, to) into up to three dense arrays in one pass. */
export function addEntries(
  bytes: Uint8Array,
  from: number,
  to: number,
  a: Float64Array | undefined,
  b: Float64Array | undefined,
  c: Float64Array | undefined,
): void {
  const n = to;
  let at = from;
  while (at + 2 < n) {
    const bin = (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
    at += 2;
    let count = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = bytes[at++] as number;
      count += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte >= 0x80 && at < n);
    if (bin >= BIN_COUNT) continue;
    if (a !== undefined) a[bin] = (a[bin] as number) + count;
    if (b !== undefined) b[bin] = (b[bin] as number) + count;
    if (c !== undefined) c[bin] = (c[bin] as number) + count;
  }
}

export function addSums(
  acc: Acc,
  requests: number,
  errors: number,
  unpriced: number,
  prompt: number,
  completion: number,
  cached: number,
  cost: number,
  latencySum: number,
  ttftCount: number,
  ttftSum: number,
): void {
  acc.requests += requests;
  acc.errors += errors;
  acc.unpriced += unpriced;
  acc.prompt += prompt;
  acc.completion += completion;
  acc.cached += cached;
  acc.cost += cost;
  acc.latencySum += latencySum;
  acc.ttftCount += ttftCount;
  acc.ttftSum += ttftSum;
}
