import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { SseEvent, StreamTransform } from '../provider.js';
import { GROQ_EXPECTED_CHUNKS, GROQ_STREAM } from './__fixtures__/groq-stream.js';
import { MISTRAL_EXPECTED_CHUNKS, MISTRAL_STREAM } from './__fixtures__/mistral-tool-call.js';
import { OLLAMA_EXPECTED_CHUNKS, OLLAMA_STREAM } from './__fixtures__/ollama-stream.js';
import { OPENAI_TEXT_STREAM } from './__fixtures__/openai-stream.js';
import { replayStream } from './__fixtures__/replay.js';
import { TOGETHER_EXPECTED_CHUNKS, TOGETHER_STREAM } from './__fixtures__/together-stream.js';
import { ToolIdMap } from './mistral-tool-ids.js';
import { createChatStream } from './stream.js';

function stream(publicModel: string, includeUsage: boolean, toolIds?: ToolIdMap): StreamTransform {
  return createChatStream({ publicModel, includeUsage, toolIds, reasoning: true, encoded: true });
}

function data(payload: unknown): SseEvent {
  return { event: undefined, data: typeof payload === 'string' ? payload : JSON.stringify(payload), id: undefined };
}

const chunk = (fields: Record<string, unknown> = {}) => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'up',
  choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }],
  ...fields,
});

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('createChatStream', () => {
  it('push() rewrites model and moves OpenAI usage into one final chunk', () => {
    const transform = stream('openai/gpt-4o-mini', true);
    const chunks = replayStream(OPENAI_TEXT_STREAM, transform);
    expect(chunks.map((c) => c.model)).toEqual(Array(5).fill('openai/gpt-4o-mini'));
    expect(chunks.slice(0, 4).every((c) => !JSON.stringify(c).includes('usage'))).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? null).join('')).toBe('Paris: 18°C, cloudy 🌥 (東京: 22°C, €0).');
    expect(chunks[4]).toEqual({
      id: 'chatcmpl-9f3K2',
      object: 'chat.completion.chunk',
      created: 1767225600,
      model: 'openai/gpt-4o-mini',
      choices: [],
      usage: {
        prompt_tokens: 212,
        completion_tokens: 14,
        total_tokens: 226,
        prompt_tokens_details: { cached_tokens: 128 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(transform.finished).toBe(true);
    expect(transform.usage()).toEqual({ promptTokens: 212, completionTokens: 14, cachedTokens: 128 });
  });

  it('push() emits no usage chunk when the client did not ask, but still records usage', () => {
    const transform = stream('openai/gpt-4o-mini', false);
    const chunks = replayStream(OPENAI_TEXT_STREAM, transform);
    expect(chunks).toHaveLength(4);
    expect(chunks.some((c) => c.usage !== undefined || JSON.stringify(c).includes('usage'))).toBe(false);
    expect(transform.usage()).toEqual({ promptTokens: 212, completionTokens: 14, cachedTokens: 128 });
  });

  it('push() reads Groq usage from x_groq.usage', () => {
    const transform = stream('groq/llama-3.3-70b-versatile', true);
    const chunks = replayStream(GROQ_STREAM, transform);
    expect(chunks).toEqual(GROQ_EXPECTED_CHUNKS);
    // toEqual ignores undefined properties; the wire text is what the client sees.
    expect(JSON.stringify(chunks[2])).not.toContain('usage');
    expect(transform.usage()).toEqual({ promptTokens: 41, completionTokens: 3, cachedTokens: 0 });
  });

  it("push() maps Together's eos to stop and strips usage from a chunk with choices", () => {
    const transform = stream('together/meta-llama/Llama-3.3-70B-Instruct-Turbo', false);
    expect(replayStream(TOGETHER_STREAM, transform)).toEqual(TOGETHER_EXPECTED_CHUNKS);
    expect(transform.usage()).toEqual({ promptTokens: 36, completionTokens: 2, cachedTokens: 0 });
  });

  it("push() maps Ollama's empty finish_reason to null and drops the usage-only chunk", () => {
    const transform = stream('ollama/llama3.2', false);
    expect(replayStream(OLLAMA_STREAM, transform)).toEqual(OLLAMA_EXPECTED_CHUNKS);
    expect(transform.usage()).toEqual({ promptTokens: 27, completionTokens: 4, cachedTokens: 0 });
  });

  it('push() restores Mistral tool-call ids in deltas', () => {
    const toolIds = new ToolIdMap();
    toolIds.toUpstream('call_7Yq2');
    const transform = stream('mistral/mistral-large-latest', false, toolIds);
    expect(replayStream(MISTRAL_STREAM, transform)).toEqual(MISTRAL_EXPECTED_CHUNKS);
    expect(transform.usage()).toEqual({ promptTokens: 96, completionTokens: 20, cachedTokens: 0 });
  });

  it('push() gives the same chunks for every network chunk size', () => {
    const reference = replayStream(GROQ_STREAM, stream('groq/l', true), 1 << 20);
    for (const size of [1, 2, 3, 5, 64]) expect(replayStream(GROQ_STREAM, stream('groq/l', true), size)).toEqual(reference);
  });

  it('push() throws a 502 protocol error on a data payload with a top-level error', () => {
    const transform = stream('p/m', false);
    transform.push(data(chunk()));
    const error = thrown(() => transform.push(data({ error: { message: 'Overloaded', type: 'server_error' } })));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      status: 502,
      code: 'upstream_error',
      failure: 'protocol',
      message: 'The upstream reported an error mid-stream: Overloaded',
    });
  });

  it("push() throws on Groq's x_groq.error and on an error event", () => {
    expect(thrown(() => stream('p/m', false).push(data(chunk({ x_groq: { error: 'stopped early' } }))))).toMatchObject({
      status: 502,
      message: 'The upstream reported an error mid-stream: stopped early',
    });
    const event: SseEvent = { event: 'error', data: '{"error":{"message":"boom"}}', id: undefined };
    expect(thrown(() => stream('p/m', false).push(event))).toMatchObject({
      failure: 'protocol',
      message: 'The upstream reported an error mid-stream: boom',
    });
  });

  it('push() throws a protocol error for data that is not JSON', () => {
    expect(thrown(() => stream('p/m', false).push(data('{"id":')))).toMatchObject({ status: 502, failure: 'protocol' });
  });

  it('push() ignores blank data and anything after [DONE]', () => {
    const transform = stream('p/m', false);
    expect(transform.push(data(''))).toEqual([]);
    expect(transform.push(data('[DONE]'))).toEqual([]);
    expect(transform.push(data(chunk()))).toEqual([]);
    expect(transform.end()).toEqual([]);
  });

  it('push() fills a missing finish_reason, object and (on the first chunk of a choice) role', () => {
    const [out] = stream('p/m', false).push(
      data({ id: 'c', created: 1, model: 'up', choices: [{ index: 0, delta: { content: 'x' } }] }),
    );
    expect(out).toEqual({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'p/m',
      choices: [{ index: 0, delta: { role: 'assistant', content: 'x' }, finish_reason: null }],
    });
  });

  it('end() completes a stream without [DONE] once a finish reason was seen', () => {
    const transform = stream('custom/qwen', true);
    transform.push(data(chunk()));
    transform.push(
      data(
        chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2 } }),
      ),
    );
    expect(transform.finished).toBe(false);
    expect(transform.end()).toEqual([
      {
        id: 'c',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'custom/qwen',
        choices: [],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      },
    ]);
    expect(transform.finished).toBe(true);
  });

  it('end() throws a 502 reset error when the stream stopped mid-answer', () => {
    const transform = stream('p/m', true);
    transform.push(data(chunk()));
    const error = thrown(() => transform.end());
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      status: 502,
      code: 'upstream_error',
      failure: 'reset',
      message: 'The upstream stream ended before it was complete',
    });
    expect(transform.finished).toBe(false);
  });

  it('usage() is undefined when the upstream reported none', () => {
    const transform = stream('p/m', true);
    transform.push(data(chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'length' }] })));
    expect(transform.push(data('[DONE]'))).toEqual([]);
    expect(transform.usage()).toBeUndefined();
  });
});
