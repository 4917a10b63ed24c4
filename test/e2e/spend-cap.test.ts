/**
 * Money: exact integer costs and spend caps that hold under concurrency (HTTP 402), with
 * reservations that are always released.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, type ApiClient, startZai, type Zai } from '../helpers/harness.js';
import {
  json,
  openAICompletion,
  openAIStreamEvents,
  sleep,
  startFakeServer,
  writeSse,
  type FakeServer,
} from '../helpers/fake-upstream.js';

let zai: Zai;
let fake: FakeServer;
let api: ApiClient;

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(async (req, res) => {
    const body = req.json as { model: string; stream?: boolean; max_tokens?: number };
    if (body.model === 'priced-slow') {
      await sleep(100);
      return json(res, 200, openAICompletion({ usage: { prompt_tokens: 12, completion_tokens: body.max_tokens ?? 1000 } }));
    }
    if (body.model === 'hangs') {
      await sleep(2000);
      return json(res, 200, openAICompletion());
    }
    if (body.model === 'cached') {
      if (body.stream)
        return writeSse(
          res,
          openAIStreamEvents(['a', 'b'], {
            prompt_tokens: 1000,
            completion_tokens: 500,
            prompt_tokens_details: { cached_tokens: 400 },
          } as never),
        );
      return json(res, 200, openAICompletion({ usage: { prompt_tokens: 1000, completion_tokens: 500, cached: 400 } }));
    }
    return json(res, 200, openAICompletion());
  });
  const account = await accountWithKey(zai, { baseUrl: `${fake.url}/v1` });
  api = account.api;
  // Round prices make the expected costs computable by hand.
  await api.put('/api/prices', { model: 'openai/priced-slow', input_usd_per_mtok: 1, output_usd_per_mtok: 1 });
  await api.put('/api/prices', { model: 'openai/hangs', input_usd_per_mtok: 1, output_usd_per_mtok: 1 });
  await api.put('/api/prices', {
    model: 'openai/cached',
    input_usd_per_mtok: 2,
    output_usd_per_mtok: 8,
    cached_input_usd_per_mtok: 0.5,
  });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

async function newKey(body: Record<string, unknown>): Promise<{ client: OpenAI; id: string; key: string }> {
  const res = await api.post('/api/keys', { name: 'capped', ...body });
  expect(res.status).toBe(201);
  return {
    client: new OpenAI({ apiKey: String(res.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 }),
    id: String(res.body.id),
    key: String(res.body.key),
  };
}

async function spentMicro(id: string): Promise<number> {
  await sleep(400);
  const keys = await api.get<{ data: Array<{ id: string; spent_micro_usd: number }> }>('/api/keys');
  return keys.body.data.find((k) => k.id === id)!.spent_micro_usd;
}

describe('cost', () => {
  it('prices non-streaming and streaming answers exactly, cached tokens at the cached price', async () => {
    const { client, id } = await newKey({});
    const { response } = await client.chat.completions
      .create({ model: 'openai/cached', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    // 600 × $2 + 400 × $0.5 + 500 × $8 per million tokens = 5,400 micro-USD.
    expect(response.headers.get('x-zai-cost-micro-usd')).toBe('5400');
    const stream = await client.chat.completions.create({
      model: 'openai/cached',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    for await (const _ of stream) void _;
    expect(await spentMicro(id)).toBe(10_800);
    const usage = await api.get<{
      data: Array<{ cost_nano_usd: number; cached_tokens: number; stream: boolean }>;
      totals: { cost_micro_usd: number };
    }>(`/api/usage?key_id=${id}`);
    expect(usage.body.data.map((r) => [r.cost_nano_usd, r.cached_tokens, r.stream])).toEqual([
      [5_400_000, 400, true],
      [5_400_000, 400, false],
    ]);
    expect(usage.body.totals.cost_micro_usd).toBe(10_800);
  });

  it('keeps sub-micro precision: many tiny requests add up instead of rounding to zero', async () => {
    await api.put('/api/prices', { model: 'openai/tiny', input_usd_per_mtok: 0.02, output_usd_per_mtok: 0.02 });
    const { client, id } = await newKey({});
    // 17 tokens × $0.02/M = 340 nano-USD each: 0 micro-USD per request, 3.4 after ten.
    for (let i = 0; i < 10; i++)
      await client.chat.completions.create({ model: 'openai/tiny', messages: [{ role: 'user', content: 'x' }] });
    await sleep(400);
    const usage = await api.get<{ data: Array<{ cost_nano_usd: number }>; totals: { cost_nano_usd: number } }>(
      `/api/usage?key_id=${id}`,
    );
    expect(usage.body.data.every((r) => r.cost_nano_usd === 340)).toBe(true);
    expect(usage.body.totals.cost_nano_usd).toBe(3400);
  });
});

describe('spend caps', () => {
  it('60 simultaneous requests never spend more than a cap that covers about ten, and use at least half of it', async () => {
    // Each request reserves ≤ (prompt bound + 1000) tokens at $1/M and really costs 1,012 micro-USD.
    const cap = 11_000;
    const { client, id } = await newKey({ spend_cap_micro_usd: cap });
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, () =>
        client.chat.completions.create({
          model: 'openai/priced-slow',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 1000,
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected');
    expect(ok + refused.length).toBe(60);
    for (const r of refused) {
      const err = (r as PromiseRejectedResult).reason as InstanceType<typeof OpenAI.APIError>;
      expect(err.status).toBe(402);
      expect(err.code).toBe('spend_cap_reached');
      expect(err.type).toBe('insufficient_quota');
    }
    const spent = await spentMicro(id);
    expect(spent).toBeLessThanOrEqual(cap);
    expect(spent).toBeGreaterThanOrEqual(cap / 2);
    expect(spent).toBe(ok * 1012);
  });

  it('raising the cap re-opens the key at once', async () => {
    const { client, id } = await newKey({ spend_cap_micro_usd: 1500 });
    await client.chat.completions.create({
      model: 'openai/priced-slow',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 1000,
    });
    const refused = await client.chat.completions
      .create({ model: 'openai/priced-slow', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000 })
      .catch((e: unknown) => e);
    expect((refused as { status: number }).status).toBe(402);
    expect((await api.patch(`/api/keys/${id}`, { spend_cap_micro_usd: 5000 })).status).toBe(200);
    const ok = await client.chat.completions.create({
      model: 'openai/priced-slow',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 1000,
    });
    expect(ok.choices[0]?.finish_reason).toBe('stop');
  });

  it('a capped key may only call priced models', async () => {
    const { client } = await newKey({ spend_cap_micro_usd: 1_000_000 });
    const err = await client.chat.completions
      .create({ model: 'openai/unpriced-model-x', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect((err as { status: number }).status).toBe(400);
    expect((err as { code: string }).code).toBe('model_not_priced');
    const uncapped = await newKey({});
    await expect(
      uncapped.client.chat.completions.create({ model: 'openai/unpriced-model-x', messages: [{ role: 'user', content: 'hi' }] }),
    ).resolves.toBeDefined();
  });

  it('a client abort releases its reservation: the key can still spend its whole cap afterwards', async () => {
    const { client, id } = await newKey({ spend_cap_micro_usd: 3200 });
    // Three requests that would each reserve ~1,030 micro-USD, all abandoned by the client.
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 150);
        await client.chat.completions
          .create(
            { model: 'openai/hangs', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000 },
            { signal: controller.signal },
          )
          .catch(() => undefined);
      }),
    );
    await sleep(100);
    for (let i = 0; i < 3; i++) {
      await client.chat.completions.create({
        model: 'openai/priced-slow',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 1000,
      });
    }
    expect(await spentMicro(id)).toBe(3 * 1012);
  });

  it('without max_tokens, the worst case uses the catalog maximum output, and an unknown maximum is bounded and announced', async () => {
    const { client } = await newKey({ spend_cap_micro_usd: 100_000 });
    const { response } = await client.chat.completions
      .create({ model: 'openai/priced-slow', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(response.headers.get('x-zai-max-tokens')).toBe('4096');
    expect((fake.requests.at(-1)!.json as { max_tokens: number }).max_tokens).toBe(4096);
    const big = await newKey({ spend_cap_micro_usd: 1000 });
    // gpt-4o-mini's catalog maximum output (16,384 tokens at $0.60/M) cannot be paid by a $0.001 cap:
    // the answer is shortened to what the cap covers (fewer than 1,667 tokens) instead of refused.
    const shortened = await big.client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const sent = fake.requests.at(-1)!.json as { max_tokens?: number; max_completion_tokens?: number };
    const limit = sent.max_completion_tokens ?? sent.max_tokens;
    expect(limit).toBeLessThan(1667);
    expect(limit).toBeGreaterThan(1600);
    expect(shortened.response.headers.get('x-zai-max-tokens')).toBe(String(limit));
  });
});
