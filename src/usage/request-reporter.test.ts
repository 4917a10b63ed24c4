import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.js';
import { Metrics } from './metrics.js';
import { REPORT_DELAY_MS, RequestReporter } from './request-reporter.js';
import type { UsageRow } from './usage-recorder.js';

function row(i: number, status = 200): UsageRow {
  return {
    id: `req_rep${i}`,
    created_at: 1_700_000_000_000 + i,
    user_id: 'usr_1',
    key_id: 'key_1',
    model_requested: 'openai/m',
    model_served: status === 200 ? 'openai/m' : null,
    provider: 'openai',
    status,
    error_code: status === 200 ? null : 'upstream_error',
    prompt_tokens: 10,
    completion_tokens: 5,
    cached_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_nano_usd: 2_000_000,
    latency_ms: 3,
    ttft_ms: null,
    stream: 0,
    attempts: 1,
    endpoint: 'chat.completions',
    pool_key_id: null,
    unpriced: 0,
    error_message: null,
    detail: null,
  };
}

function setup(delayMs?: number): { reporter: RequestReporter; metrics: Metrics; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        out.push(chunk.toString('utf8'));
        cb();
      },
    }),
  );
  const metrics = new Metrics();
  const lines = (): Array<Record<string, unknown>> =>
    out
      .join('')
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { reporter: new RequestReporter(logger, metrics, delayMs), metrics, lines };
}

async function requestsTotal(metrics: Metrics): Promise<number> {
  const text = await metrics.registry.metrics();
  return [...text.matchAll(/^zai_requests_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('RequestReporter', () => {
  it('reports each request once, in order, a batch at a time after a short delay', async () => {
    vi.useFakeTimers();
    const { reporter, metrics, lines } = setup();
    for (let i = 0; i < 3; i++) reporter.add(row(i, i === 1 ? 502 : 200));
    // Nothing yet: the batch waits for its timer.
    expect(lines()).toEqual([]);
    vi.advanceTimersByTime(REPORT_DELAY_MS - 1);
    expect(lines()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(lines().map((l) => [l.msg, l.requestId, l.status])).toEqual([
      ['gateway request', 'req_rep0', 200],
      ['gateway request', 'req_rep1', 502],
      ['gateway request', 'req_rep2', 200],
    ]);
    expect(lines()[0]).toMatchObject({ keyId: 'key_1', promptTokens: 10, completionTokens: 5, costMicroUsd: 2000 });
    vi.useRealTimers();
    expect(await requestsTotal(metrics)).toBe(3);
    // Nothing is reported twice.
    reporter.drain();
    expect(lines()).toHaveLength(3);
  });

  it('drain() reports what is pending at once, so a scrape counts every answered request', async () => {
    const { reporter, metrics, lines } = setup(60_000);
    reporter.add(row(10));
    reporter.add(row(11, 402));
    expect(await requestsTotal(metrics)).toBe(0);
    reporter.drain();
    expect(await requestsTotal(metrics)).toBe(2);
    expect(await metrics.registry.metrics()).toMatch(/^zai_spend_cap_refusals_total 1$/m);
    expect(lines()).toHaveLength(2);
  });

  it('reports a full batch on the next turn of the event loop, without waiting for the timer', async () => {
    const { reporter, lines } = setup(60_000);
    for (let i = 0; i < 512; i++) reporter.add(row(100 + i));
    expect(lines()).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines()).toHaveLength(512);
  });
});
