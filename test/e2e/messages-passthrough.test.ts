/**
 * The Anthropic Messages ingress on an Anthropic key: requests pass through natively. The official
 * `@anthropic-ai/sdk` talks to the real Z-AI server, which talks to a fake Anthropic speaking the
 * real Messages protocol (x-api-key + anthropic-version, named SSE events split across writes,
 * thinking blocks with signatures, running-total usage, error bodies and statuses including 529).
 */
import type http from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicError, anthropicSse, grammarErrors, readEvents, type Json } from '../helpers/anthropic-wire.js';
import { accountWithKey, type ApiClient, startZai, type Zai } from '../helpers/harness.js';
import {
  bodyOf,
  json,
  openAICompletion,
  sleep,
  startFakeServer,
  writeFrames,
  type FakeServer,
  type RecordedRequest,
} from '../helpers/fake-upstream.js';

const ANTHROPIC_KEY = 'sk-ant-api03-canaryPASS-0123456789abcdefghijklmnop';
const MODEL = 'anthropic/claude-sonnet-4-5';

let zai: Zai;
let fake: FakeServer;
let openai: FakeServer;
let api: ApiClient;
let key: string;
let client: Anthropic;

type Behaviour = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;
/** Per upstream model id: how the fake Anthropic answers `POST /v1/messages`. */
const behaviours = new Map<string, Behaviour>();

function lastCall(path = '/v1/messages'): RecordedRequest {
  const found = fake.requests.filter((r) => r.path === path).at(-1);
  if (found === undefined) throw new Error(`the fake never received ${path}`);
  return found;
}

/** A Message as Anthropic answers it, with fields newer than the ingress knows. */
const UPSTREAM_MESSAGE = {
  id: 'msg_01PassThrough',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'thinking', thinking: 'Let me think.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxmUS+1' },
    { type: 'text', text: 'Hello from Claude.', citations: null },
  ],
  stop_reason: 'end_turn',
  stop_sequence: null,
  stop_details: null,
  container: null,
  usage: {
    input_tokens: 12,
    output_tokens: 30,
    cache_creation_input_tokens: 100,
    cache_read_input_tokens: 2000,
    cache_creation: { ephemeral_5m_input_tokens: 60, ephemeral_1h_input_tokens: 40 },
    service_tier: 'standard',
  },
};

const messageStart = (usage: Json) => ({
  type: 'message_start',
  message: { ...UPSTREAM_MESSAGE, content: [], stop_reason: null, usage },
});

/** A stream with a thinking block (and its signature), text and a tool call, with pings and CRLF. */
const STREAM_FRAMES = [
  anthropicSse(
    messageStart({ input_tokens: 12, output_tokens: 1, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000 }),
  ),
  anthropicSse({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
  anthropicSse({ type: 'ping' }),
  anthropicSse({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Weather needs a tool.' } }),
  anthropicSse({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIMsig==' } }),
  anthropicSse({ type: 'content_block_stop', index: 0 }),
  anthropicSse({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }, '\r\n'),
  anthropicSse({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Checking Lyon.' } }, '\r\n'),
  anthropicSse({ type: 'content_block_stop', index: 1 }),
  anthropicSse({
    type: 'content_block_start',
    index: 2,
    content_block: { type: 'tool_use', id: 'toolu_01Pz', name: 'get_weather', input: {} },
  }),
  anthropicSse({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": "Ly' } }),
  anthropicSse({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: 'on"}' } }),
  anthropicSse({ type: 'content_block_stop', index: 2 }),
  anthropicSse({
    type: 'message_delta',
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { input_tokens: 12, output_tokens: 61, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000 },
  }),
  anthropicSse({ type: 'message_stop' }),
];

/** A request with everything a translator would lose: signed thinking, cache_control, documents, betas, a mid-list system message. */
function richRequest(model: string, stream: boolean): Json {
  return {
    model,
    max_tokens: 1024,
    stream,
    system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
    thinking: { type: 'enabled', budget_tokens: 1024 },
    context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    metadata: { user_id: 'u-1' },
    tools: [
      {
        name: 'get_weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
        cache_control: { type: 'ephemeral' },
      },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 2 },
    ],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Lyon?', cache_control: { type: 'ephemeral' } }] },
      { role: 'system', content: 'Mid-conversation instructions.' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Earlier reasoning.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxmUS+1/sig==' },
          { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Lyon' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01A', content: '18°C', cache_control: { type: 'ephemeral' } },
          {
            type: 'document',
            source: { type: 'text', media_type: 'text/plain', data: 'Forecast.' },
            citations: { enabled: true },
          },
        ],
      },
    ],
  };
}

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(async (req, res) => {
    if (req.headers['x-api-key'] !== ANTHROPIC_KEY) return anthropicError(res, 401, 'authentication_error', 'invalid x-api-key');
    if (req.headers['anthropic-version'] !== '2023-06-01')
      return anthropicError(res, 400, 'invalid_request_error', 'anthropic-version required');
    if (req.path === '/v1/messages/count_tokens') return json(res, 200, { input_tokens: 2095 });
    if (req.path !== '/v1/messages') return anthropicError(res, 404, 'not_found_error', `Not found: ${req.path}`);
    const behaviour = behaviours.get(String(bodyOf(req).model));
    if (behaviour) return behaviour(req, res);
    if (bodyOf(req).stream === true) {
      return writeFrames(res, STREAM_FRAMES, {
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': 'req_011S' },
      });
    }
    return json(res, 200, UPSTREAM_MESSAGE, { 'request-id': 'req_011J' });
  });
  openai = await startFakeServer((_req, res) => json(res, 200, openAICompletion({ content: 'Hello from the fallback.' })));
  const account = await accountWithKey(zai, {
    provider: 'anthropic',
    apiKey: ANTHROPIC_KEY,
    baseUrl: fake.url,
    key: { fallback_model: 'openai/gpt-4o-mini' },
  });
  api = account.api;
  key = account.key;
  await api.post('/api/providers', { provider: 'openai', api_key: 'sk-fallback-0123456789abcdef', base_url: `${openai.url}/v1` });
  client = new Anthropic({ apiKey: key, baseURL: zai.url, maxRetries: 0 });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
  await openai.close();
});

describe('passthrough', () => {
  it('sends the body unchanged apart from model, forwards anthropic-beta, and answers Anthropic’s body unchanged apart from model', async () => {
    const request = richRequest('claude-sonnet-4-5', false);
    const res = await fetch(`${zai.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'interleaved-thinking-2025-05-14,context-management-2025-06-27',
      },
      body: JSON.stringify(request),
    });
    expect(res.status).toBe(200);
    // A model without a provider prefix means anthropic/<model>.
    expect(res.headers.get('x-zai-model')).toBe(MODEL);
    expect(await res.json()).toEqual({ ...UPSTREAM_MESSAGE, model: MODEL });

    const sent = lastCall();
    expect(sent.body).toBe(JSON.stringify(request));
    expect(sent.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(sent.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14,context-management-2025-06-27');
    expect(sent.headers.authorization).toBeUndefined();
  });

  it('sends the client’s own text, edited at model alone: its layout survives', async () => {
    const request = richRequest(MODEL, false);
    const text = JSON.stringify(request, null, 2);
    const res = await fetch(`${zai.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      body: text,
    });
    expect(res.status).toBe(200);
    const sent = lastCall();
    expect(JSON.parse(sent.body)).toEqual({ ...request, model: 'claude-sonnet-4-5' });
    // Serialised again it would have no line breaks; edited, the messages keep the client's.
    expect(sent.body).toContain('"messages": [\n');
    // JSON.parse keeps the last of two models: the text is not used, the request is serialised with that one.
    const twice = await fetch(`${zai.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      body: `{"model":"anthropic/claude-opus-4-1",${JSON.stringify(request).slice(1)}`,
    });
    expect(twice.status).toBe(200);
    expect(lastCall().body).toBe(JSON.stringify({ ...request, model: 'claude-sonnet-4-5' }));
  });

  it('streams Anthropic’s events unchanged apart from model, thinking signature included', async () => {
    const request = richRequest(MODEL, true);
    const res = await fetch(`${zai.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(request),
    });
    expect(res.status).toBe(200);
    const received = readEvents(await res.text());
    const expected = readEvents(STREAM_FRAMES.join(''));
    ((expected[0]?.data.message as Json) ?? {}).model = MODEL;
    expect(received).toEqual(expected);
    expect(grammarErrors(received)).toEqual([]);
    expect(bodyOf(lastCall())).toEqual({ ...request, model: 'claude-sonnet-4-5' });
  });

  it('gives the SDK the final message with the signature, the tool input and the running-total usage', async () => {
    const message = await client.messages
      .stream({ model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: 'Weather in Lyon?' }] })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Weather needs a tool.', signature: 'EqQBCgIYAhIMsig==' },
      { type: 'text', text: 'Checking Lyon.' },
      { type: 'tool_use', id: 'toolu_01Pz', name: 'get_weather', input: { city: 'Lyon' } },
    ]);
    expect(message.model).toBe(MODEL);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 61, cache_read_input_tokens: 2000 });
  });

  it('bills from message_start and message_delta: cache writes and reads are prompt tokens, reads at the cached price', async () => {
    await client.messages
      .stream({ model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: 'Usage?' }] })
      .finalMessage();
    await sleep(1200);
    const page = await api.get<{ data: Json[] }>(`/api/usage?model=${encodeURIComponent(MODEL)}&limit=1`);
    // claude-sonnet-4-5: $3 input, $15 output, $0.30 cached input, $3.75 5-minute cache writes per
    // million tokens; without Anthropic's split by duration every write is a 5-minute one.
    expect(page.body.data[0]).toMatchObject({
      endpoint: 'messages',
      stream: true,
      prompt_tokens: 12 + 100 + 2000,
      cached_tokens: 2000,
      completion_tokens: 61,
      cache_write_tokens: 100,
      cost_micro_usd: Math.round(12 * 3 + 100 * 3.75 + 2000 * 0.3 + 61 * 15),
    });
  });

  it('counts tokens with Anthropic’s own endpoint', async () => {
    const counted = await client.messages.countTokens({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(counted).toEqual({ input_tokens: 2095 });
    expect(bodyOf(lastCall('/v1/messages/count_tokens'))).toEqual({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Hi' }],
    });
  });
});

describe('errors, fallbacks and aborts', () => {
  const ask = (model: string) => client.messages.create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });

  it('passes Anthropic’s refusal of a request through with its message and class', async () => {
    behaviours.set('bad-request', (_req, res) =>
      anthropicError(res, 400, 'invalid_request_error', 'messages.0: thinking signature invalid'),
    );
    const err = await ask('anthropic/bad-request').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      error: { type: 'invalid_request_error', message: 'messages.0: thinking signature invalid' },
    });
  });

  it('answers 529 overloaded_error when Anthropic is overloaded and no fallback can serve', async () => {
    behaviours.set('overloaded', (_req, res) => anthropicError(res, 529, 'overloaded_error', 'Overloaded'));
    const created = await api.post('/api/keys', { name: 'no fallback' });
    const plain = new Anthropic({ apiKey: String(created.body.key), baseURL: zai.url, maxRetries: 0 });
    const err = await plain.messages
      .create({ model: 'anthropic/overloaded', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.OverloadedError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
  });

  it('falls back to a translated model when Anthropic is overloaded, answering in the same API', async () => {
    const message = await ask('anthropic/overloaded');
    expect(message.model).toBe('openai/gpt-4o-mini');
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the fallback.' }]);
  });

  it('relays an error event after the first byte; the SDK throws on it', async () => {
    behaviours.set('dies-midway', (_req, res) =>
      writeFrames(res, [
        STREAM_FRAMES[0] as string,
        anthropicSse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
        anthropicSse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Part' } }),
        anthropicSse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      ]),
    );
    const err = await client.messages
      .stream({ model: 'anthropic/dies-midway', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error' },
    });
  });

  it('aborts the Anthropic request when the client goes away', async () => {
    let upstreamReq: RecordedRequest | undefined;
    behaviours.set('endless', async (req, res) => {
      upstreamReq = req;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(STREAM_FRAMES[0] as string);
      res.write(anthropicSse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        res.write(anthropicSse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'tick ' } }));
        await sleep(20);
      }
      res.end();
    });
    const stream = client.messages.stream({
      model: 'anthropic/endless',
      max_tokens: 5000,
      messages: [{ role: 'user', content: 'x' }],
    });
    let abortedAt = 0;
    let ticks = 0;
    stream.on('text', () => {
      if (++ticks === 3) {
        abortedAt = performance.now();
        stream.abort();
      }
    });
    await stream.done().catch(() => undefined);
    expect(upstreamReq).toBeDefined();
    const closedAt = await upstreamReq!.closed;
    expect(closedAt - abortedAt).toBeLessThan(100);
  });

  it('reserves a capped key’s worst case from max_tokens: 402 when the cap cannot cover it, served and charged when it can', async () => {
    const tight = await api.post('/api/keys', { name: 'tight', spend_cap_micro_usd: 1000 });
    const tightClient = new Anthropic({ apiKey: String(tight.body.key), baseURL: zai.url, maxRetries: 0 });
    // 1,000 output tokens at $15 per million is 15,000 micro-USD, over the 1,000 cap.
    const err = await tightClient.messages
      .create({ model: MODEL, max_tokens: 1000, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.PaymentRequiredError);

    const roomy = await api.post('/api/keys', { name: 'roomy', spend_cap_micro_usd: 1_000_000 });
    const roomyClient = new Anthropic({ apiKey: String(roomy.body.key), baseURL: zai.url, maxRetries: 0 });
    await roomyClient.messages.create({ model: MODEL, max_tokens: 1000, messages: [{ role: 'user', content: 'Hi' }] });
    await sleep(1200);
    const keys = await api.get<{ data: Json[] }>('/api/keys');
    const spent = keys.body.data.find((k) => k.id === roomy.body.id)?.spent_micro_usd;
    // 60 tokens written for 5 minutes ($3.75/M) and 40 for an hour ($6/M).
    expect(spent).toBe(Math.round(12 * 3 + 60 * 3.75 + 40 * 6 + 2000 * 0.3 + 30 * 15));
  });
});
