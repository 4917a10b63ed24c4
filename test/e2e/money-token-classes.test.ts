/**
 * Token classes priced exactly: each provider's own usage shape (Anthropic cache writes of both
 * durations and cache reads, OpenAI cached and reasoning tokens, Gemini cached content and
 * thoughts), streamed and not, give an exact integer cost, usage rows with each class, and
 * OpenAI-shaped answers that report them.
 */
import type http from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, startZai, type ApiClient, type Zai } from '../helpers/harness.js';
import { json, sleep, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';

type Json = Record<string, unknown>;

let zai: Zai;
let openaiFake: FakeServer;
let anthropicFake: FakeServer;
let geminiFake: FakeServer;
let api: ApiClient;
let client: OpenAI;
let zaiKey: string;
let keyId: string;

/** Anthropic's usage with 1,000 uncached, 4,000 read, 1,000 + 2,000 written (5 min, 1 h) input tokens. */
const ANTHROPIC_INPUT_USAGE = {
  input_tokens: 1000,
  cache_creation_input_tokens: 3000,
  cache_read_input_tokens: 4000,
  cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
};

function sse(res: http.ServerResponse, frames: string[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const frame of frames) res.write(frame);
  res.end();
}

function anthropicEvent(data: Json & { type: string }): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function anthropicHandler(req: { json: unknown }, res: http.ServerResponse): void {
  const body = req.json as { stream?: boolean; model: string };
  const message = {
    id: 'msg_01Cache',
    type: 'message',
    role: 'assistant',
    model: body.model,
    content: [{ type: 'text', text: 'Cached.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { ...ANTHROPIC_INPUT_USAGE, output_tokens: 500 },
  };
  if (!body.stream) return json(res, 200, message);
  sse(res, [
    anthropicEvent({
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, usage: { ...ANTHROPIC_INPUT_USAGE, output_tokens: 1 } },
    }),
    anthropicEvent({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    anthropicEvent({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Cached.' } }),
    anthropicEvent({ type: 'content_block_stop', index: 0 }),
    anthropicEvent({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 500 },
    }),
    anthropicEvent({ type: 'message_stop' }),
  ]);
}

/** OpenAI: 1,000 prompt tokens of which 400 cached; 500 completion tokens of which 300 reasoning. */
const OPENAI_USAGE = {
  prompt_tokens: 1000,
  completion_tokens: 500,
  total_tokens: 1500,
  prompt_tokens_details: { cached_tokens: 400, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 300, audio_tokens: 0 },
};

function openaiHandler(req: { json: unknown }, res: http.ServerResponse): void {
  const body = req.json as { stream?: boolean };
  const base = { id: 'chatcmpl-r1', created: 1767225600, model: 'o-test' };
  if (!body.stream) {
    return json(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Thought.', refusal: null }, logprobs: null, finish_reason: 'stop' },
      ],
      usage: OPENAI_USAGE,
    });
  }
  const chunk = (fields: Json): string => `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', ...fields })}\n\n`;
  sse(res, [
    chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Thought.' }, finish_reason: null }], usage: null }),
    chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null }),
    chunk({ choices: [], usage: OPENAI_USAGE }),
    'data: [DONE]\n\n',
  ]);
}

/** Gemini: 1,000 prompt tokens of which 400 from cached content; 200 candidate and 300 thought tokens. */
const GEMINI_USAGE = {
  promptTokenCount: 1000,
  cachedContentTokenCount: 400,
  candidatesTokenCount: 200,
  thoughtsTokenCount: 300,
  totalTokenCount: 1500,
};

function geminiHandler(req: { path: string }, res: http.ServerResponse): void {
  const candidate = (finish?: string): Json => ({
    content: { role: 'model', parts: [{ text: 'Thought.' }] },
    index: 0,
    ...(finish ? { finishReason: finish } : {}),
  });
  if (req.path.includes(':streamGenerateContent')) {
    return sse(res, [
      `data: ${JSON.stringify({ candidates: [candidate()], usageMetadata: { promptTokenCount: 1000, totalTokenCount: 1000 } })}\r\n\r\n`,
      `data: ${JSON.stringify({ candidates: [candidate('STOP')], usageMetadata: GEMINI_USAGE, modelVersion: 'g' })}\r\n\r\n`,
    ]);
  }
  json(res, 200, { candidates: [candidate('STOP')], usageMetadata: GEMINI_USAGE, modelVersion: 'g' });
}

beforeAll(async () => {
  zai = await startZai();
  openaiFake = await startFakeServer(openaiHandler);
  anthropicFake = await startFakeServer(anthropicHandler);
  geminiFake = await startFakeServer(geminiHandler);
  const account = await accountWithKey(zai, { baseUrl: `${openaiFake.url}/v1` });
  api = account.api;
  zaiKey = account.key;
  keyId = account.keyId;
  for (const [provider, url, apiKey] of [
    ['anthropic', anthropicFake.url, 'sk-ant-api03-moneyFAKEkey-0123456789abcdefghijklmnop'],
    ['gemini', geminiFake.url, 'AIzaSyMoneyFakeKey0123456789abcdefghijk'],
  ] as const) {
    const res = await api.post('/api/providers', { provider, api_key: apiKey, base_url: url });
    expect(res.status, res.text).toBe(201);
  }
  // Round prices make every expected cost computable by hand. The Anthropic price leaves the cache
  // prices out: Anthropic's multiples of the input price apply (0.1×, 1.25×, 2×).
  for (const price of [
    { model: 'anthropic/cache-model', input_usd_per_mtok: 3, output_usd_per_mtok: 15 },
    { model: 'openai/o-test', input_usd_per_mtok: 2, output_usd_per_mtok: 8, cached_input_usd_per_mtok: 0.5 },
    { model: 'gemini/g-test', input_usd_per_mtok: 1, output_usd_per_mtok: 4, cached_input_usd_per_mtok: 0.25 },
  ]) {
    const res = await api.put('/api/prices', price);
    expect(res.status, res.text).toBe(200);
  }
  client = new OpenAI({ apiKey: zaiKey, baseURL: `${zai.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await zai.close();
  await Promise.all([openaiFake.close(), anthropicFake.close(), geminiFake.close()]);
});

interface UsageRow {
  model_requested: string;
  stream: boolean;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_nano_usd: number;
}

async function rowsFor(model: string): Promise<UsageRow[]> {
  await sleep(400);
  const res = await api.get<{ data: UsageRow[] }>(`/api/usage?key_id=${keyId}&model=${encodeURIComponent(model)}`);
  return res.body.data;
}

async function streamUsage(model: string): Promise<OpenAI.CompletionUsage | undefined> {
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'x' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
  return usage;
}

describe('token classes and their cost', () => {
  it('Anthropic: cache writes of 5 minutes and 1 hour and cache reads at their own prices, streamed and not', async () => {
    const model = 'anthropic/cache-model';
    const { data, response } = await client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'x' }], max_tokens: 1000 })
      .withResponse();
    // 1,000 × $3 + 4,000 × $0.30 + 1,000 × $3.75 + 2,000 × $6 + 500 × $15 per million tokens
    // = 3,000 + 1,200 + 3,750 + 12,000 + 7,500 = 27,450 micro-USD.
    expect(response.headers.get('x-zai-cost-micro-usd')).toBe('27450');
    expect(data.usage).toMatchObject({
      prompt_tokens: 8000,
      completion_tokens: 500,
      prompt_tokens_details: { cached_tokens: 4000, cache_write_tokens: 3000, cache_write_1h_tokens: 2000 },
    });
    const streamed = await streamUsage(model);
    expect(streamed).toMatchObject({
      prompt_tokens: 8000,
      completion_tokens: 500,
      prompt_tokens_details: { cached_tokens: 4000 },
    });
    const rows = await rowsFor(model);
    expect(rows.map((r) => [r.stream, r.cost_nano_usd, r.prompt_tokens, r.cache_read_tokens, r.cache_write_tokens])).toEqual([
      [true, 27_450_000, 8000, 4000, 3000],
      [false, 27_450_000, 8000, 4000, 3000],
    ]);
  });

  it('Anthropic Messages passthrough bills the same classes', async () => {
    const res = await fetch(`${zai.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': zaiKey, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'anthropic/cache-model', max_tokens: 1000, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-zai-cost-micro-usd')).toBe('27450');
    const body = (await res.json()) as { usage: Json };
    expect(body.usage).toMatchObject(ANTHROPIC_INPUT_USAGE);
  });

  it('OpenAI: cached tokens inside prompt_tokens and reasoning inside completion_tokens are never billed twice', async () => {
    const model = 'openai/o-test';
    const { data, response } = await client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    // 600 × $2 + 400 × $0.50 + 500 × $8 per million tokens = 5,400 micro-USD.
    expect(response.headers.get('x-zai-cost-micro-usd')).toBe('5400');
    expect(data.usage?.completion_tokens_details?.reasoning_tokens).toBe(300);
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(400);
    const streamed = await streamUsage(model);
    expect(streamed?.completion_tokens_details?.reasoning_tokens).toBe(300);
    const rows = await rowsFor(model);
    expect(rows.map((r) => [r.stream, r.cost_nano_usd, r.cached_tokens, r.reasoning_tokens, r.completion_tokens])).toEqual([
      [true, 5_400_000, 400, 300, 500],
      [false, 5_400_000, 400, 300, 500],
    ]);
  });

  it('Gemini: thoughts are output billed once beside the candidates; cached content is part of the prompt', async () => {
    const model = 'gemini/g-test';
    const { data, response } = await client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    // 600 × $1 + 400 × $0.25 + (200 + 300) × $4 per million tokens = 2,700 micro-USD.
    expect(response.headers.get('x-zai-cost-micro-usd')).toBe('2700');
    expect(data.usage).toMatchObject({
      prompt_tokens: 1000,
      completion_tokens: 500,
      prompt_tokens_details: { cached_tokens: 400 },
      completion_tokens_details: { reasoning_tokens: 300 },
    });
    const streamed = await streamUsage(model);
    expect(streamed).toMatchObject({ completion_tokens: 500, completion_tokens_details: { reasoning_tokens: 300 } });
    const rows = await rowsFor(model);
    expect(rows.map((r) => [r.stream, r.cost_nano_usd, r.cached_tokens, r.reasoning_tokens])).toEqual([
      [true, 2_700_000, 400, 300],
      [false, 2_700_000, 400, 300],
    ]);
    // Every request of the key: its rows' cache writes and reasoning add up across providers.
    const all = await api.get<{ data: UsageRow[] }>(`/api/usage?key_id=${keyId}&limit=100`);
    const sum = (field: 'cache_write_tokens' | 'reasoning_tokens'): number => all.body.data.reduce((n, r) => n + r[field], 0);
    expect([sum('cache_write_tokens'), sum('reasoning_tokens')]).toEqual([9000, 1200]);
  });

  it('lists cache prices with the defaults that bill them', async () => {
    const res = await api.get<{ data: Json[] }>('/api/prices');
    const entry = res.body.data.find((p) => p.model === 'anthropic/cache-model');
    expect(entry).toMatchObject({
      cached_input_usd_per_mtok: null,
      cache_write_5m_usd_per_mtok: null,
      effective: { cached_input_usd_per_mtok: 0.3, cache_write_5m_usd_per_mtok: 3.75, cache_write_1h_usd_per_mtok: 6 },
    });
    const put = await api.put('/api/prices', {
      model: 'anthropic/x',
      input_usd_per_mtok: 1,
      output_usd_per_mtok: 1,
      cache_write_1h_usd_per_mtok: -1,
    });
    expect(put.status).toBe(400);
  });
});
