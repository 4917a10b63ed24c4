import type { ServerResponse } from 'node:http';
/**
 * The OpenAI-compatible gateway end to end: the official `openai` SDK against the real server,
 * which talks to a fake OpenAI-compatible upstream over real HTTP.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, startZai, type ApiClient, type Zai } from '../helpers/harness.js';
import {
  bodyOf,
  json,
  openAICompletion,
  openAIStreamEvents,
  sleep,
  startFakeServer,
  writeSse,
  type FakeServer,
  type RecordedRequest,
} from '../helpers/fake-upstream.js';

const CANARY = 'sk-canary-GATEWAY-9f8e7d6c5b4a3210';
let zai: Zai;
let fake: FakeServer;
let api: ApiClient;
let key: string;
let keyId: string;
let client: OpenAI;

type Behaviour = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;
const behaviours = new Map<string, Behaviour>();

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(async (req, res) => {
    if (req.path === '/v1/models') return json(res, 200, { object: 'list', data: [] });
    if (req.path === '/v1/embeddings') {
      const input = bodyOf(req).input as string[] | string;
      const n = Array.isArray(input) ? input.length : 1;
      const wantB64 = bodyOf(req).encoding_format === 'base64';
      const vec = [0.5, -0.25, 0.125];
      const enc = wantB64 ? Buffer.from(new Float32Array(vec).buffer).toString('base64') : vec;
      return json(res, 200, {
        object: 'list',
        model: 'text-embedding-3-small',
        data: Array.from({ length: n }, (_, i) => ({ object: 'embedding', index: i, embedding: enc })),
        usage: { prompt_tokens: 7, total_tokens: 7 },
      });
    }
    const model = String(bodyOf(req).model);
    const behaviour = behaviours.get(model);
    if (behaviour) return behaviour(req, res);
    if (bodyOf(req).stream === true) return writeSse(res, openAIStreamEvents(['Hel', 'lo', ' world']), 5);
    return json(res, 200, openAICompletion({ content: 'Hello from the fake.' }));
  });
  const account = await accountWithKey(zai, { baseUrl: `${fake.url}/v1`, apiKey: CANARY, key: { allowed_models: ['openai/*'] } });
  api = account.api;
  key = account.key;
  keyId = account.keyId;
  client = new OpenAI({ apiKey: key, baseURL: `${zai.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

describe('chat completions', () => {
  it('answers non-streaming in OpenAI shape with the full model string and Z-AI headers', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello from the fake.');
    expect(data.model).toBe('openai/gpt-4o-mini');
    expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(response.headers.get('x-zai-request-id')).toMatch(/^req_/);
    expect(response.headers.get('x-zai-model')).toBe('openai/gpt-4o-mini');
    // 12 prompt + 5 completion tokens of gpt-4o-mini at catalog prices: a fraction of a micro-USD,
    // shown rounded (exact costs are tested in spend-cap.test.ts with round custom prices).
    expect(response.headers.get('x-zai-cost-micro-usd')).toMatch(/^\d+$/);
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${CANARY}`);
    expect(bodyOf(sent)).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
  });

  it('streams: the SDK assembles the upstream text, chunks arrive before the upstream finishes, usage only when asked', async () => {
    let upstreamDone = 0;
    behaviours.set('slow-stream', async (_req, res) => {
      await writeSse(res, openAIStreamEvents(['one ', 'two ', 'three']), 150);
      upstreamDone = performance.now();
    });
    const stream = await client.chat.completions.create({
      model: 'openai/slow-stream',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
    });
    let text = '';
    let firstAt = 0;
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      if (firstAt === 0) firstAt = performance.now();
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('one two three');
    expect(firstAt).toBeLessThan(upstreamDone - 300);
    expect(chunks.every((c) => c.model === 'openai/slow-stream')).toBe(true);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    // The gateway always asks the upstream for usage so tokens are known.
    expect(bodyOf(fake.requests.at(-1)!).stream_options).toEqual({ include_usage: true });

    const withUsage = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const all: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of withUsage) all.push(chunk);
    expect(all.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } });
  });

  it('relays streamed tool calls with argument fragments', async () => {
    behaviours.set('tools', (_req, res) => {
      const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'tools' };
      const ev = (delta: unknown, finish: string | null = null) =>
        `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      return writeSse(res, [
        ev({
          role: 'assistant',
          content: null,
          tool_calls: [{ index: 0, id: 'call_Qm81', type: 'function', function: { name: 'get_weather', arguments: '' } }],
        }),
        ev({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
        ev({ tool_calls: [{ index: 0, function: { arguments: '"Lyon"}' } }] }),
        ev({}, 'tool_calls'),
        `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 } })}\n\n`,
        'data: [DONE]\n\n',
      ]);
    });
    const runner = client.chat.completions.stream({
      model: 'openai/tools',
      messages: [{ role: 'user', content: 'weather in Lyon?' }],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        },
      ],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      id: 'call_Qm81',
      function: { name: 'get_weather', arguments: '{"city":"Lyon"}' },
    });
  });

  it('passes image content parts through', async () => {
    await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
          ],
        },
      ],
    });
    expect(bodyOf(fake.requests.at(-1)!).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
        ],
      },
    ]);
  });
});

describe('embeddings and models', () => {
  it('returns embeddings as floats (the SDK asks for base64 and decodes) and as raw base64', async () => {
    const viaSdk = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: ['a', 'b'] });
    expect(viaSdk.data).toHaveLength(2);
    expect(viaSdk.data[0]?.embedding).toEqual([0.5, -0.25, 0.125]);
    expect(viaSdk.model).toBe('openai/text-embedding-3-small');
    const floats = await client.embeddings.create({
      model: 'openai/text-embedding-3-small',
      input: 'a',
      encoding_format: 'float',
    });
    expect(floats.data[0]?.embedding).toEqual([0.5, -0.25, 0.125]);
    const raw = await fetch(`${zai.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/text-embedding-3-small', input: 'a', encoding_format: 'base64' }),
    });
    const rawBody = (await raw.json()) as { data: Array<{ embedding: string }> };
    expect(typeof rawBody.data[0]?.embedding).toBe('string');
    const bytes = Buffer.from(rawBody.data[0]!.embedding, 'base64');
    expect(Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)))).toEqual([
      0.5, -0.25, 0.125,
    ]);
    await sleep(600);
    const usage = await api.get<{ data: Array<Record<string, unknown>> }>(
      `/api/usage?model=openai/text-embedding-3-small&limit=3`,
    );
    expect(usage.body.data.map((r) => r.endpoint)).toEqual(['embeddings', 'embeddings', 'embeddings']);
  });

  it('lists the models the key may call', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toContain('openai/gpt-4o-mini');
    expect(ids.every((id) => id.startsWith('openai/'))).toBe(true);
    const narrow = await api.post('/api/keys', { name: 'narrow', allowed_models: ['openai/gpt-4o-mini'] });
    const narrowClient = new OpenAI({ apiKey: String(narrow.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
    expect((await narrowClient.models.list()).data.map((m) => m.id)).toEqual(['openai/gpt-4o-mini']);
  });
});

describe('errors', () => {
  async function raw(
    path: string,
    init: RequestInit & { auth?: string | null } = {},
  ): Promise<{
    status: number;
    body: { error: { code: string | null; type: string; message: string; param: string | null } };
    headers: Headers;
  }> {
    const res = await fetch(`${zai.url}${path}`, {
      method: init.method ?? 'POST',
      headers: {
        ...(init.auth === null ? {} : { authorization: `Bearer ${init.auth ?? key}` }),
        'content-type': 'application/json',
      },
      body: init.body,
    });
    return { status: res.status, body: (await res.json()) as never, headers: res.headers };
  }
  const chat = (b: unknown, auth?: string | null) =>
    raw('/v1/chat/completions', { body: typeof b === 'string' ? b : JSON.stringify(b), auth });

  it('401 invalid_api_key for a missing, unknown or malformed key', async () => {
    for (const auth of [null, 'zai-unknownkey0000000000000000000000000000000000', 'sk-not-ours']) {
      const res = await chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, auth);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_api_key');
      expect(res.headers.get('x-zai-request-id')).toMatch(/^req_/);
    }
  });

  it('403 model_not_allowed outside the allow-list', async () => {
    const res = await chat({ model: 'groq/llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('model_not_allowed');
  });

  it('400 for malformed bodies, wrong types and unknown providers', async () => {
    expect((await chat('{"model": "openai/x", ')).status).toBe(400);
    const cases: unknown[] = [
      [],
      { messages: [{ role: 'user', content: 'x' }] },
      { model: 'openai/gpt-4o-mini' },
      { model: 'openai/gpt-4o-mini', messages: [] },
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'robot', content: 'x' }] },
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 5 }] },
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: 'yes' },
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], max_tokens: -3 },
      { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' },
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
    ];
    for (const c of cases) {
      const res = await chat(c);
      expect(res.status, JSON.stringify(c)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    const wide = await api.post('/api/keys', { name: 'wide' });
    const unknown = await chat(
      { model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] },
      String(wide.body.key),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('provider_not_configured');
  });

  it('413 request_too_large over the body limit', async () => {
    const res = await chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(11 * 1024 * 1024) }] });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('request_too_large');
  });

  it('passes upstream 4xx through with its status, scrubbed of the provider key', async () => {
    behaviours.set('echo-401', (req, res) =>
      json(res, 401, {
        error: {
          message: `Incorrect API key provided: ${String(req.headers.authorization).slice(7, 16)}***${CANARY.slice(-4)}. Also ${CANARY}`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
          param: null,
        },
      }),
    );
    const res = await chat({ model: 'openai/echo-401', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain('Incorrect API key provided');
    expect(JSON.stringify(res.body)).not.toContain(CANARY.slice(0, 12));
    expect(JSON.stringify(res.body)).not.toContain('canary');
    behaviours.set('bad-param', (_req, res) =>
      json(res, 400, {
        error: { message: "Unknown parameter: 'foo'", type: 'invalid_request_error', code: 'unknown_parameter', param: 'foo' },
      }),
    );
    const bad = await chat({ model: 'openai/bad-param', messages: [{ role: 'user', content: 'x' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'unknown_parameter', param: 'foo' });
    const sdkError = await client.chat.completions
      .create({ model: 'openai/bad-param', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(sdkError).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('502 upstream_unreachable and 504 upstream_timeout', async () => {
    const down = await accountWithKey(zai, { baseUrl: 'http://127.0.0.1:9/v1' });
    const res = await chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, down.key);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('upstream_unreachable');
  });

  it('a revoked key is refused at once', async () => {
    const extra = await api.post('/api/keys', { name: 'soon revoked' });
    const k = String(extra.body.key);
    expect((await chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, k)).status).toBe(200);
    expect((await api.delete(`/api/keys/${String(extra.body.id)}`)).status).toBe(204);
    const res = await chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, k);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_api_key');
  });

  it('a stream cut mid-way ends with an error the SDK raises, never a clean finish', async () => {
    behaviours.set('cut', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(openAIStreamEvents(['partial'])[0]!);
      res.write(openAIStreamEvents(['partial'])[1]!);
      setTimeout(() => res.destroy(), 50);
    });
    const stream = await client.chat.completions.create({
      model: 'openai/cut',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text).toBe('partial');
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/lost|complete/);
  });
});

describe('client disconnect', () => {
  it('aborts the upstream request within 100 ms of the client leaving', async () => {
    let upstreamReq: RecordedRequest | undefined;
    behaviours.set('endless', async (req, res) => {
      upstreamReq = req;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const events = openAIStreamEvents(['tick ']);
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        res.write(events[1]!);
        await sleep(20);
      }
      res.end();
    });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'openai/endless', messages: [{ role: 'user', content: 'x' }], stream: true },
      { signal: controller.signal },
    );
    let n = 0;
    let abortedAt = 0;
    await (async () => {
      for await (const _chunk of stream) {
        if (++n === 3) {
          abortedAt = performance.now();
          controller.abort();
        }
      }
    })().catch(() => undefined);
    expect(upstreamReq).toBeDefined();
    const closedAt = await upstreamReq!.closed;
    expect(closedAt - abortedAt).toBeLessThan(100);
  });
});

describe('usage', () => {
  it('records a row for every request, with tokens, latency and no content', async () => {
    await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'SECRET-PROMPT-TEXT-42' }],
    });
    await sleep(600);
    const page = await api.get<{
      data: Array<Record<string, unknown>>;
      totals: Record<string, number>;
      next_cursor: string | null;
    }>(`/api/usage?key_id=${keyId}&limit=5`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('SECRET-PROMPT-TEXT-42');
    expect(page.text).not.toContain('Hello from the fake');
    const row = page.body.data[0]!;
    expect(row).toMatchObject({
      key_id: keyId,
      model_requested: 'openai/gpt-4o-mini',
      model_served: 'openai/gpt-4o-mini',
      provider: 'openai',
      status: 200,
      prompt_tokens: 12,
      completion_tokens: 5,
      stream: false,
      attempts: 1,
      endpoint: 'chat.completions',
    });
    expect(Object.keys(row).sort()).toEqual([
      'attempts',
      'cache_read_tokens',
      'cache_write_tokens',
      'cached_tokens',
      'completion_tokens',
      'cost_micro_usd',
      'cost_nano_usd',
      'created_at',
      'endpoint',
      'error_code',
      'error_message',
      'id',
      'key_id',
      'latency_ms',
      'model_requested',
      'model_served',
      'pool_key_id',
      'prompt_tokens',
      'provider',
      'reasoning_tokens',
      'status',
      'stream',
      'ttft_ms',
      'unpriced',
    ]);
    expect(page.body.totals.requests).toBeGreaterThanOrEqual(10);
    expect(page.body.next_cursor).toEqual(expect.any(String));
    const next = await api.get<{ data: Array<{ id: string }> }>(
      `/api/usage?key_id=${keyId}&limit=5&cursor=${page.body.next_cursor}`,
    );
    expect(next.body.data.map((r) => r.id)).not.toContain(row.id);
    const errors = await api.get<{ data: Array<Record<string, unknown>> }>(`/api/usage?model=openai/bad-param&limit=50`);
    expect(errors.body.data[0]).toMatchObject({ status: 400, error_code: 'unknown_parameter' });
    const streamed = await api.get<{ data: Array<Record<string, unknown>> }>(`/api/usage?model=openai/slow-stream`);
    expect(streamed.body.data[0]).toMatchObject({
      stream: true,
      status: 200,
      prompt_tokens: 12,
      completion_tokens: 5,
      ttft_ms: expect.any(Number),
    });
    const cut = await api.get<{ data: Array<Record<string, unknown>> }>(`/api/usage?model=openai/cut`);
    expect(cut.body.data[0]).toMatchObject({ status: 502, error_code: 'upstream_error' });
    const gone = await api.get<{ data: Array<Record<string, unknown>> }>(`/api/usage?model=openai/endless`);
    expect(gone.body.data[0]).toMatchObject({ status: 499, error_code: 'client_closed_request' });
  });

  it('the canary provider key never appears in any log line', () => {
    expect(zai.logs().length).toBeGreaterThan(0);
    expect(zai.logs()).not.toContain(CANARY);
    expect(zai.logs()).not.toContain(CANARY.slice(3, 20));
  });
});
