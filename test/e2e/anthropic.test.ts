/**
 * Anthropic behind the OpenAI API, end to end: the official `openai` SDK against the real Z-AI
 * server, which talks to a fake Anthropic speaking the real Messages protocol over HTTP
 * (`x-api-key` + `anthropic-version`, named SSE events, pings, CRLF framing, events split across
 * writes, running-total usage, Anthropic error bodies and statuses including 529).
 */
import type http from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, startZai, type ApiClient, type Zai } from '../helpers/harness.js';
import {
  json,
  sleep,
  startFakeServer,
  type FakeServer,
  type RecordedRequest,
  writeFrames,
  drainStream,
} from '../helpers/fake-upstream.js';

const ANTHROPIC_KEY = 'sk-ant-api03-e2eFAKEkey-0123456789abcdefghijklmnop';
const CATALOG_MODEL = 'anthropic/claude-sonnet-4-5';

let zai: Zai;
let fake: FakeServer;
let api: ApiClient;
let providerId: string;
let client: OpenAI;

type Behaviour = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;
/** Per upstream model id: how the fake answers `POST /v1/messages`. */
const behaviours = new Map<string, Behaviour>();

type Json = Record<string, unknown>;

function body(req: RecordedRequest): Json {
  return req.json as Json;
}

/** The last `POST /v1/messages` the fake received for an upstream model id. */
function lastMessagesCall(model: string): RecordedRequest {
  const found = fake.requests.filter((r) => r.path === '/v1/messages' && body(r)?.model === model).at(-1);
  if (found === undefined) throw new Error(`the fake never received a request for ${model}`);
  return found;
}

/** A non-streaming Anthropic Message. */
function anthropicMessage(opts: { id?: string; content?: unknown[]; stop_reason?: string; usage?: Json } = {}): Json {
  return {
    id: opts.id ?? 'msg_01Default',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: opts.content ?? [{ type: 'text', text: 'Hello from Claude.' }],
    stop_reason: opts.stop_reason ?? 'end_turn',
    stop_sequence: null,
    usage: opts.usage ?? { input_tokens: 21, output_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

/** One Anthropic SSE event: an `event:` line named like `data.type`, then the data line. */
function sse(data: Json & { type: string }, eol = '\n'): string {
  return `event: ${data.type}${eol}data: ${JSON.stringify(data)}${eol}${eol}`;
}

function messageStart(id: string, usage: Json): Json & { type: string } {
  return {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  };
}

const textStart = (index: number) => ({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
const textDelta = (index: number, text: string) => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
const blockStop = (index: number) => ({ type: 'content_block_stop', index });
const toolStart = (index: number, id: string, name: string) => ({
  type: 'content_block_start',
  index,
  content_block: { type: 'tool_use', id, name, input: {} },
});
const jsonDelta = (index: number, partial: string) => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'input_json_delta', partial_json: partial },
});
const messageDelta = (stopReason: string, usage: Json) => ({
  type: 'message_delta',
  delta: { stop_reason: stopReason, stop_sequence: null },
  usage,
});
const PING = { type: 'ping' };
const MESSAGE_STOP = { type: 'message_stop' };

/** Anthropic's stream headers on top of the shared frame writer (events split across writes). */
function anthropicFrames(
  res: http.ServerResponse,
  frames: string[],
  opts: { pauseMs?: number; end?: 'end' | 'destroy' } = {},
): Promise<void> {
  return writeFrames(res, frames, {
    ...opts,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': 'req_011Stream' },
  });
}

function anthropicError(
  res: http.ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  json(
    res,
    status,
    { type: 'error', error: { type, message }, request_id: 'req_011Err' },
    { 'request-id': 'req_011Err', ...headers },
  );
}

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(async (req, res) => {
    // Like the real API: the key and the version header are required on every call.
    if (req.headers['x-api-key'] !== ANTHROPIC_KEY) return anthropicError(res, 401, 'authentication_error', 'invalid x-api-key');
    if (req.headers['anthropic-version'] !== '2023-06-01')
      return anthropicError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
    if (req.method === 'GET' && req.path.split('?')[0] === '/v1/models') {
      return json(res, 200, {
        data: [
          {
            type: 'model',
            id: 'claude-sonnet-4-5-20250929',
            display_name: 'Claude Sonnet 4.5',
            created_at: '2025-09-29T00:00:00Z',
          },
          {
            type: 'model',
            id: 'claude-haiku-4-5-20251001',
            display_name: 'Claude Haiku 4.5',
            created_at: '2025-10-01T00:00:00Z',
          },
          { type: 'model', id: 'claude-opus-4-5-20251101', display_name: 'Claude Opus 4.5', created_at: '2025-11-01T00:00:00Z' },
        ],
        has_more: false,
        first_id: 'claude-sonnet-4-5-20250929',
        last_id: 'claude-opus-4-5-20251101',
      });
    }
    if (req.method !== 'POST' || req.path !== '/v1/messages')
      return anthropicError(res, 404, 'not_found_error', `Not found: ${req.method} ${req.path}`);
    const behaviour = behaviours.get(String(body(req).model));
    if (behaviour) return behaviour(req, res);
    return json(res, 200, anthropicMessage(), { 'request-id': 'req_011Default' });
  });
  const account = await accountWithKey(zai, {
    provider: 'anthropic',
    apiKey: ANTHROPIC_KEY,
    baseUrl: fake.url,
    key: { allowed_models: ['anthropic/*'] },
  });
  api = account.api;
  providerId = account.providerId;
  client = new OpenAI({ apiKey: account.key, baseURL: `${zai.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

describe('text', () => {
  it('translates a system prompt to top-level system, strips the provider prefix and defaults max_tokens from the catalog', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: CATALOG_MODEL,
        messages: [
          { role: 'system', content: 'Answer in one sentence.' },
          { role: 'user', content: 'Say hello' },
        ],
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello from Claude.');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.model).toBe(CATALOG_MODEL);
    expect(data.object).toBe('chat.completion');
    expect(data.usage).toMatchObject({
      prompt_tokens: 21,
      completion_tokens: 6,
      total_tokens: 27,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    expect(response.headers.get('x-zai-model')).toBe(CATALOG_MODEL);

    const sent = lastMessagesCall('claude-sonnet-4-5');
    expect(sent.method).toBe('POST');
    expect(sent.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers['content-type']).toMatch(/^application\/json/);
    expect(sent.headers.authorization).toBeUndefined();
    // claude-sonnet-4-5 has a 64 000-token maximum output in the catalog.
    expect(body(sent)).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 64000,
      system: [{ type: 'text', text: 'Answer in one sentence.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
    });
  });

  it('folds several system/developer messages in order, merges same-role turns and maps sampling parameters', async () => {
    await client.chat.completions.create({
      model: CATALOG_MODEL,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'First.' },
        { role: 'user', content: [{ type: 'text', text: 'Second.' }] },
        { role: 'assistant', content: 'Noted.' },
        { role: 'developer', content: 'Use French.' },
        { role: 'user', content: 'Third.' },
      ],
      max_completion_tokens: 300,
      temperature: 0.5,
      top_p: 0.9,
      stop: ['###', 'END'],
      user: 'u-91c2',
    });
    expect(body(lastMessagesCall('claude-sonnet-4-5'))).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 300,
      system: [
        { type: 'text', text: 'Be terse.' },
        { type: 'text', text: 'Use French.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'First.' },
            { type: 'text', text: 'Second.' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'Noted.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Third.' }] },
      ],
      temperature: 0.5,
      top_p: 0.9,
      stop_sequences: ['###', 'END'],
      metadata: { user_id: 'u-91c2' },
    });
  });

  it('uses the documented 4096 default max_tokens for a model outside the catalog, and the client value when given', async () => {
    await client.chat.completions.create({
      model: 'anthropic/claude-e2e-uncatalogued',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(body(lastMessagesCall('claude-e2e-uncatalogued')).max_tokens).toBe(4096);
    await client.chat.completions.create({
      model: 'anthropic/claude-e2e-uncatalogued',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 77,
    });
    expect(body(lastMessagesCall('claude-e2e-uncatalogued')).max_tokens).toBe(77);
  });

  it('names dropped parameters in x-zai-warnings and refuses what Anthropic cannot express', async () => {
    const { response } = await client.chat.completions
      .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], seed: 42, presence_penalty: 0.5 })
      .withResponse();
    const warnings = response.headers.get('x-zai-warnings') ?? '';
    expect(warnings).toContain('seed');
    expect(warnings).toContain('presence_penalty');
    expect(body(lastMessagesCall('claude-sonnet-4-5'))).not.toHaveProperty('seed');

    const before = fake.requests.length;
    const tooHot = await client.chat.completions
      .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], temperature: 1.7 })
      .catch((e: unknown) => e);
    expect(tooHot).toBeInstanceOf(OpenAI.BadRequestError);
    expect((tooHot as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('temperature');
    const many = await client.chat.completions
      .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], n: 2 })
      .catch((e: unknown) => e);
    expect(many).toBeInstanceOf(OpenAI.BadRequestError);
    expect(fake.requests.length).toBe(before);
  });
});

describe('streaming', () => {
  it('streams text (CRLF framing, pings, events split mid-line) and reports usage once, without double counting running totals', async () => {
    const pieces = ['Bon', 'jour', ', ', 'le ', 'monde', ' — ünïcødé ✓'];
    let upstreamDone = 0;
    behaviours.set('claude-e2e-stream', async (_req, res) => {
      const frames = [
        sse(
          messageStart('msg_01Stream', {
            input_tokens: 25,
            output_tokens: 1,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          }),
          '\r\n',
        ),
        sse(textStart(0), '\r\n'),
        sse(PING, '\r\n'),
        ...pieces.map((p) => sse(textDelta(0, p), '\r\n')),
        sse(PING, '\r\n'),
        sse(blockStop(0), '\r\n'),
        // Two message_delta events, each carrying running totals (input repeated, output growing).
        sse(messageDelta('end_turn', { input_tokens: 25, output_tokens: 9 }), '\r\n'),
        sse(messageDelta('end_turn', { input_tokens: 25, cache_read_input_tokens: 0, output_tokens: 17 }), '\r\n'),
        sse(MESSAGE_STOP, '\r\n'),
      ];
      await anthropicFrames(res, frames, { pauseMs: 40 });
      upstreamDone = performance.now();
    });

    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-e2e-stream',
      messages: [
        { role: 'system', content: 'Speak French.' },
        { role: 'user', content: 'Greet the world' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    let firstContentAt = 0;
    let text = '';
    for await (const chunk of stream) {
      chunks.push(chunk);
      const piece = chunk.choices[0]?.delta.content ?? '';
      if (piece !== '' && firstContentAt === 0) firstContentAt = performance.now();
      text += piece;
    }
    expect(text).toBe(pieces.join(''));
    // Chunks are relayed as they arrive, not after the upstream finished.
    expect(firstContentAt).toBeGreaterThan(0);
    expect(firstContentAt).toBeLessThan(upstreamDone - 300);
    expect(chunks.every((c) => c.model === 'anthropic/claude-e2e-stream' && c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const finishes = chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((f) => f !== null);
    expect(finishes).toEqual(['stop']);
    const withUsage = chunks.filter((c) => c.usage);
    expect(withUsage).toHaveLength(1);
    expect(withUsage[0]).toBe(chunks.at(-1));
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 17, total_tokens: 42 });

    const sent = body(lastMessagesCall('claude-e2e-stream'));
    expect(sent).toEqual({
      model: 'claude-e2e-stream',
      max_tokens: 4096,
      system: [{ type: 'text', text: 'Speak French.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Greet the world' }] }],
      stream: true,
    });
  });

  it('sends no usage chunk unless include_usage was asked for', async () => {
    behaviours.set('claude-e2e-stream-nousage', (_req, res) =>
      anthropicFrames(res, [
        sse(messageStart('msg_01NoUsage', { input_tokens: 4, output_tokens: 1 })),
        sse(textStart(0)),
        sse(textDelta(0, 'ok')),
        sse(blockStop(0)),
        sse(messageDelta('max_tokens', { output_tokens: 2 })),
        sse(MESSAGE_STOP),
      ]),
    );
    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-e2e-stream-nousage',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('ok');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
  });
});

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const timeTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_time', description: 'Current time' },
};

describe('tools', () => {
  it('non-streamed: tool_use becomes tool_calls, and the tool result goes back as a tool_result block', async () => {
    behaviours.set('claude-e2e-tools', (req, res) => {
      const messages = body(req).messages as Array<{ role: string; content: Array<{ type: string }> }>;
      const answered = messages.some((m) => m.content.some((b) => b.type === 'tool_result'));
      if (answered)
        return json(
          res,
          200,
          anthropicMessage({ id: 'msg_01Final', content: [{ type: 'text', text: 'It is 18°C and cloudy in Paris.' }] }),
        );
      return json(
        res,
        200,
        anthropicMessage({
          id: 'msg_01Tools',
          content: [
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'toolu_01Paris', name: 'get_weather', input: { city: 'Paris' } },
          ],
          stop_reason: 'tool_use',
          usage: { input_tokens: 40, output_tokens: 61 },
        }),
      );
    });
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.chat.completions.create({
      model: 'anthropic/claude-e2e-tools',
      messages,
      tools: [weatherTool, timeTool],
      tool_choice: 'auto',
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Let me check.');
    expect(choice.message.tool_calls).toEqual([
      { id: 'toolu_01Paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(body(lastMessagesCall('claude-e2e-tools'))).toEqual({
      model: 'claude-e2e-tools',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] }],
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather for a city',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
        { name: 'get_time', description: 'Current time', input_schema: { type: 'object', properties: {} } },
      ],
      tool_choice: { type: 'auto' },
    });

    messages.push(choice.message as OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam);
    messages.push({ role: 'tool', tool_call_id: 'toolu_01Paris', content: '{"temp_c":18,"sky":"cloudy"}' });
    const second = await client.chat.completions.create({
      model: 'anthropic/claude-e2e-tools',
      messages,
      tools: [weatherTool, timeTool],
    });
    expect(second.choices[0]?.message.content).toBe('It is 18°C and cloudy in Paris.');
    expect(second.choices[0]?.finish_reason).toBe('stop');
    expect(body(lastMessagesCall('claude-e2e-tools')).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_01Paris', name: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01Paris', content: '{"temp_c":18,"sky":"cloudy"}' }] },
    ]);
  });

  it('maps tool_choice required / named and parallel_tool_calls', async () => {
    await client.chat.completions.create({
      model: 'anthropic/claude-e2e-choice',
      messages: [{ role: 'user', content: 'x' }],
      tools: [weatherTool],
      tool_choice: 'required',
    });
    expect(body(lastMessagesCall('claude-e2e-choice')).tool_choice).toEqual({ type: 'any' });
    await client.chat.completions.create({
      model: 'anthropic/claude-e2e-choice',
      messages: [{ role: 'user', content: 'x' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
    expect(body(lastMessagesCall('claude-e2e-choice')).tool_choice).toEqual({
      type: 'tool',
      name: 'get_weather',
      disable_parallel_tool_use: true,
    });
  });

  it('streamed: the SDK assembles text and two tool calls from split input_json_delta fragments; both results go back in one user turn', async () => {
    behaviours.set('claude-e2e-stream-tools', (req, res) => {
      const messages = body(req).messages as Array<{ role: string; content: Array<{ type: string }> }>;
      if (messages.some((m) => m.content.some((b) => b.type === 'tool_result'))) {
        return anthropicFrames(res, [
          sse(messageStart('msg_01After', { input_tokens: 120, output_tokens: 1 })),
          sse(textStart(0)),
          sse(textDelta(0, 'Lyon: 18°C at noon.')),
          sse(blockStop(0)),
          sse(messageDelta('end_turn', { output_tokens: 8 })),
          sse(MESSAGE_STOP),
        ]);
      }
      return anthropicFrames(res, [
        sse(
          messageStart('msg_01StreamTools', {
            input_tokens: 380,
            output_tokens: 1,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          }),
        ),
        sse({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
        sse({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Two calls.' } }),
        sse({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM' } }),
        sse(blockStop(0)),
        sse(textStart(1)),
        sse(textDelta(1, 'Checking both.')),
        sse(blockStop(1)),
        sse(PING),
        sse(toolStart(2, 'toolu_01Lyon', 'get_weather')),
        sse(jsonDelta(2, '')),
        sse(jsonDelta(2, '{"city": "Ly')),
        sse(PING),
        sse(jsonDelta(2, 'on"}')),
        sse(blockStop(2)),
        sse(toolStart(3, 'toolu_01Time', 'get_time')),
        sse(jsonDelta(3, '')),
        sse(blockStop(3)),
        sse(messageDelta('tool_use', { output_tokens: 87 })),
        sse(MESSAGE_STOP),
      ]);
    });

    const runner = client.chat.completions.stream({
      model: 'anthropic/claude-e2e-stream-tools',
      messages: [{ role: 'user', content: 'Weather in Lyon and the time?' }],
      tools: [weatherTool, timeTool],
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    const choice = final.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Checking both.');
    expect(choice.message.tool_calls).toEqual([
      { id: 'toolu_01Lyon', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Lyon"}' } },
      // A tool without input streamed no fragment: the gateway completes it as "{}".
      { id: 'toolu_01Time', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
    expect(final.usage).toMatchObject({ prompt_tokens: 380, completion_tokens: 87, total_tokens: 467 });
    expect(body(lastMessagesCall('claude-e2e-stream-tools')).stream).toBe(true);

    const second = await client.chat.completions
      .stream({
        model: 'anthropic/claude-e2e-stream-tools',
        messages: [
          { role: 'user', content: 'Weather in Lyon and the time?' },
          choice.message as OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam,
          { role: 'tool', tool_call_id: 'toolu_01Lyon', content: '18°C' },
          { role: 'tool', tool_call_id: 'toolu_01Time', content: [{ type: 'text', text: '12:00' }] },
          { role: 'user', content: 'Be brief.' },
        ],
        tools: [weatherTool, timeTool],
      })
      .finalChatCompletion();
    expect(second.choices[0]?.message.content).toBe('Lyon: 18°C at noon.');
    expect(body(lastMessagesCall('claude-e2e-stream-tools')).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Lyon and the time?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_01Lyon', name: 'get_weather', input: { city: 'Lyon' } },
          { type: 'tool_use', id: 'toolu_01Time', name: 'get_time', input: {} },
        ],
      },
      // Both results in ONE user turn, first, then the user's text.
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01Lyon', content: '18°C' },
          { type: 'tool_result', tool_use_id: 'toolu_01Time', content: [{ type: 'text', text: '12:00' }] },
          { type: 'text', text: 'Be brief.' },
        ],
      },
    ]);
  });
});

describe('JSON output', () => {
  const schema = {
    type: 'object',
    properties: { city: { type: 'string' }, temp_c: { type: 'number' } },
    required: ['city', 'temp_c'],
    additionalProperties: false,
  };

  it('json_schema is emulated with one forced tool whose input becomes the message content (non-streamed)', async () => {
    behaviours.set('claude-e2e-json', (_req, res) =>
      json(
        res,
        200,
        anthropicMessage({
          id: 'msg_01Json',
          content: [{ type: 'tool_use', id: 'toolu_01Answer', name: 'weather_report', input: { city: 'Paris', temp_c: 18 } }],
          stop_reason: 'tool_use',
        }),
      ),
    );
    const res = await client.chat.completions.create({
      model: 'anthropic/claude-e2e-json',
      messages: [{ role: 'user', content: 'Weather in Paris as JSON' }],
      response_format: { type: 'json_schema', json_schema: { name: 'weather_report', schema, strict: true } },
    });
    const choice = res.choices[0]!;
    expect(JSON.parse(choice.message.content ?? '')).toEqual({ city: 'Paris', temp_c: 18 });
    expect(choice.message.tool_calls ?? []).toEqual([]);
    expect(choice.finish_reason).toBe('stop');
    const sent = body(lastMessagesCall('claude-e2e-json'));
    expect(sent.tools).toEqual([{ name: 'weather_report', description: expect.any(String), input_schema: schema, strict: true }]);
    expect(sent.tool_choice).toEqual({ type: 'tool', name: 'weather_report' });
  });

  it('json_object streamed: the answer tool input arrives as content fragments', async () => {
    behaviours.set('claude-e2e-json-stream', (_req, res) =>
      anthropicFrames(res, [
        sse(messageStart('msg_01JsonStream', { input_tokens: 30, output_tokens: 1 })),
        sse(toolStart(0, 'toolu_01Ans', 'json_response')),
        sse(jsonDelta(0, '')),
        sse(jsonDelta(0, '{"ok": tr')),
        sse(jsonDelta(0, 'ue}')),
        sse(blockStop(0)),
        sse(messageDelta('tool_use', { output_tokens: 9 })),
        sse(MESSAGE_STOP),
      ]),
    );
    const final = await client.chat.completions
      .stream({
        model: 'anthropic/claude-e2e-json-stream',
        messages: [{ role: 'user', content: 'JSON please' }],
        response_format: { type: 'json_object' },
      })
      .finalChatCompletion();
    expect(JSON.parse(final.choices[0]?.message.content ?? '')).toEqual({ ok: true });
    expect(final.choices[0]?.message.tool_calls ?? []).toEqual([]);
    expect(final.choices[0]?.finish_reason).toBe('stop');
    expect(body(lastMessagesCall('claude-e2e-json-stream')).tool_choice).toEqual({ type: 'tool', name: 'json_response' });
  });
});

describe('images', () => {
  it('sends a data URL as a base64 image block and an https URL as a url source', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const res = await client.chat.completions.create({
      model: CATALOG_MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png}`, detail: 'low' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(res.choices[0]?.message.content).toBe('Hello from Claude.');
    expect(body(lastMessagesCall('claude-sonnet-4-5')).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('refuses an image type Anthropic does not accept, without calling the upstream', async () => {
    const before = fake.requests.length;
    const err = await client.chat.completions
      .create({
        model: CATALOG_MODEL,
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/tiff;base64,SUkqAA==' } }] }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(fake.requests.length).toBe(before);
  });
});

describe('upstream errors', () => {
  it('429 rate_limit_error → RateLimitError 429 with retry-after', async () => {
    behaviours.set('claude-e2e-429', (_req, res) =>
      anthropicError(res, 429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', {
        'retry-after': '7',
        'anthropic-ratelimit-requests-remaining': '0',
      }),
    );
    const err = await client.chat.completions
      .create({ model: 'anthropic/claude-e2e-429', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.message).toContain('rate limit');
    expect(e.headers?.get('retry-after')).toBe('7');
  });

  it('429 without retry-after: retry-after is derived from the exhausted anthropic-ratelimit-*-reset', async () => {
    behaviours.set('claude-e2e-429-reset', (_req, res) =>
      anthropicError(res, 429, 'rate_limit_error', 'Number of requests has exceeded your per-minute rate limit', {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': new Date(Date.now() + 20_000).toISOString().replace(/\.\d+Z$/, 'Z'),
        'anthropic-ratelimit-tokens-limit': '40000',
        'anthropic-ratelimit-tokens-remaining': '39000',
        'anthropic-ratelimit-tokens-reset': new Date(Date.now() + 55_000).toISOString().replace(/\.\d+Z$/, 'Z'),
      }),
    );
    const err = await client.chat.completions
      .create({ model: 'anthropic/claude-e2e-429-reset', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const retryAfter = Number((err as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after'));
    // The requests limit (remaining 0) was hit; it resets in ~20 s (RFC 3339, whole seconds).
    expect(retryAfter).toBeGreaterThanOrEqual(18);
    expect(retryAfter).toBeLessThanOrEqual(21);
  });

  it('500 api_error → 502', async () => {
    behaviours.set('claude-e2e-500', (_req, res) => anthropicError(res, 500, 'api_error', 'Internal server error'));
    const err = await client.chat.completions
      .create({ model: 'anthropic/claude-e2e-500', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
  });

  it('529 overloaded_error → 503, also when streaming was asked for', async () => {
    behaviours.set('claude-e2e-529', (_req, res) => anthropicError(res, 529, 'overloaded_error', 'Overloaded'));
    const err = await client.chat.completions
      .create({ model: 'anthropic/claude-e2e-529', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain('Overloaded');
    const streamed = await client.chat.completions
      .create({ model: 'anthropic/claude-e2e-529', messages: [{ role: 'user', content: 'x' }], stream: true })
      .catch((e: unknown) => e);
    expect((streamed as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });

  it('401 authentication_error for a wrong provider key → AuthenticationError, and the key never leaks', async () => {
    const wrongKey = 'sk-ant-api03-WRONGwrongWRONG-000000000000000000';
    const other = await accountWithKey(zai, { provider: 'anthropic', apiKey: wrongKey, baseUrl: fake.url });
    const otherClient = new OpenAI({ apiKey: other.key, baseURL: `${zai.url}/v1`, maxRetries: 0 });
    const err = await otherClient.chat.completions
      .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    expect(JSON.stringify((err as InstanceType<typeof OpenAI.APIError>).error)).not.toContain('WRONGwrong');

    const test = await other.api.post<{ ok: boolean; status: number | null; message: string }>(
      `/api/providers/${other.providerId}/test`,
    );
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: false, status: 401 });
  });

  it('400 invalid_request_error passes through with Anthropic message → BadRequestError', async () => {
    behaviours.set('claude-e2e-400', (_req, res) =>
      anthropicError(res, 400, 'invalid_request_error', 'messages: text content blocks must be non-empty'),
    );
    const err = await client.chat.completions
      .create({ model: 'anthropic/claude-e2e-400', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as Error).message).toContain('text content blocks must be non-empty');
  });

  it('an error event before any content, inside a 200 stream, is still an HTTP error (503 for overloaded)', async () => {
    behaviours.set('claude-e2e-early-error', (_req, res) =>
      anthropicFrames(res, [sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })]),
    );
    const err = await client.chat.completions
      .create({ model: 'anthropic/claude-e2e-early-error', messages: [{ role: 'user', content: 'x' }], stream: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });

  it('529 counts as an outage: the key falls back to its fallback model', async () => {
    behaviours.set('claude-e2e-529', (_req, res) => anthropicError(res, 529, 'overloaded_error', 'Overloaded'));
    behaviours.set('claude-e2e-fallback', (_req, res) =>
      json(res, 200, anthropicMessage({ id: 'msg_01Fallback', content: [{ type: 'text', text: 'from the fallback' }] })),
    );
    const created = await api.post('/api/keys', { name: 'with fallback', fallback_model: 'anthropic/claude-e2e-fallback' });
    expect(created.status).toBe(201);
    const fbClient = new OpenAI({ apiKey: String(created.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
    const { data, response } = await fbClient.chat.completions
      .create({ model: 'anthropic/claude-e2e-529', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('from the fallback');
    expect(data.model).toBe('anthropic/claude-e2e-fallback');
    expect(response.headers.get('x-zai-model')).toBe('anthropic/claude-e2e-fallback');
  });

  it('a stream cut mid-way raises an error in the SDK iteration, never a clean finish', async () => {
    behaviours.set('claude-e2e-cut', (_req, res) =>
      writeFrames(
        res,
        [
          sse(messageStart('msg_01Cut', { input_tokens: 5, output_tokens: 1 })),
          sse(textStart(0)),
          sse(textDelta(0, 'partial ')),
          sse(textDelta(0, 'answer')),
        ],
        { end: 'destroy' },
      ),
    );
    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-e2e-cut',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const { text, finish, error } = await drainStream(stream);
    expect(text).toBe('partial answer');
    expect(finish).toBeNull();
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/lost|complete/);
  });

  it('a stream that closes cleanly before message_stop also raises', async () => {
    behaviours.set('claude-e2e-short', (_req, res) =>
      anthropicFrames(res, [
        sse(messageStart('msg_01Short', { input_tokens: 5, output_tokens: 1 })),
        sse(textStart(0)),
        sse(textDelta(0, 'half')),
        sse(blockStop(0)),
        sse(messageDelta('end_turn', { output_tokens: 3 })),
      ]),
    );
    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-e2e-short',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, error } = await drainStream(stream);
    expect(text).toBe('half');
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });

  it('an error event inside a 200 stream raises in the SDK with Anthropic message', async () => {
    behaviours.set('claude-e2e-stream-error', (_req, res) =>
      anthropicFrames(res, [
        sse(messageStart('msg_01Err', { input_tokens: 5, output_tokens: 1 })),
        sse(textStart(0)),
        sse(textDelta(0, 'Hel')),
        sse(PING),
        sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      ]),
    );
    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-e2e-stream-error',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const { text, error } = await drainStream(stream);
    expect(text).toBe('Hel');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('Overloaded');
  });
});

describe('models, embeddings and the provider test', () => {
  it('/v1/models lists the catalog models of the Anthropic provider', async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toContain(CATALOG_MODEL);
    expect(ids).toContain('anthropic/claude-haiku-4-5');
    expect(ids.every((id) => id.startsWith('anthropic/'))).toBe(true);
  });

  it('POST /api/providers/:id/test calls GET /v1/models with the Anthropic headers', async () => {
    const res = await api.post<{ ok: boolean; status: number; models: number; message: string }>(
      `/api/providers/${providerId}/test`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, status: 200, models: 3 });
    const call = fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/models')).at(-1)!;
    expect(call.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(call.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('embeddings are refused with a 400 (Anthropic has none)', async () => {
    const err = await client.embeddings.create({ model: 'anthropic/claude-sonnet-4-5', input: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe('usage rows', () => {
  type Row = Record<string, unknown> & { id: string };
  async function usageRow(requestId: string): Promise<Row> {
    for (let i = 0; i < 20; i++) {
      const page = await api.get<{ data: Row[] }>('/api/usage?limit=100');
      const row = page.body.data.find((r) => r.id === requestId);
      if (row) return row;
      await sleep(100);
    }
    throw new Error(`no usage row for ${requestId} within 2 s`);
  }

  it('records prompt (including cache reads and writes), completion and cached tokens with the catalog cost', async () => {
    behaviours.set('claude-sonnet-4-5', (_req, res) =>
      json(
        res,
        200,
        anthropicMessage({
          id: 'msg_01Cached',
          content: [{ type: 'text', text: 'Cached answer.' }],
          usage: { input_tokens: 100, output_tokens: 50, cache_creation_input_tokens: 0, cache_read_input_tokens: 1000 },
        }),
      ),
    );
    try {
      const { data, response } = await client.chat.completions
        .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'cached?' }] })
        .withResponse();
      expect(data.usage).toMatchObject({
        prompt_tokens: 1100,
        completion_tokens: 50,
        total_tokens: 1150,
        prompt_tokens_details: { cached_tokens: 1000 },
      });
      const row = await usageRow(response.headers.get('x-zai-request-id')!);
      expect(row).toMatchObject({
        model_requested: CATALOG_MODEL,
        model_served: CATALOG_MODEL,
        provider: 'anthropic',
        status: 200,
        prompt_tokens: 1100,
        completion_tokens: 50,
        cached_tokens: 1000,
        stream: false,
      });
      // claude-sonnet-4-5: $3 in, $0.30 cached, $15 out per Mtok → 100×3 + 1000×0.3 + 50×15 µ$ = 1350 µ$.
      expect(row.cost_nano_usd).toBe(1_350_000);
      expect(response.headers.get('x-zai-cost-micro-usd')).toBe('1350');
    } finally {
      behaviours.delete('claude-sonnet-4-5');
    }
  });

  it('a streamed request records the final running totals, not their sum', async () => {
    behaviours.set('claude-sonnet-4-5', (_req, res) =>
      anthropicFrames(res, [
        sse(
          messageStart('msg_01StreamCached', {
            input_tokens: 10,
            output_tokens: 1,
            cache_creation_input_tokens: 200,
            cache_read_input_tokens: 0,
          }),
          '\r\n',
        ),
        sse(textStart(0), '\r\n'),
        sse(textDelta(0, 'streamed'), '\r\n'),
        sse(blockStop(0), '\r\n'),
        sse(messageDelta('end_turn', { output_tokens: 4 }), '\r\n'),
        sse(messageDelta('end_turn', { input_tokens: 10, cache_creation_input_tokens: 200, output_tokens: 12 }), '\r\n'),
        sse(MESSAGE_STOP, '\r\n'),
      ]),
    );
    try {
      const { data: stream, response } = await client.chat.completions
        .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], stream: true })
        .withResponse();
      for await (const _chunk of stream) {
        // drain
      }
      const row = await usageRow(response.headers.get('x-zai-request-id')!);
      expect(row).toMatchObject({
        status: 200,
        stream: true,
        prompt_tokens: 210,
        completion_tokens: 12,
        cached_tokens: 0,
        cache_write_tokens: 200,
      });
      // 10 × 3 + 200 × 3.75 (5-minute cache writes, 1.25× the input price) + 12 × 15 µ$ = 960 µ$.
      expect(row.cost_nano_usd).toBe(960_000);
    } finally {
      behaviours.delete('claude-sonnet-4-5');
    }
  });

  it('a stream cut after much text is not billed as if only the provisional output_tokens of message_start were generated', async () => {
    // message_start carries a provisional output_tokens (1); the real count only comes in
    // message_delta. Here the connection dies after ~3 000 bytes of text (≈600 tokens of "word ").
    const piece = 'word '.repeat(60);
    const deltas = 10;
    behaviours.set('claude-sonnet-4-5', (_req, res) =>
      writeFrames(
        res,
        [
          sse(messageStart('msg_01CutBill', { input_tokens: 10, output_tokens: 1 })),
          sse(textStart(0)),
          ...Array.from({ length: deltas }, () => sse(textDelta(0, piece))),
        ],
        { end: 'destroy' },
      ),
    );
    try {
      const { data: stream, response } = await client.chat.completions
        .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], stream: true })
        .withResponse();
      const { text, error } = await drainStream(stream);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(text.length).toBe(piece.length * deltas);
      const row = await usageRow(response.headers.get('x-zai-request-id')!);
      expect(row).toMatchObject({ status: 502, stream: true, prompt_tokens: 10 });
      // Whatever the policy (one token per streamed byte, as estimate.ts bills cut streams, or
      // anything less generous), 3 000 bytes of text are far more than 100 output tokens;
      // billing 10 × $3 + 1 × $15 per Mtok (45 µ$) would under-bill the key's spend cap.
      expect(row.cost_nano_usd).toBeGreaterThanOrEqual((10 * 3 + 100 * 15) * 1000);
    } finally {
      behaviours.delete('claude-sonnet-4-5');
    }
  });

  it('the provider key never appears in a log line', () => {
    expect(zai.logs()).not.toContain(ANTHROPIC_KEY);
    expect(zai.logs()).not.toContain(ANTHROPIC_KEY.slice(8, 30));
  });
});
