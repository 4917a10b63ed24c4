import { describe, expect, it } from 'vitest';
import { Metrics, type RequestObservation } from './metrics.js';

const ok: RequestObservation = {
  provider: 'openai',
  model: 'openai/gpt-4o-mini',
  status: 200,
  latencyMs: 120,
  ttftMs: null,
  promptTokens: 12,
  completionTokens: 5,
  cachedTokens: 0,
  costNanoUsd: 4_500,
};

/** The value of one sample line of the Prometheus text, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Metrics', () => {
  it('counts requests, tokens and cost per provider and model, cumulatively across scrapes', async () => {
    const metrics = new Metrics();
    metrics.request(ok);
    metrics.request({ ...ok, cachedTokens: 4 });
    metrics.request({
      ...ok,
      provider: 'groq',
      model: 'groq/llama',
      status: 502,
      promptTokens: 0,
      completionTokens: 0,
      costNanoUsd: 0,
    });
    let text = await metrics.registry.metrics();
    expect(sample(text, 'zai_requests_total{provider="openai",model="openai/gpt-4o-mini",status="200"}')).toBe(2);
    // A failed request is counted without its model (labels stay bounded by what was served).
    expect(sample(text, 'zai_requests_total{provider="groq",model="-",status="502"}')).toBe(1);
    expect(sample(text, 'zai_tokens_total{provider="openai",model="openai/gpt-4o-mini",kind="prompt"}')).toBe(24);
    expect(sample(text, 'zai_tokens_total{provider="openai",model="openai/gpt-4o-mini",kind="completion"}')).toBe(10);
    expect(sample(text, 'zai_tokens_total{provider="openai",model="openai/gpt-4o-mini",kind="cached"}')).toBe(4);
    expect(sample(text, 'zai_tokens_total{provider="groq",model="-",kind="prompt"}')).toBeUndefined();
    expect(sample(text, 'zai_cost_usd_total{provider="openai",model="openai/gpt-4o-mini"}')).toBeCloseTo(9e-6, 12);
    expect(sample(text, 'zai_request_duration_seconds_count{provider="openai"}')).toBe(2);

    // Nothing new: the same totals. Then one more request adds to them.
    expect(
      sample(await metrics.registry.metrics(), 'zai_requests_total{provider="openai",model="openai/gpt-4o-mini",status="200"}'),
    ).toBe(2);
    metrics.request(ok);
    text = await metrics.registry.metrics();
    expect(sample(text, 'zai_requests_total{provider="openai",model="openai/gpt-4o-mini",status="200"}')).toBe(3);
    expect(sample(text, 'zai_tokens_total{provider="openai",model="openai/gpt-4o-mini",kind="prompt"}')).toBe(36);
    expect(sample(text, 'zai_cost_usd_total{provider="openai",model="openai/gpt-4o-mini"}')).toBeCloseTo(13.5e-6, 12);
  });

  it('shows pending tallies in a single-metric read too', async () => {
    const metrics = new Metrics();
    metrics.request(ok);
    const text = await metrics.registry.getSingleMetricAsString('zai_tokens_total');
    expect(sample(text, 'zai_tokens_total{provider="openai",model="openai/gpt-4o-mini",kind="completion"}')).toBe(5);
  });
});
