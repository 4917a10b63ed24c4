import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { ChatCompletionChunk, ToolCallDelta, Usage } from '../../openai/types.js';
import { SseParser } from '../../providers/sse-parser.js';
import { translateRequest } from './request.js';
import { ResponsesStreamEncoder } from './stream.js';

type Event = Record<string, unknown> & { type: string; sequence_number: number };

const request = translateRequest({
  model: 'groq/qwen3-32b',
  input: 'Weather in Paris and Lyon?',
  stream: true,
  tools: [
    { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } },
    { type: 'namespace', name: 'multi_agent_v1', description: 'd', tools: [{ type: 'function', name: 'spawn_agent' }] },
  ],
});

const usage: Usage = {
  prompt_tokens: 50,
  completion_tokens: 12,
  total_tokens: 62,
  prompt_tokens_details: { cached_tokens: 10 },
  completion_tokens_details: { reasoning_tokens: 4 },
};

function chunk(
  delta: ChatCompletionChunk['choices'][number]['delta'],
  finish: ChatCompletionChunk['choices'][number]['finish_reason'] = null,
): ChatCompletionChunk {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'groq/qwen3-32b',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}
function usageChunk(): ChatCompletionChunk {
  return { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'groq/qwen3-32b', choices: [], usage };
}
function calls(...deltas: ToolCallDelta[]): ChatCompletionChunk {
  return chunk({ tool_calls: deltas });
}

/** Parses the SSE text back into events, checking the framing: the event name is the payload's type. */
function parse(text: string): Event[] {
  const parser = new SseParser();
  const events = [...parser.push(new TextEncoder().encode(text)), ...parser.end()];
  return events.map((event) => {
    const data = JSON.parse(event.data) as Event;
    expect(event.event).toBe(data.type);
    return data;
  });
}

/**
 * Rebuilds the output from the events the way the OpenAI SDK's ResponseStream does, checking on the
 * way that every event refers to an item that was added, under that item's id.
 */
function replay(events: Event[]): Array<Record<string, unknown>> {
  const output: Array<Record<string, unknown> & { id: string }> = [];
  events.forEach((event, i) => expect(event.sequence_number).toBe(i));
  for (const event of events) {
    if (event.type === 'response.output_item.added') {
      expect(event.output_index).toBe(output.length);
      output.push(structuredClone(event.item) as Record<string, unknown> & { id: string });
      continue;
    }
    if (!('output_index' in event)) continue;
    const item = output[event.output_index as number];
    expect(item).toBeDefined();
    if (item === undefined) continue;
    if ('item_id' in event) expect(event.item_id).toBe(item.id);
    if (event.type === 'response.content_part.added') (item.content as unknown[]).push(structuredClone(event.part));
    if (event.type === 'response.output_text.delta') {
      const part = (item.content as Array<{ type: string; text: string }>)[event.content_index as number];
      expect(part?.type).toBe('output_text');
      if (part) part.text += event.delta as string;
    }
    if (event.type === 'response.function_call_arguments.delta')
      item.arguments = `${item.arguments as string}${event.delta as string}`;
    if (event.type === 'response.output_item.done') {
      expect((event.item as { id: string }).id).toBe(item.id);
      output[event.output_index as number] = structuredClone(event.item) as Record<string, unknown> & { id: string };
    }
  }
  return output;
}

function run(chunks: ChatCompletionChunk[][]): Event[] {
  const encoder = new ResponsesStreamEncoder(request.echo, request.names);
  let text = '';
  for (const batch of chunks) text += encoder.encode(batch);
  return parse(text + encoder.done(undefined));
}

describe('ResponsesStreamEncoder', () => {
  it('streams a text answer as the full event sequence, ending in response.completed with usage', () => {
    const events = run([
      [chunk({ role: 'assistant', content: '' })],
      [chunk({ content: 'Sunny' }), chunk({ content: ' in Paris.' })],
      [chunk({}, 'stop'), usageChunk()],
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const created = events[0]?.response as Record<string, unknown>;
    expect(created).toMatchObject({
      object: 'response',
      status: 'in_progress',
      output: [],
      usage: null,
      model: 'groq/qwen3-32b',
    });
    expect(events[4]).toMatchObject({ delta: 'Sunny', content_index: 0, output_index: 0, logprobs: [] });
    expect(events[6]).toMatchObject({ text: 'Sunny in Paris.', logprobs: [] });
    const completed = events.at(-1)?.response as Record<string, unknown>;
    expect(completed.id).toBe(created.id);
    expect(completed).toMatchObject({
      status: 'completed',
      output: [
        { type: 'message', status: 'completed', content: [{ type: 'output_text', text: 'Sunny in Paris.', annotations: [] }] },
      ],
      usage: {
        input_tokens: 50,
        input_tokens_details: { cached_tokens: 10 },
        output_tokens: 12,
        output_tokens_details: { reasoning_tokens: 4 },
        total_tokens: 62,
      },
    });
    expect(replay(events)).toEqual(completed.output);
  });

  it('streams parallel tool calls as function_call items with their own ids and output indexes, even interleaved', () => {
    const events = run([
      [calls({ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } })],
      [calls({ index: 0, function: { arguments: '{"city":' } })],
      [calls({ index: 1, id: 'call_b', type: 'function', function: { name: 'multi_agent_v1__spawn_agent', arguments: '{"x"' } })],
      [calls({ index: 0, function: { arguments: '"Paris"}' } }), calls({ index: 1, function: { arguments: ':1}' } })],
      [chunk({}, 'tool_calls'), usageChunk()],
    ]);
    const completed = events.at(-1)?.response as { output: Array<Record<string, unknown>>; status: string };
    expect(completed.status).toBe('completed');
    expect(completed.output).toMatchObject([
      { type: 'function_call', status: 'completed', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      {
        type: 'function_call',
        status: 'completed',
        call_id: 'call_b',
        name: 'spawn_agent',
        namespace: 'multi_agent_v1',
        arguments: '{"x":1}',
      },
    ]);
    expect(completed.output[0]?.id).not.toBe(completed.output[1]?.id);
    expect(replay(events)).toEqual(completed.output);
    const done = events.filter((e) => e.type === 'response.function_call_arguments.done');
    expect(done).toMatchObject([
      { name: 'get_weather', arguments: '{"city":"Paris"}', output_index: 0 },
      { name: 'spawn_agent', arguments: '{"x":1}', output_index: 1 },
    ]);
  });

  it('turns streamed reasoning_content into a reasoning summary item before the message', () => {
    const events = run([
      [chunk({ role: 'assistant', reasoning_content: 'The user' }), chunk({ reasoning_content: ' wants weather.' })],
      [chunk({ content: 'Sunny.' }), chunk({}, 'stop')],
    ]);
    expect(events.map((e) => e.type).slice(2, 9)).toEqual([
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
    ]);
    const completed = events.at(-1)?.response as { output: Array<Record<string, unknown>> };
    expect(completed.output).toMatchObject([
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'The user wants weather.' }] },
      { type: 'message', content: [{ type: 'output_text', text: 'Sunny.' }] },
    ]);
    expect(events.find((e) => e.type === 'response.reasoning_summary_text.done')).toMatchObject({
      summary_index: 0,
      text: 'The user wants weather.',
    });
    expect(replay(events)).toEqual(completed.output);
  });

  it('ends a stream cut by the token limit with response.incomplete and the reason', () => {
    const events = run([[chunk({ content: 'The weather in Par' }), chunk({}, 'length'), usageChunk()]]);
    const last = events.at(-1);
    expect(last?.type).toBe('response.incomplete');
    expect(last?.response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [{ type: 'message', status: 'incomplete' }],
      usage: { output_tokens: 12 },
    });
  });

  it('takes the final usage from the transform when the stream had no usage chunk', () => {
    const encoder = new ResponsesStreamEncoder(request.echo, request.names);
    const text =
      encoder.encode([chunk({ content: 'Hi' }), chunk({}, 'stop')]) +
      encoder.done({ promptTokens: 9, completionTokens: 2, cachedTokens: 3 });
    expect(parse(text).at(-1)?.response).toMatchObject({
      usage: {
        input_tokens: 9,
        input_tokens_details: { cached_tokens: 3 },
        output_tokens: 2,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 11,
      },
    });
  });

  it('still answers created, in_progress and completed for a stream with no content', () => {
    const encoder = new ResponsesStreamEncoder(request.echo, request.names);
    expect(parse(encoder.encode([]) + encoder.done(undefined)).map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.completed',
    ]);
  });

  it('reports a failure after the first byte as an error event and response.failed with what was produced', () => {
    const encoder = new ResponsesStreamEncoder(request.echo, request.names);
    const text =
      encoder.encode([chunk({ content: 'Half an ans' })]) +
      encoder.error(
        new GatewayError({ status: 502, code: 'upstream_error', message: 'The upstream stream ended before it was complete' }),
      );
    const events = parse(text);
    expect(events.map((e) => e.type).slice(-2)).toEqual(['error', 'response.failed']);
    expect(events.at(-2)).toMatchObject({
      code: 'upstream_error',
      message: 'The upstream stream ended before it was complete',
      param: null,
    });
    expect(events.at(-1)?.response).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'The upstream stream ended before it was complete' },
      output: [{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'Half an ans' }] }],
    });
    events.forEach((e, i) => expect(e.sequence_number).toBe(i));
  });

  it('streams a refusal as its own content part', () => {
    const events = run([[chunk({ refusal: 'I cannot' }), chunk({ refusal: ' help.' }), chunk({}, 'stop')]]);
    expect(events.map((e) => e.type)).toContain('response.refusal.delta');
    expect(events.find((e) => e.type === 'response.refusal.done')).toMatchObject({ refusal: 'I cannot help.' });
    expect((events.at(-1)?.response as { output: unknown[] }).output).toMatchObject([
      { type: 'message', content: [{ type: 'refusal', refusal: 'I cannot help.' }] },
    ]);
  });
});
