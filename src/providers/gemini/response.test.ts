import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { jsonOf, recordingsIn } from '../../../test/helpers/recording.js';
import { toChatCompletion } from './response.js';

const recorded = recordingsIn(new URL('./__fixtures__/', import.meta.url));

const options = { publicModel: 'gemini/gemini-2.5-flash', choices: 1, reasoning: true };
const toolCallId = expect.stringMatching(/^call_[\w-]{24}$/);

describe('toChatCompletion()', () => {
  it('toChatCompletion() joins text parts, gives thoughts as reasoning_content and maps usage', () => {
    expect(toChatCompletion(jsonOf(recorded('text.response.http')), options)).toEqual({
      id: 'chatcmpl-x3a9Z8mQ',
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gemini/gemini-2.5-flash',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Paris is cloudy, 18°C.',
            refusal: null,
            reasoning_content: 'Considering the forecast for Paris...',
          },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 272,
        completion_tokens: 57,
        total_tokens: 329,
        prompt_tokens_details: { cached_tokens: 128 },
        completion_tokens_details: { reasoning_tokens: 48 },
      },
    });
  });

  it("toChatCompletion() leaves thoughts out when the client turned reasoning off, and keeps Gemini's call ids", () => {
    const message = toChatCompletion(jsonOf(recorded('text.response.http')), { ...options, reasoning: false }).choices[0]
      ?.message;
    expect(message).toEqual({ role: 'assistant', content: 'Paris is cloudy, 18°C.', refusal: null });
    const withId = {
      candidates: [
        {
          content: { parts: [{ functionCall: { id: 'fc-7', name: 'get_weather', args: { city: 'Paris' } } }] },
          finishReason: 'STOP',
        },
      ],
    };
    expect(toChatCompletion(withId, options).choices[0]?.message.tool_calls?.[0]).toMatchObject({
      id: 'fc-7',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    });
  });

  it('toChatCompletion() turns function calls into tool calls with fresh ids and carries thought signatures', () => {
    const completion = toChatCompletion(jsonOf(recorded('tool-calls.response.http')), options);
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Checking both cities.',
          refusal: null,
          tool_calls: [
            {
              id: toolCallId,
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              extra_content: { google: { thought_signature: 'CtQBAdHtim9kR2yWq0Zs' } },
            },
            { id: toolCallId, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
            { id: toolCallId, type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
    const ids = completion.choices[0]?.message.tool_calls?.map((call) => call.id);
    expect(new Set(ids).size).toBe(3);
  });

  it('toChatCompletion() answers a blocked prompt with empty content and content_filter', () => {
    const completion = toChatCompletion(jsonOf(recorded('blocked.response.http')), options);
    expect(completion.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: 'content_filter' },
    ]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 14, completion_tokens: 0, total_tokens: 14 });
  });

  it('toChatCompletion() returns every candidate when n > 1 and only the first otherwise', () => {
    const both = toChatCompletion(jsonOf(recorded('candidates.response.http')), { ...options, choices: 2 });
    expect(both.choices.map((choice) => [choice.index, choice.finish_reason])).toEqual([
      [0, 'stop'],
      [1, 'length'],
    ]);
    expect(toChatCompletion(jsonOf(recorded('candidates.response.http')), options).choices).toHaveLength(1);
  });

  it('toChatCompletion() sets model to the public model string, not Gemini modelVersion', () => {
    expect(toChatCompletion(jsonOf(recorded('text.response.http')), { ...options, publicModel: 'fallback/x' }).model).toBe(
      'fallback/x',
    );
  });

  it('toChatCompletion() throws a retryable 502 protocol error for a body it cannot read', () => {
    const read = () => toChatCompletion({ candidates: 'nope' }, options);
    expect(read).toThrow(GatewayError);
    expect(read).toThrow(expect.objectContaining({ status: 502, failure: 'protocol', retryable: true }));
  });
});
