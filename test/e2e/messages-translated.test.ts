/**
 * The Anthropic Messages ingress on an OpenAI-compatible provider, end to end: the official
 * `@anthropic-ai/sdk` against the real Z-AI server, which translates to a fake OpenAI upstream
 * speaking the real Chat Completions protocol (SSE chunks, usage after the finish reason, tool-call
 * fragments, OpenAI error bodies).
 */
import type http from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grammarErrors, readEvents, type Json } from '../helpers/anthropic-wire.js';
import { accountWithKey, type ApiClient, startZai, type Zai } from '../helpers/harness.js';
import {
  json,
  openAICompletion,
  openAIStreamEvents,
  sleep,
  startFakeServer,
  writeSse,
  type FakeServer,
  type RecordedRequest,
} from '../helpers/fake-upstream.js';

let zai: Zai;
let fake: FakeServer;
let api: ApiClient;
let key: string;
let client: Anthropic;

type Behaviour = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;
/** Per upstream model id: how the fake answers `POST /v1/chat/completions`. */
const behaviours = new Map<string, Behaviour>();

const MODEL = 'openai/gpt-4o-mini';

function body(req: RecordedRequest): Json {
  return req.json as Json;
}

function lastCall(model: string): RecordedRequest {
  const found = fake.requests.filter((r) => r.path === '/v1/chat/completions' && body(r).model === model).at(-1);
  if (found === undefined) throw new Error(`the fake never received a request for ${model}`);
  return found;
}

const base = { id: 'chatcmpl-t1', object: 'chat.completion.chunk', created: 1767225600, model: 'gpt-4o-mini' };
function chunk(delta: Json, finish: string | null = null, extra: Json = {}): string {
  return `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
}
function usageChunk(prompt: number, completion: number, cached = 0): string {
  return `data: ${JSON.stringify({
    ...base,
    choices: [],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: cached },
    },
  })}\n\n`;
}
const DONE = 'data: [DONE]\n\n';

function toolCallCompletion(calls: Array<{ id: string; name: string; arguments: string }>): Json {
  return {
    id: 'chatcmpl-tools',
    object: 'chat.completion',
    created: 1767225600,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
        },
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
  };
}

beforeAll(async () => {
  zai = await startZai({ ZAI_MAX_BODY_BYTES: String(256 * 1024) });
  fake = await startFakeServer(async (req, res) => {
    const behaviour = behaviours.get(String(body(req)?.model));
    if (behaviour) return behaviour(req, res);
    if (body(req)?.stream)
      return writeSse(res, openAIStreamEvents(['Hello', ' there.'], { prompt_tokens: 30, completion_tokens: 4 }));
    return json(res, 200, openAICompletion({ content: 'Hello from GPT.', usage: { prompt_tokens: 30, completion_tokens: 4 } }));
  });
  const account = await accountWithKey(zai, { baseUrl: `${fake.url}/v1`, key: { allowed_models: ['openai/*'] } });
  api = account.api;
  key = account.key;
  client = new Anthropic({ apiKey: key, baseURL: zai.url, maxRetries: 0 });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

describe('text', () => {
  it('answers a Message and sends OpenAI a chat request with the system prompt first and max_tokens clamped to the model', async () => {
    const { data, response } = await client.messages
      .create({
        model: MODEL,
        // Above gpt-4o-mini's limit; the SDK itself refuses non-streaming requests above ~21,000.
        max_tokens: 20000,
        system: [
          { type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Answer in English.' },
        ],
        messages: [{ role: 'user', content: 'Say hello' }],
        temperature: 0.3,
        stop_sequences: ['###'],
      })
      .withResponse();
    expect(data).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{ type: 'text', text: 'Hello from GPT.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 30, output_tokens: 4, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect(response.headers.get('x-zai-model')).toBe(MODEL);
    expect(response.headers.get('x-zai-request-id')).toMatch(/^req_/);
    expect(response.headers.get('request-id')).toBe(response.headers.get('x-zai-request-id'));
    // gpt-4o-mini answers at most 16,384 tokens (catalog).
    expect(response.headers.get('x-zai-max-tokens')).toBe('16384');
    expect(response.headers.get('x-zai-warnings')).toBe('max_tokens');
    expect(Number(response.headers.get('x-zai-cost-micro-usd'))).toBeGreaterThan(0);

    const sent = lastCall('gpt-4o-mini');
    expect(sent.headers.authorization).toBe('Bearer sk-test-0123456789abcdefghij');
    expect(body(sent)).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.\n\nAnswer in English.' },
        { role: 'user', content: 'Say hello' },
      ],
      stop: ['###'],
      temperature: 0.3,
      max_completion_tokens: 16384,
    });
  });

  it('streams in Anthropic’s exact event grammar, with the usage that came after the finish reason in message_delta', async () => {
    behaviours.set('stream-usage-late', (_req, res) =>
      writeSse(
        res,
        [
          chunk({ role: 'assistant', content: '' }),
          chunk({ content: 'Paris ' }),
          chunk({ content: 'is cloudy.' }, 'stop'),
          usageChunk(120, 7, 100),
          DONE,
        ],
        5,
      ),
    );
    const stream = client.messages.stream({
      model: 'openai/stream-usage-late',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();
    expect(texts.join('')).toBe('Paris is cloudy.');
    expect(message.content).toEqual([{ type: 'text', text: 'Paris is cloudy.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.model).toBe('openai/stream-usage-late');
    expect(message.usage).toMatchObject({ input_tokens: 20, output_tokens: 7, cache_read_input_tokens: 100 });
    expect(body(lastCall('stream-usage-late'))).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('writes the raw events in order: message_start with an input estimate, one text block, message_delta, message_stop', async () => {
    const res = await fetch(`${zai.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: MODEL, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Say hello' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = readEvents(await res.text());
    expect(grammarErrors(events)).toEqual([]);
    expect(events.map((e) => e.data.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const start = events[0]?.data.message as Json;
    expect(start.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: 0 });
    expect((start.usage as Json).input_tokens).toBeGreaterThan(0);
    expect(events[5]?.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 30, output_tokens: 4, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('keeps content that arrives in the same chunk as the finish reason', async () => {
    behaviours.set('content-with-finish', (_req, res) =>
      writeSse(res, [chunk({ role: 'assistant', content: 'All in one.' }, 'length'), usageChunk(5, 3), DONE]),
    );
    const message = await client.messages
      .stream({ model: 'openai/content-with-finish', max_tokens: 3, messages: [{ role: 'user', content: 'Go' }] })
      .finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'All in one.' }]);
    expect(message.stop_reason).toBe('max_tokens');
  });
});

describe('tools', () => {
  const weatherTool = {
    name: 'get_weather',
    description: 'Current weather for a city',
    input_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object' as const,
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
    cache_control: { type: 'ephemeral' as const },
  };

  it('round-trips a tool call: tool_use out, tool_result back as a tool message with the same id', async () => {
    behaviours.set('tools-json', (req, res) => {
      const messages = body(req).messages as Json[];
      if (messages.some((m) => m.role === 'tool')) return json(res, 200, openAICompletion({ content: 'It is 18°C in Lyon.' }));
      return json(res, 200, toolCallCompletion([{ id: 'call_Qm81', name: 'get_weather', arguments: '{"city":"Lyon"}' }]));
    });
    const first = await client.messages.create({
      model: 'openai/tools-json',
      max_tokens: 200,
      tools: [weatherTool],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [{ role: 'user', content: 'Weather in Lyon?' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([{ type: 'tool_use', id: 'call_Qm81', name: 'get_weather', input: { city: 'Lyon' } }]);
    expect(body(lastCall('tools-json'))).toMatchObject({
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather for a city',
            // $schema and cache_control are Anthropic's business; the schema itself is kept.
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });

    const second = await client.messages.create({
      model: 'openai/tools-json',
      max_tokens: 200,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Lyon?' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_Qm81', content: [{ type: 'text', text: '{"temp_c":18}' }] },
            { type: 'text', text: 'Answer briefly.' },
          ],
        },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'It is 18°C in Lyon.' }]);
    expect((body(lastCall('tools-json')).messages as Json[]).slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_Qm81', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_Qm81', content: '{"temp_c":18}' },
      { role: 'user', content: 'Answer briefly.' },
    ]);
  });

  it('streams text then parallel tool calls as blocks in index order, never interleaved, even when OpenAI interleaves their fragments', async () => {
    const call = (index: number, extra: Json) => chunk({ tool_calls: [{ index, ...extra }] });
    behaviours.set('tools-stream', (_req, res) =>
      writeSse(
        res,
        [
          chunk({ role: 'assistant', content: 'Checking both.' }),
          call(0, { id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '' } }),
          call(0, { function: { arguments: '{"city":' } }),
          call(1, { id: 'call_B', type: 'function', function: { name: 'get_weather', arguments: '{"ci' } }),
          call(0, { function: { arguments: '"Lyon"}' } }),
          call(1, { function: { arguments: 'ty":"Nice"}' } }),
          chunk({}, 'tool_calls'),
          usageChunk(50, 20),
          DONE,
        ],
        3,
      ),
    );
    const res = await fetch(`${zai.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({
        model: 'openai/tools-stream',
        max_tokens: 200,
        stream: true,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Lyon and Nice?' }],
      }),
    });
    const events = readEvents(await res.text());
    expect(grammarErrors(events)).toEqual([]);

    const message = await client.messages
      .stream({
        model: 'openai/tools-stream',
        max_tokens: 200,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Lyon and Nice?' }],
      })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', id: 'call_A', name: 'get_weather', input: { city: 'Lyon' } },
      { type: 'tool_use', id: 'call_B', name: 'get_weather', input: { city: 'Nice' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('drops server tools with a warning and, with no client tool left, sends no tool_choice', async () => {
    const { response } = await client.messages
      .create({
        model: MODEL,
        max_tokens: 100,
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
        tool_choice: { type: 'auto' },
        messages: [{ role: 'user', content: 'News?' }],
      })
      .withResponse();
    expect(response.headers.get('x-zai-warnings')).toBe('tools.web_search_20250305');
    const sent = body(lastCall('gpt-4o-mini'));
    expect(sent.tools).toBeUndefined();
    expect(sent.tool_choice).toBeUndefined();
  });
});

describe('content', () => {
  const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

  it('sends base64 and URL images as image_url parts, and images a tool returned in the user turn after the tool message', async () => {
    await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'screenshot', input: {} }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_01',
              content: [
                { type: 'text', text: 'Screen captured.' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
              ],
            },
          ],
        },
      ],
    });
    expect(body(lastCall('gpt-4o-mini')).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'screenshot', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_01', content: 'Screen captured.' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
    ]);
  });

  it('streams reasoning as a thinking block before the text, and drops thinking sent back in the history', async () => {
    behaviours.set('reasoner', (_req, res) =>
      writeSse(res, [
        chunk({ role: 'assistant', content: '' }),
        chunk({ reasoning_content: 'The user wants ' }),
        chunk({ reasoning_content: 'a number.' }),
        chunk({ content: '42' }, 'stop'),
        usageChunk(10, 30),
        DONE,
      ]),
    );
    const message = await client.messages
      .stream({
        model: 'openai/reasoner',
        max_tokens: 1000,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [
          { role: 'user', content: 'Pick a number.' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Earlier thoughts.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxmU' },
              { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT' },
              { type: 'text', text: 'Seven.' },
            ],
          },
          { role: 'user', content: 'Another.' },
        ],
      })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'The user wants a number.', signature: '' },
      { type: 'text', text: '42' },
    ]);
    expect(body(lastCall('reasoner')).messages).toEqual([
      { role: 'user', content: 'Pick a number.' },
      { role: 'assistant', content: 'Seven.' },
      { role: 'user', content: 'Another.' },
    ]);
  });

  it('takes what Claude Code sends: system messages inside the list, beta flags, metadata, adaptive thinking, effort, deferred tools', async () => {
    const res = await fetch(`${zai.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${key}`,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,effort-2025-11-24',
      },
      body: JSON.stringify({
        model: MODEL,
        max_tokens: 32000,
        stream: true,
        metadata: { user_id: '{"device_id":"abc","session_id":"s1"}' },
        thinking: { type: 'adaptive', display: 'omitted' },
        context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
        output_config: { effort: 'high' },
        system: [
          { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.332;' },
          { type: 'text', text: 'You are a Claude agent.', cache_control: { type: 'ephemeral' } },
        ],
        tools: [
          {
            name: 'Read',
            description: 'Read a file',
            input_schema: { type: 'object', properties: { path: { type: 'string' } } },
          },
          {
            name: 'DeferredToolPlaceholder',
            description: 'never call this tool',
            input_schema: { type: 'object', properties: {} },
            defer_loading: true,
          },
        ],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'What is 2+2?', cache_control: { type: 'ephemeral' } }] },
          {
            role: 'system',
            content: [{ type: 'text', text: '# Environment\nPlatform: linux', cache_control: { type: 'ephemeral' } }],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    expect(grammarErrors(readEvents(await res.text()))).toEqual([]);
    expect(res.headers.get('x-zai-warnings')?.split(', ').sort()).toEqual(
      ['anthropic-beta', 'context_management', 'max_tokens', 'metadata', 'output_config.effort', 'thinking'].sort(),
    );
    const sent = body(lastCall('gpt-4o-mini'));
    expect(sent.messages).toEqual([
      { role: 'system', content: 'x-anthropic-billing-header: cc_version=2.1.332;\n\nYou are a Claude agent.' },
      { role: 'user', content: 'What is 2+2?' },
      { role: 'system', content: '# Environment\nPlatform: linux' },
    ]);
    expect((sent.tools as Json[]).map((t) => (t.function as Json).name)).toEqual(['Read', 'DeferredToolPlaceholder']);
    // gpt-4o-mini takes no reasoning_effort: sending it would fail the request.
    expect(sent.reasoning_effort).toBeUndefined();
    expect(sent.max_completion_tokens).toBe(16384);
  });

  it('maps thinking effort to reasoning_effort for a reasoning model', async () => {
    await client.messages.create({
      model: 'openai/gpt-5.4-mini',
      max_tokens: 1000,
      thinking: { type: 'adaptive' },
      output_config: { effort: 'max' },
      messages: [{ role: 'user', content: 'Prove it.' }],
    });
    expect(body(lastCall('gpt-5.4-mini')).reasoning_effort).toBe('high');
  });

  it('answers count_tokens with an estimate in Anthropic’s shape', async () => {
    const small = await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] });
    const large = await client.messages.countTokens({
      model: MODEL,
      system: 'x'.repeat(4000),
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(small.input_tokens).toBeGreaterThan(0);
    expect(large.input_tokens - small.input_tokens).toBe(1000);
    expect(fake.requests.some((r) => r.path.includes('count_tokens'))).toBe(false);
  });
});

describe('errors in Anthropic’s shape, raised by the SDK as its matching classes', () => {
  function upstreamError(status: number, type: string, headers: Record<string, string> = {}): Behaviour {
    return (_req, res) =>
      json(res, status, { error: { message: `upstream says ${status}`, type, param: null, code: null } }, headers);
  }

  async function thrown(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
    try {
      await promise;
    } catch (err) {
      if (err instanceof Anthropic.APIError) return err;
      throw err;
    }
    throw new Error('expected the SDK to throw');
  }

  const ask = (model: string, extra: Json = {}) =>
    client.messages.create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }], ...extra });

  it('400 invalid_request_error for a malformed body, with the request id in body and header', async () => {
    const err = await thrown(client.messages.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] } as never));
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.status).toBe(400);
    expect(err.error).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required.' },
      request_id: err.requestID,
    });
    expect(err.requestID).toMatch(/^req_/);
  });

  it('400 for a body that is not JSON, in the same shape', async () => {
    const res = await fetch(`${zai.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: '{"model":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('401 authentication_error for a wrong key and for none', async () => {
    const wrong = new Anthropic({ apiKey: 'zai-not-a-real-key', baseURL: zai.url, maxRetries: 0 });
    const err = await thrown(wrong.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] }));
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err.error).toMatchObject({ error: { type: 'authentication_error' } });
    const none = await fetch(`${zai.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      error: { type: 'authentication_error', message: expect.stringContaining('x-api-key') },
    });
  });

  it('402 billing_error for a key whose spend cap cannot cover the request', async () => {
    const capped = await api.post('/api/keys', { name: 'capped', spend_cap_micro_usd: 1 });
    const cappedClient = new Anthropic({ apiKey: String(capped.body.key), baseURL: zai.url, maxRetries: 0 });
    const err = await thrown(
      cappedClient.messages.create({ model: MODEL, max_tokens: 1000, messages: [{ role: 'user', content: 'Hi' }] }),
    );
    expect(err).toBeInstanceOf(Anthropic.PaymentRequiredError);
    expect(err.error).toMatchObject({ error: { type: 'billing_error', message: expect.stringContaining('spend cap') } });
  });

  it('403 permission_error for a model outside the allow-list', async () => {
    const err = await thrown(ask('gemini/gemini-2.5-flash'));
    expect(err).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(err.error).toMatchObject({ error: { type: 'permission_error' } });
  });

  it('404 not_found_error for a model the provider does not have, and for an unknown route', async () => {
    behaviours.set('no-such-model', upstreamError(404, 'invalid_request_error'));
    const err = await thrown(ask('openai/no-such-model'));
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.error).toMatchObject({ error: { type: 'not_found_error', message: 'upstream says 404' } });
    const route = await fetch(`${zai.url}/v1/messages/nope`, { method: 'POST', headers: { 'x-api-key': key } });
    expect(route.status).toBe(404);
    expect(await route.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('413 request_too_large for a body over the limit', async () => {
    const err = await thrown(ask(MODEL, { system: 'x'.repeat(300 * 1024) }));
    expect(err).toBeInstanceOf(Anthropic.ContentTooLargeError);
    expect(err.error).toMatchObject({ error: { type: 'request_too_large' } });
  });

  it('429 rate_limit_error with the provider’s retry-after', async () => {
    behaviours.set('limited', upstreamError(429, 'rate_limit_error', { 'retry-after': '7' }));
    const err = await thrown(ask('openai/limited'));
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.headers?.get('retry-after')).toBe('7');
    expect(err.error).toMatchObject({ error: { type: 'rate_limit_error' } });
  });

  it('5xx api_error when the provider fails', async () => {
    behaviours.set('broken', upstreamError(500, 'server_error'));
    const broken = await thrown(ask('openai/broken'));
    expect(broken).toBeInstanceOf(Anthropic.InternalServerError);
    expect(broken.status).toBe(502);
    expect(broken.error).toMatchObject({ error: { type: 'api_error' } });
  });

  it('an error after the first byte is an error event the SDK throws on, never a clean finish', async () => {
    behaviours.set('dies-midway', (_req, res) =>
      writeSse(res, [
        chunk({ role: 'assistant', content: 'Partial' }),
        `data: ${JSON.stringify({ error: { message: 'The server had an error', type: 'server_error' } })}\n\n`,
      ]),
    );
    const stream = client.messages.stream({
      model: 'openai/dies-midway',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const err = await thrown(stream.finalMessage());
    expect(err.error).toMatchObject({
      type: 'error',
      error: { type: 'api_error', message: expect.stringContaining('server had an error') },
    });
  });
});

describe('what a Z-AI key means', () => {
  it('falls back to the key’s fallback model before the first byte, streaming or not', async () => {
    behaviours.set('down', (_req, res) => json(res, 503, { error: { message: 'overloaded', type: 'server_error' } }));
    const created = await api.post('/api/keys', { name: 'with fallback', fallback_model: 'openai/gpt-4o-mini' });
    const withFallback = new Anthropic({ apiKey: String(created.body.key), baseURL: zai.url, maxRetries: 0 });
    const { data, response } = await withFallback.messages
      .create({ model: 'openai/down', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(data.model).toBe('openai/gpt-4o-mini');
    expect(data.content).toEqual([{ type: 'text', text: 'Hello from GPT.' }]);
    expect(response.headers.get('x-zai-model')).toBe('openai/gpt-4o-mini');

    const streamed = await withFallback.messages
      .stream({ model: 'openai/down', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage();
    expect(streamed.model).toBe('openai/gpt-4o-mini');
    expect(streamed.content).toEqual([{ type: 'text', text: 'Hello there.' }]);
  });

  it('aborts the upstream request when the client goes away mid-stream', async () => {
    let upstreamReq: RecordedRequest | undefined;
    behaviours.set('endless', async (req, res) => {
      upstreamReq = req;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: '' }));
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        res.write(chunk({ content: 'tick ' }));
        await sleep(20);
      }
      res.end();
    });
    const stream = client.messages.stream({
      model: 'openai/endless',
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
    expect(stream.aborted).toBe(true);
    expect(upstreamReq).toBeDefined();
    const closedAt = await upstreamReq!.closed;
    expect(closedAt - abortedAt).toBeLessThan(100);
  });

  it('records usage rows for the messages endpoint, and never a prompt in the logs', async () => {
    await client.messages.create({ model: MODEL, max_tokens: 50, messages: [{ role: 'user', content: 'SECRET-PROMPT-TEXT' }] });
    await sleep(1200);
    const page = await api.get<{ data: Json[] }>(`/api/usage?model=${encodeURIComponent(MODEL)}&limit=1`);
    expect(page.body.data[0]).toMatchObject({
      model_requested: MODEL,
      model_served: MODEL,
      endpoint: 'messages',
      status: 200,
      prompt_tokens: 30,
      completion_tokens: 4,
      stream: false,
    });
    expect(zai.logs()).toContain('"endpoint":"messages"');
    expect(zai.logs()).not.toContain('SECRET-PROMPT-TEXT');
  });

  it('counts against the key’s requests-per-minute limit', async () => {
    const created = await api.post('/api/keys', { name: 'rpm', rate_limit_rpm: 1 });
    const limited = new Anthropic({ apiKey: String(created.body.key), baseURL: zai.url, maxRetries: 0 });
    await limited.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] });
    const err = await limited.messages
      .create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
  });
});
