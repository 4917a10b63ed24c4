import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { ChatCompletionChunk } from '../../openai/types.js';
import type { SseEvent } from '../provider.js';
import { eventsOf, recordingsIn } from '../../../test/helpers/recording.js';
import { createAnthropicStream, type AnthropicStreamOptions } from './stream.js';
import { pushAll } from '../../../test/helpers/stream-chunks.js';

const recorded = recordingsIn(new URL('./__fixtures__/', import.meta.url));

const NOW = new Date('2026-01-01T00:00:00Z');
const publicModel = 'anthropic/claude-sonnet-4-5';
const options: AnthropicStreamOptions = { publicModel, includeUsage: false, answerTool: undefined, reasoning: true };

/** The fields every chunk of one answer shares. */
function base(messageId: string): Pick<ChatCompletionChunk, 'id' | 'object' | 'created' | 'model'> {
  return { id: `chatcmpl-${messageId}`, object: 'chat.completion.chunk', created: NOW.getTime() / 1000, model: publicModel };
}

type Choice = ChatCompletionChunk['choices'][number];

function chunk(messageId: string, delta: Choice['delta'], finish: Choice['finish_reason'] = null): ChatCompletionChunk {
  return { ...base(messageId), choices: [{ index: 0, delta, finish_reason: finish }] };
}

function sse(data: unknown, event?: string): SseEvent {
  return { event, data: JSON.stringify(data), id: undefined };
}

function caught(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

const messageStart = sse({ type: 'message_start', message: { id: 'msg_1', usage: { input_tokens: 3, output_tokens: 1 } } });

describe('createAnthropicStream()', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('createAnthropicStream() streams text and ends with one usage chunk whose counts were overwritten, not added', () => {
    const transform = createAnthropicStream({ ...options, includeUsage: true });
    const chunks = [...pushAll(transform, eventsOf(recorded('stream-text.http'))), ...transform.end()];
    expect(chunks).toEqual([
      chunk('msg_01TxtA', { role: 'assistant', content: '' }),
      chunk('msg_01TxtA', { content: 'Paris is' }),
      chunk('msg_01TxtA', { content: ' cloudy, 18°C.' }),
      chunk('msg_01TxtA', {}, 'stop'),
      {
        ...base('msg_01TxtA'),
        choices: [],
        usage: {
          prompt_tokens: 652,
          completion_tokens: 9,
          total_tokens: 661,
          prompt_tokens_details: { cached_tokens: 512, cache_write_tokens: 100 },
        },
      },
    ]);
    expect(transform.finished).toBe(true);
    expect(transform.usage()).toEqual({ promptTokens: 652, completionTokens: 9, cachedTokens: 512, cacheWrite5mTokens: 100 });
  });

  it('createAnthropicStream() emits no usage chunk when the client did not ask for one', () => {
    const transform = createAnthropicStream(options);
    const chunks = pushAll(transform, eventsOf(recorded('stream-text.http')));
    expect(chunks.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
    expect(transform.usage()).toEqual({ promptTokens: 652, completionTokens: 9, cachedTokens: 512, cacheWrite5mTokens: 100 });
  });

  it('createAnthropicStream() numbers tool calls 0, 1… regardless of content block index, thinking as reasoning_content', () => {
    const transform = createAnthropicStream(options);
    const chunks = pushAll(transform, eventsOf(recorded('stream-tool-use.http')));
    const id = 'msg_01ToolB';
    expect(chunks).toEqual([
      chunk(id, { role: 'assistant', content: '' }),
      chunk(id, { reasoning_content: 'Two cities, two calls.' }),
      chunk(id, { content: 'Checking both.' }),
      chunk(id, {
        tool_calls: [{ index: 0, id: 'toolu_01Lyon', type: 'function', function: { name: 'get_weather', arguments: '' } }],
      }),
      chunk(id, { tool_calls: [{ index: 0, function: { arguments: '{"city": "Ly' } }] }),
      chunk(id, { tool_calls: [{ index: 0, function: { arguments: 'on"}' } }] }),
      chunk(id, {
        tool_calls: [{ index: 1, id: 'toolu_01Time', type: 'function', function: { name: 'get_time', arguments: '' } }],
      }),
      // get_time streamed no fragment: '{}' keeps the concatenated arguments parseable.
      chunk(id, { tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
      chunk(id, {}, 'tool_calls'),
    ]);
    expect(transform.finished).toBe(true);
    expect(transform.usage()).toEqual({ promptTokens: 380, completionTokens: 87, cachedTokens: 0 });
  });

  it('createAnthropicStream() sends no thinking when the client turned reasoning off', () => {
    const chunks = pushAll(createAnthropicStream({ ...options, reasoning: false }), eventsOf(recorded('stream-tool-use.http')));
    expect(chunks.some((c) => 'reasoning_content' in (c.choices[0]?.delta ?? {}))).toBe(false);
    expect(chunks[1]?.choices[0]?.delta).toEqual({ content: 'Checking both.' });
  });

  it('createAnthropicStream() keeps a tool input that arrives whole, in content_block_start or in message_start', () => {
    const id = 'msg_whole';
    const events = [
      sse({
        type: 'message_start',
        message: {
          id,
          usage: { input_tokens: 9, output_tokens: 1 },
          content: [{ type: 'tool_use', id: 'toolu_ptc', name: 'query', input: { sql: 'select 1' } }],
        },
      }),
      sse({
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_whole', name: 'get_weather', input: { city: 'Paris' } },
      }),
      sse({ type: 'content_block_stop', index: 1 }),
      sse({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 20 } }),
      sse({ type: 'message_stop' }),
    ];
    const chunks = pushAll(createAnthropicStream(options), events);
    expect(chunks.slice(0, 5)).toEqual([
      chunk(id, { role: 'assistant', content: '' }),
      chunk(id, { tool_calls: [{ index: 0, id: 'toolu_ptc', type: 'function', function: { name: 'query', arguments: '' } }] }),
      chunk(id, { tool_calls: [{ index: 0, function: { arguments: '{"sql":"select 1"}' } }] }),
      chunk(id, {
        tool_calls: [{ index: 1, id: 'toolu_whole', type: 'function', function: { name: 'get_weather', arguments: '' } }],
      }),
      chunk(id, { tool_calls: [{ index: 1, function: { arguments: '{"city":"Paris"}' } }] }),
    ]);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('createAnthropicStream() streams the response_format answer tool as content and finishes with stop', () => {
    const transform = createAnthropicStream({ ...options, answerTool: 'city_report' });
    const chunks = pushAll(transform, eventsOf(recorded('stream-answer-tool.http')));
    const id = 'msg_01JsonE';
    expect(chunks).toEqual([
      chunk(id, { role: 'assistant', content: '' }),
      chunk(id, { content: '{"city": "Lyon",' }),
      chunk(id, { content: ' "temp_c": 18}' }),
      chunk(id, {}, 'stop'),
    ]);
  });

  it('createAnthropicStream() throws a mapped GatewayError on an error event', () => {
    const transform = createAnthropicStream(options);
    const events = eventsOf(recorded('stream-error.http'));
    const before = pushAll(transform, events.slice(0, -1));
    expect(before.map((c) => c.choices[0]?.delta.content)).toEqual(['', 'Once upon']);
    const last = events.at(-1);
    if (last === undefined) throw new Error('fixture is empty');
    const error = caught(() => transform.push(last));
    expect(error).toMatchObject({
      status: 503,
      message: 'Overloaded',
      type: 'service_unavailable_error',
      retryable: true,
      failure: 'protocol',
    });
    expect(transform.finished).toBe(false);
  });

  it('createAnthropicStream() end() throws a reset error when message_stop never came', () => {
    const transform = createAnthropicStream({ ...options, includeUsage: true });
    pushAll(transform, eventsOf(recorded('stream-cut.http')));
    expect(transform.finished).toBe(false);
    const error = caught(() => transform.end());
    expect(error).toMatchObject({
      status: 502,
      message: 'The upstream stream ended before it was complete',
      type: 'upstream_error',
      failure: 'reset',
    });
    // Usage reported so far stays readable for logging the failed attempt.
    expect(transform.usage()).toEqual({ promptTokens: 12, completionTokens: 1, cachedTokens: 0 });
  });

  it('createAnthropicStream() trusts data.type over the event name and skips unknown event types', () => {
    const transform = createAnthropicStream(options);
    const chunks = pushAll(transform, [
      messageStart,
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'ping'),
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }),
      sse({ type: 'something_new', detail: 1 }, 'something_new'),
    ]);
    expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hi' }]);
  });

  it('createAnthropicStream() finishes with stop when message_stop arrives without a stop reason', () => {
    const transform = createAnthropicStream(options);
    const chunks = pushAll(transform, [messageStart, sse({ type: 'message_stop' }), sse({ type: 'ping' })]);
    expect(chunks.map((c) => c.choices[0]?.finish_reason)).toEqual([null, 'stop']);
    expect(transform.end()).toEqual([]);
  });

  it('createAnthropicStream() throws a protocol error for non-JSON data and content before message_start', () => {
    const bad = caught(() => createAnthropicStream(options).push({ event: 'message_start', data: '{"type":', id: undefined }));
    expect(bad).toMatchObject({ status: 502, failure: 'protocol' });
    const early = caught(() =>
      createAnthropicStream(options).push(
        sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'x' } }),
      ),
    );
    expect(early).toMatchObject({ status: 502, failure: 'protocol' });
  });
});
