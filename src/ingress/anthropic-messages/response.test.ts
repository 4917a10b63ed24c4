import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { ChatCompletion } from '../../openai/types.js';
import { reasoningText, toMessageResponse } from './response.js';

function completion(
  message: ChatCompletion['choices'][number]['message'],
  finish: ChatCompletion['choices'][number]['finish_reason'],
  usage = true,
): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'openai/gpt-5.4',
    choices: [{ index: 0, message, finish_reason: finish }],
    ...(usage
      ? { usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, prompt_tokens_details: { cached_tokens: 100 } } }
      : {}),
  };
}

const options = { id: 'msg_1', inputTokensEstimate: 77, stopSequences: ['###'] };

describe('toMessageResponse', () => {
  it('writes reasoning as a thinking block, then text, then tool calls with parsed input', () => {
    const message = toMessageResponse(
      completion(
        {
          role: 'assistant',
          content: 'Checking.',
          reasoning_content: 'Need the weather.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
            { id: 'call_2', type: 'function', function: { name: 'now', arguments: '' } },
          ],
        },
        'tool_calls',
      ),
      options,
    );
    expect(message).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'openai/gpt-5.4',
      content: [
        { type: 'thinking', thinking: 'Need the weather.', signature: '' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Lyon' } },
        { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 100 },
    });
  });

  it('writes a refusal as text, an empty answer as no blocks, and the estimate when no usage came', () => {
    const refused = toMessageResponse(
      completion({ role: 'assistant', content: null, refusal: 'I cannot help.' }, 'content_filter', false),
      options,
    );
    expect(refused.content).toEqual([{ type: 'text', text: 'I cannot help.' }]);
    expect(refused.stop_reason).toBe('refusal');
    expect(refused.usage).toEqual({
      input_tokens: 77,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    expect(toMessageResponse(completion({ role: 'assistant', content: '' }, 'length'), options)).toMatchObject({
      content: [],
      stop_reason: 'max_tokens',
    });
  });

  it('fails as a retryable upstream error when a model’s tool arguments are not a JSON object', () => {
    const bad = completion(
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1,2]' } }],
      },
      'tool_calls',
    );
    let thrown: unknown;
    try {
      toMessageResponse(bad, options);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect(thrown).toMatchObject({ status: 502, retryable: true, failure: 'protocol' });
  });

  it('names the stop sequence a host (vLLM) says it stopped on', () => {
    const stopped = completion({ role: 'assistant', content: 'Done' }, 'stop');
    (stopped.choices[0] as Record<string, unknown>).stop_reason = '###';
    expect(toMessageResponse(stopped, options)).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: '###' });
  });
});

describe('reasoningText', () => {
  it('reads reasoning_content or reasoning, ignoring empty values', () => {
    expect(reasoningText({ reasoning_content: 'a' })).toBe('a');
    expect(reasoningText({ reasoning: 'b' })).toBe('b');
    expect(reasoningText({ reasoning_content: '' })).toBeUndefined();
    expect(reasoningText({ content: 'c' })).toBeUndefined();
  });
});
