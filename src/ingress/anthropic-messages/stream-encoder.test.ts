import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { ChatCompletionChunk } from '../../openai/types.js';
import { createChatStream } from '../../providers/openai-compatible/stream.js';
import { loadSseFixture, loadTextFixture, parseSse } from './__fixtures__/load-fixture.js';
import { MessagesStreamEncoder, PING_EVENT } from './stream-encoder.js';

const options = { id: 'msg_fixture1', model: 'openai/gpt-5.4', inputTokensEstimate: 300, stopSequences: ['END'] };

function chunk(
  delta: ChatCompletionChunk['choices'][number]['delta'],
  finish: ChatCompletionChunk['choices'][number]['finish_reason'] = null,
): ChatCompletionChunk {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'openai/gpt-5.4',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

/** The data of each event, in order (the encoder's text read back through the gateway's parser). */
function events(text: string): Array<Record<string, unknown>> {
  return parseSse(text).map((event) => {
    const data = JSON.parse(event.data) as Record<string, unknown>;
    expect(event.event).toBe(data.type);
    return data;
  });
}

describe('MessagesStreamEncoder', () => {
  it('turns an OpenAI stream (reasoning, text, interleaved parallel calls, text after them, late usage) into the fixture’s events', () => {
    const transform = createChatStream({
      publicModel: 'openai/gpt-5.4',
      includeUsage: true,
      toolIds: undefined,
      reasoning: true,
      encoded: false,
    });
    const encoder = new MessagesStreamEncoder(options);
    let out = '';
    for (const event of loadSseFixture('openai-tools.chunks.sse')) out += encoder.encode(transform.push(event));
    out += encoder.done(transform.usage());
    expect(out).toBe(loadTextFixture('openai-tools.events.sse'));
  });

  it('starts with the provider’s input count when the first chunk carries usage', () => {
    const encoder = new MessagesStreamEncoder(options);
    const first = {
      ...chunk({ role: 'assistant', content: 'Hi' }),
      usage: { prompt_tokens: 50, completion_tokens: 0, total_tokens: 50, prompt_tokens_details: { cached_tokens: 10 } },
    };
    const start = events(encoder.encode([first]))[0];
    expect(start).toMatchObject({ type: 'message_start', message: { usage: { input_tokens: 40, output_tokens: 0 } } });
  });

  it('writes a whole (empty) message for a stream that carried nothing', () => {
    const encoder = new MessagesStreamEncoder(options);
    expect(events(encoder.done(undefined)).map((e) => e.type)).toEqual(['message_start', 'message_delta', 'message_stop']);
  });

  it('estimates the usage when the provider reported none', () => {
    const encoder = new MessagesStreamEncoder(options);
    encoder.encode([chunk({ content: 'x'.repeat(40) }, 'stop')]);
    const last = events(encoder.done(undefined)).at(-2);
    expect(last).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 300, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('numbers calls from hosts that send no index: an id starts a call, a fragment without one continues it', () => {
    const encoder = new MessagesStreamEncoder(options);
    let out = encoder.encode([
      chunk({ tool_calls: [{ id: 'call_1', function: { name: 'a', arguments: '{"x":' } } as never] }),
      chunk({ tool_calls: [{ function: { arguments: '1}' } } as never] }),
      chunk({ tool_calls: [{ id: 'call_2', function: { name: 'b', arguments: '{}' } } as never] }, 'tool_calls'),
    ]);
    out += encoder.done(undefined);
    const blocks = events(out)
      .filter((e) => e.type === 'content_block_start')
      .map((e) => e.content_block);
    expect(blocks).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'a', input: {} },
      { type: 'tool_use', id: 'call_2', name: 'b', input: {} },
    ]);
    const deltas = events(out)
      .filter((e) => e.type === 'content_block_delta')
      .map((e) => [e.index, (e.delta as { partial_json: string }).partial_json]);
    expect(deltas).toEqual([
      [0, '{"x":'],
      [0, '1}'],
      [1, '{}'],
    ]);
  });

  it('names the stop sequence a host (vLLM) says it stopped on', () => {
    const encoder = new MessagesStreamEncoder(options);
    const finish = chunk({ content: 'Done' }, 'stop');
    (finish.choices[0] as Record<string, unknown>).stop_reason = 'END';
    const out = encoder.encode([finish]) + encoder.done(undefined);
    expect(events(out).at(-2)).toMatchObject({ delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' } });
  });

  it('maps a refusal to text and length to max_tokens; pings and errors are Anthropic events', () => {
    const encoder = new MessagesStreamEncoder(options);
    const out = encoder.encode([chunk({ refusal: 'I cannot.' }, 'length')]) + encoder.done(undefined);
    expect(events(out).find((e) => e.type === 'content_block_delta')).toMatchObject({
      delta: { type: 'text_delta', text: 'I cannot.' },
    });
    expect(events(out).at(-2)).toMatchObject({ delta: { stop_reason: 'max_tokens' } });
    expect(PING_EVENT).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    expect(encoder.keepAlive).toBe(PING_EVENT);
    expect(events(encoder.error(new GatewayError({ status: 502, message: 'Lost.' })))).toEqual([
      { type: 'error', error: { type: 'api_error', message: 'Lost.' } },
    ]);
  });
});
