/**
 * The load generator: a closed loop of `concurrency` workers over one undici keep-alive pool (one
 * connection per worker, no pipelining), each sending its next request as soon as the previous
 * answer ended. It uses undici's low-level `dispatch` with a reused handler per worker, so no
 * stream or promise is created per request and the client stays cheap (its own CPU per request is
 * measured and reported, since it shares the machine's two cores with everything else).
 *
 * Per request it records the latency (send → last byte) and, for streams, the time to the first
 * body byte. A run is a warm-up followed by a measured window; only requests that start and end
 * inside the window are sampled, and throughput counts the answers completed in the window.
 */
import { Pool, type Dispatcher } from 'undici';

export interface LoadOptions {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Streamed answers must end with `streamEnd`. */
  stream: boolean;
  /** The last event of a complete stream (default OpenAI's `data: [DONE]`). */
  streamEnd?: string;
  /** Called when the measured window opens and closes (CPU probes of the processes under test). */
  onWindowStart?: () => Promise<void>;
  onWindowEnd?: () => Promise<void>;
}

export interface Summary {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export interface LoadResult {
  /** Answers completed inside the window. */
  requests: number;
  /** Failed or invalid answers inside the window. */
  errors: number;
  firstError: string | undefined;
  /** Every answer of the run, warm-up included (to cross-check usage rows). */
  totalAnswers: number;
  windowMs: number;
  rps: number;
  latencyMs: Summary;
  /** Time to the first body byte (streams). */
  ttfbMs: Summary;
  bytesPerAnswer: number;
  /** CPU the load generator itself spent per request in the window. */
  clientCpuMsPerReq: number;
}

const DONE = 'data: [DONE]\n\n';

function summarize(samples: Float64Array, n: number): Summary {
  if (n === 0) return { p50: NaN, p90: NaN, p99: NaN, mean: NaN, max: NaN };
  const sorted = samples.slice(0, n).sort();
  const at = (q: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] as number;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i] as number;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: sum / n, max: sorted[n - 1] as number };
}

class Samples {
  data = new Float64Array(1 << 16);
  n = 0;
  push(value: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = value;
  }
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(options.origin, {
    connections: options.concurrency,
    pipelining: 1,
    keepAliveTimeout: 120_000,
    keepAliveMaxTimeout: 120_000,
  });
  const body = Buffer.from(options.body);
  const streamEnd = Buffer.from(options.streamEnd ?? DONE);
  const dispatchOptions: Dispatcher.DispatchOptions = {
    path: options.path,
    method: 'POST',
    headers: { ...options.headers, 'content-type': 'application/json' },
    body,
  };

  const latency = new Samples();
  const ttfb = new Samples();
  let phase: 'warmup' | 'window' | 'drain' = 'warmup';
  let windowStart = Infinity;
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  let totalAnswers = 0;
  let bytes = 0;
  let inFlight = 0;
  let drained: () => void = () => {};

  class Worker implements Dispatcher.DispatchHandler {
    start = 0;
    firstByte = 0;
    status = 0;
    size = 0;
    tail: Buffer | undefined;
    prevTail: Buffer | undefined;

    send(): void {
      this.start = performance.now();
      this.firstByte = 0;
      this.status = 0;
      this.size = 0;
      this.tail = undefined;
      this.prevTail = undefined;
      inFlight += 1;
      pool.dispatch(dispatchOptions, this);
    }

    onRequestStart(): void {}

    onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
      this.status = statusCode;
    }

    onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
      if (this.firstByte === 0) this.firstByte = performance.now();
      this.size += chunk.length;
      this.prevTail = this.tail;
      this.tail = chunk;
    }

    onResponseEnd(): void {
      const end = performance.now();
      let problem: string | undefined;
      if (this.status !== 200) problem = `HTTP ${this.status}`;
      else if (options.stream && !this.endsWithStreamEnd())
        problem = `stream did not end with ${JSON.stringify(streamEnd.toString())}`;
      else if (this.size === 0) problem = 'empty body';
      this.finish(end, problem);
    }

    onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
      this.finish(performance.now(), error.message);
    }

    private endsWithStreamEnd(): boolean {
      let tail = this.tail;
      if (tail === undefined) return false;
      if (tail.length < streamEnd.length && this.prevTail !== undefined) tail = Buffer.concat([this.prevTail, tail]);
      return tail.length >= streamEnd.length && tail.subarray(tail.length - streamEnd.length).equals(streamEnd);
    }

    private finish(end: number, problem: string | undefined): void {
      inFlight -= 1;
      totalAnswers += 1;
      if (phase === 'window' && end >= windowStart) {
        if (problem !== undefined) {
          errors += 1;
          firstError ??= problem;
        } else {
          requests += 1;
          bytes += this.size;
          if (this.start >= windowStart) {
            latency.push(end - this.start);
            if (options.stream) ttfb.push(this.firstByte - this.start);
          }
        }
      } else if (problem !== undefined) {
        firstError ??= problem;
      }
      if (phase === 'drain') {
        if (inFlight === 0) drained();
        return;
      }
      // Sending from inside undici's callback is what undici's own clients do; keep the loop going.
      if (problem !== undefined) setTimeout(() => this.send(), 5);
      else this.send();
    }
  }

  const workers = Array.from({ length: options.concurrency }, () => new Worker());
  for (const worker of workers) worker.send();

  await sleep(options.warmupMs);
  await options.onWindowStart?.();
  const cpuStart = process.cpuUsage();
  windowStart = performance.now();
  phase = 'window';
  await sleep(options.durationMs);
  phase = 'drain';
  const windowMs = performance.now() - windowStart;
  const cpu = process.cpuUsage(cpuStart);
  await options.onWindowEnd?.();
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  await pool.close();

  return {
    requests,
    errors,
    firstError,
    totalAnswers,
    windowMs,
    rps: (requests * 1000) / windowMs,
    latencyMs: summarize(latency.data, latency.n),
    ttfbMs: summarize(ttfb.data, ttfb.n),
    bytesPerAnswer: requests === 0 ? 0 : bytes / requests,
    clientCpuMsPerReq: requests === 0 ? NaN : (cpu.user + cpu.system) / 1000 / requests,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
