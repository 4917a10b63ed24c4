import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { ChatCompletionChunk } from '../../openai/types.js';
import type { SseEvent, StreamTransform } from '../provider.js';
import { eventsOf, recordingsIn } from '../../../test/helpers/recording.js';
import { createGeminiStream } from './stream.js';
import type { SignedToolCallDelta } from './thought-signature.js';
import { chunksOf, pushAll } from '../../../test/helpers/stream-chunks.js';

const recorded = recordingsIn(new URL('./__fixtures__/', import.meta.url));

const model = 'gemini/gemini-2.5-flash';

/** Pushes every event of a fixture, then ends the stream. */
function run(name: string, includeUsage: boolean): { chunks: ChatCompletionChunk[]; stream: StreamTransform } {
  const stream = createGeminiStream({ publicModel: model, includeUsage, reasoning: true });
  const chunks = pushAll(stream, eventsOf(recorded(name)));
  chunks.push(...stream.end());
  return { chunks, stream };
}

function chunk(
  id: string,
  choices: ChatCompletionChunk['choices'],
  extra: Partial<ChatCompletionChunk> = {},
): ChatCompletionChunk {
  return { id, object: 'chat.completion.chunk', created: expect.any(Number) as number, model, choices, ...extra };
}

function thrown(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('createGeminiStream()', () => {
  it('createGeminiStream() streams text and thought deltas, a finish chunk and the final usage chunk', () => {
    const { chunks, stream } = run('text.stream.http', true);
    const id = 'chatcmpl-x3a9Z8mQ';
    expect(chunks).toEqual([
      chunk(id, [{ index: 0, delta: { role: 'assistant', content: 'Paris is' }, logprobs: null, finish_reason: null }]),
      chunk(id, [{ index: 0, delta: { reasoning_content: 'Thinking about clouds' }, logprobs: null, finish_reason: null }]),
      chunk(id, [{ index: 0, delta: { content: ' cloudy, 18°C.' }, logprobs: null, finish_reason: null }]),
      chunk(id, [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
      chunk(id, [], {
        usage: {
          prompt_tokens: 260,
          completion_tokens: 29,
          total_tokens: 289,
          prompt_tokens_details: { cached_tokens: 100 },
          completion_tokens_details: { reasoning_tokens: 20 },
        },
      }),
    ]);
    expect(stream.finished).toBe(true);
    expect(stream.usage()).toEqual({ promptTokens: 260, completionTokens: 29, cachedTokens: 100, reasoningTokens: 20 });
    expect(new Set(chunks.map((c) => c.created)).size).toBe(1);
  });

  it('createGeminiStream() assembles a function call streamed in pieces (partialArgs / willContinue)', () => {
    const stream = createGeminiStream({ publicModel: model, includeUsage: false, reasoning: true });
    const parts = (part: Record<string, unknown>, extra: Record<string, unknown> = {}): SseEvent => ({
      event: undefined,
      id: undefined,
      data: JSON.stringify({ candidates: [{ content: { role: 'model', parts: [part] }, index: 0, ...extra }], responseId: 'p' }),
    });
    const events = [
      parts({ functionCall: { name: 'get_weather', willContinue: true }, thoughtSignature: 'sig-1' }),
      parts({
        functionCall: { partialArgs: [{ jsonPath: '$.location', stringValue: 'Par', willContinue: true }], willContinue: true },
      }),
      parts({ functionCall: { partialArgs: [{ jsonPath: '$.location', stringValue: 'is' }], willContinue: true } }),
      parts({
        functionCall: {
          partialArgs: [
            { jsonPath: '$.days', numberValue: 3 },
            { jsonPath: "$.options['unit']", stringValue: 'C' },
            { jsonPath: '$.tags[0]', stringValue: 'a' },
            { jsonPath: '$.__proto__', boolValue: true },
          ],
          willContinue: true,
        },
      }),
      parts({ functionCall: {} }, { finishReason: 'STOP' }),
    ];
    const chunks = pushAll(stream, events);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse(calls[0]?.function?.arguments ?? '')).toEqual(
      JSON.parse('{"location":"Paris","days":3,"options":{"unit":"C"},"tags":["a"],"__proto__":true}'),
    );
    expect(({} as Record<string, unknown>).location).toBeUndefined();
    expect((calls[0] as SignedToolCallDelta).extra_content?.google.thought_signature).toBe('sig-1');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('createGeminiStream() emits no usage chunk unless asked, but still reports usage to the gateway', () => {
    const { chunks, stream } = run('text.stream.http', false);
    expect(chunks.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
    expect(stream.usage()).toEqual({ promptTokens: 260, completionTokens: 29, cachedTokens: 100, reasoningTokens: 20 });
  });

  it('createGeminiStream() emits each function call as one complete tool-call delta and finishes with tool_calls', () => {
    const { chunks } = run('tool-call.stream.http', false);
    const id = 'chatcmpl-tC1';
    const callId = expect.stringMatching(/^call_[\w-]{24}$/) as string;
    const paris: SignedToolCallDelta = {
      index: 0,
      id: callId,
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      extra_content: { google: { thought_signature: 'CtQBAdHtim9kR2yWq0Zs' } },
    };
    expect(chunks).toEqual([
      chunk(id, [
        {
          index: 0,
          delta: {
            role: 'assistant',
            tool_calls: [paris],
          },
          logprobs: null,
          finish_reason: null,
        },
      ]),
      chunk(id, [
        {
          index: 0,
          delta: {
            tool_calls: [
              { index: 1, id: callId, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
            ],
          },
          logprobs: null,
          finish_reason: null,
        },
      ]),
      chunk(id, [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }]),
    ]);
  });

  it('createGeminiStream() throws the mapped error for an error object inside the stream', () => {
    const stream = createGeminiStream({ publicModel: model, includeUsage: false, reasoning: true });
    const [first, second] = eventsOf(recorded('error.stream.http'));
    expect(stream.push(first ?? { event: undefined, data: '', id: undefined })).toHaveLength(1);
    const error = thrown(() => stream.push(second ?? { event: undefined, data: '', id: undefined }));
    expect(error).toMatchObject({
      status: 503,
      message: 'The model is overloaded. Please try again later.',
      retryable: true,
      failure: 'protocol',
    });
  });

  it('createGeminiStream() throws a reset error when the stream ends before a finish reason', () => {
    const stream = createGeminiStream({ publicModel: model, includeUsage: true, reasoning: true });
    for (const event of eventsOf(recorded('cut.stream.http'))) stream.push(event);
    expect(stream.finished).toBe(false);
    const error = thrown(() => stream.end());
    expect(error).toMatchObject({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_error',
      failure: 'reset',
      message: 'The upstream stream ended before it was complete',
    });
    // What was reported before the cut is still known, for billing the partial answer.
    expect(stream.usage()).toEqual({ promptTokens: 260, completionTokens: 4, cachedTokens: 0 });
  });

  it('createGeminiStream() finishes a blocked prompt with content_filter', () => {
    const { chunks, stream } = run('blocked.stream.http', false);
    expect(chunks).toEqual([
      chunk('chatcmpl-bL0ck', [
        { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: 'content_filter' },
      ]),
    ]);
    expect(stream.finished).toBe(true);
  });

  it('createGeminiStream() is finished only when every candidate has finished', () => {
    const stream = createGeminiStream({ publicModel: model, includeUsage: false, reasoning: true });
    const data = (candidates: unknown[]) => ({
      event: undefined,
      id: undefined,
      data: JSON.stringify({ candidates, responseId: 'm' }),
    });
    stream.push(
      data([
        { content: { parts: [{ text: 'A' }] }, finishReason: 'STOP', index: 0 },
        { content: { parts: [{ text: 'B' }] }, index: 1 },
      ]),
    );
    expect(stream.finished).toBe(false);
    const last = chunksOf(stream.push(data([{ content: { parts: [{ text: 'C' }] }, finishReason: 'MAX_TOKENS', index: 1 }])));
    expect(stream.finished).toBe(true);
    expect(last.map((c) => c.choices[0])).toEqual([
      { index: 1, delta: { content: 'C' }, logprobs: null, finish_reason: null },
      { index: 1, delta: {}, logprobs: null, finish_reason: 'length' },
    ]);
  });

  it('createGeminiStream() throws a protocol error for data that is not JSON', () => {
    const stream = createGeminiStream({ publicModel: model, includeUsage: false, reasoning: true });
    expect(thrown(() => stream.push({ event: undefined, data: '{"candidates":[', id: undefined }))).toMatchObject({
      status: 502,
      failure: 'protocol',
    });
  });
});
