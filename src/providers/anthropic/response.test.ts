import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../errors.js';
import { jsonOf, recordingsIn } from '../../../test/helpers/recording.js';
import { toChatCompletion } from './response.js';

const recorded = recordingsIn(new URL('./__fixtures__/', import.meta.url));

const NOW = new Date('2026-01-01T00:00:00Z');
const CREATED = NOW.getTime() / 1000;
const publicModel = 'anthropic/claude-sonnet-4-5';

describe('toChatCompletion()', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('toChatCompletion() joins text blocks, gives thinking as reasoning_content and counts cached tokens in the prompt', () => {
    const completion = toChatCompletion(jsonOf(recorded('message-text.http')), {
      publicModel,
      answerTool: undefined,
      reasoning: true,
    });
    expect(completion).toEqual({
      id: 'chatcmpl-msg_01TxtA',
      object: 'chat.completion',
      created: CREATED,
      model: publicModel,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Paris is cloudy, 18°C.', refusal: null, reasoning_content: 'Short answer.' },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 652,
        completion_tokens: 9,
        total_tokens: 661,
        prompt_tokens_details: { cached_tokens: 512, cache_write_tokens: 100 },
      },
    });
  });

  it('toChatCompletion() leaves the thinking out when the client turned reasoning off', () => {
    const message = toChatCompletion(jsonOf(recorded('message-text.http')), {
      publicModel,
      answerTool: undefined,
      reasoning: false,
    }).choices[0]?.message;
    expect(message).toEqual({ role: 'assistant', content: 'Paris is cloudy, 18°C.', refusal: null });
  });

  it('toChatCompletion() turns tool_use blocks into tool_calls with JSON-string arguments', () => {
    const completion = toChatCompletion(jsonOf(recorded('message-tool-use.http')), {
      publicModel,
      answerTool: undefined,
      reasoning: true,
    });
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Checking both.',
          refusal: null,
          tool_calls: [
            { id: 'toolu_01Lyon', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
            { id: 'toolu_01Time', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
    expect(completion.usage).toEqual({
      prompt_tokens: 380,
      completion_tokens: 87,
      total_tokens: 467,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('toChatCompletion() returns the response_format answer tool input as JSON content with finish_reason stop', () => {
    const completion = toChatCompletion(jsonOf(recorded('message-answer-tool.http')), {
      publicModel,
      answerTool: 'city_report',
      reasoning: true,
    });
    expect(completion).toEqual({
      id: 'chatcmpl-msg_01JsonE',
      object: 'chat.completion',
      created: CREATED,
      model: publicModel,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: '{"city":"Lyon","temp_c":18}', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 95, completion_tokens: 24, total_tokens: 119, prompt_tokens_details: { cached_tokens: 0 } },
    });
  });

  it('toChatCompletion() keeps client tool calls beside the answer tool', () => {
    const completion = toChatCompletion(
      {
        id: 'msg_x',
        content: [{ type: 'tool_use', id: 'toolu_t', name: 'get_time', input: {} }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 1, output_tokens: 1 },
      },
      { publicModel, answerTool: 'city_report', reasoning: true },
    );
    expect(completion.choices[0]?.message.content).toBeNull();
    expect(completion.choices[0]?.message.tool_calls).toHaveLength(1);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('toChatCompletion() maps a refusal to content_filter and an empty answer to null content', () => {
    const completion = toChatCompletion(
      { id: 'msg_r', content: [], stop_reason: 'refusal', usage: { input_tokens: 5, output_tokens: 0 } },
      { publicModel, answerTool: undefined, reasoning: true },
    );
    expect(completion.choices[0]?.message.content).toBeNull();
    expect(completion.choices[0]?.finish_reason).toBe('content_filter');
  });

  it('toChatCompletion() throws a retryable 502 protocol error for a body that is not a Message', () => {
    let error: unknown;
    try {
      toChatCompletion({ type: 'message', content: 'oops' }, { publicModel, answerTool: undefined, reasoning: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, type: 'upstream_error', retryable: true, failure: 'protocol' });
  });
});
