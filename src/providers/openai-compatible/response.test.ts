import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { ToolIdMap } from './mistral-tool-ids.js';
import { encodePlainResponse, normaliseFinishReason, parseChatResponse } from './response.js';

const completion = () => ({
  id: 'chatcmpl-9f3K2',
  object: 'chat.completion',
  created: 1767225600,
  model: 'gpt-4o-mini-2024-07-18',
  system_fingerprint: 'fp_1a2b3c',
  service_tier: 'default',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6, prompt_tokens_details: { cached_tokens: 0 } },
});

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('normaliseFinishReason', () => {
  it("normaliseFinishReason() keeps OpenAI's five reasons", () => {
    for (const reason of ['stop', 'length', 'tool_calls', 'content_filter', 'function_call']) {
      expect(normaliseFinishReason(reason)).toBe(reason);
    }
  });

  it('normaliseFinishReason() maps host-specific reasons', () => {
    expect(normaliseFinishReason('eos')).toBe('stop');
    expect(normaliseFinishReason('model_length')).toBe('length');
    expect(normaliseFinishReason('')).toBeNull();
    expect(normaliseFinishReason(null)).toBeNull();
    expect(normaliseFinishReason(undefined)).toBeNull();
    expect(normaliseFinishReason('something_new')).toBe('stop');
  });

  it("normaliseFinishReason() treats Mistral's error as an upstream failure", () => {
    expect(thrown(() => normaliseFinishReason('error'))).toMatchObject({
      status: 502,
      code: 'upstream_error',
      failure: 'protocol',
    });
  });
});

describe('parseChatResponse', () => {
  it("parseChatResponse() sets the public model and keeps OpenAI's fields and hosts' documented extensions", () => {
    expect(parseChatResponse(completion(), 'openai/gpt-4o-mini', undefined, true)).toEqual({
      ...completion(),
      model: 'openai/gpt-4o-mini',
    });
    const extended = {
      ...completion(),
      x_groq: { id: 'req_1' },
      prompt_logprobs: null,
      citations: ['https://example.com'],
      perf_metrics: {},
    };
    expect(parseChatResponse(structuredClone(extended), 'groq/llama', undefined, true)).toEqual({
      ...extended,
      model: 'groq/llama',
    });
  });

  it("parseChatResponse() drops top-level fields that are neither OpenAI's nor a documented extension", () => {
    const body = { ...completion(), internal_secret: 'from a service behind the base URL', debug: { env: {} } };
    const parsed = parseChatResponse(body, 'custom/m', undefined, true) as unknown as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(Object.keys(completion()).sort());
    expect(JSON.stringify(parsed)).not.toContain('secret');
  });

  it('parseChatResponse() normalises finish reasons', () => {
    const body = completion();
    body.choices[0]!.finish_reason = 'eos';
    expect(parseChatResponse(body, 'together/x', undefined, true).choices[0]?.finish_reason).toBe('stop');
  });

  it('parseChatResponse() restores rewritten tool-call ids and leaves new ones', () => {
    const toolIds = new ToolIdMap();
    const upstreamId = toolIds.toUpstream('call_abc');
    const body = {
      ...completion(),
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: upstreamId, type: 'function', function: { name: 'f', arguments: '{}' } },
              { id: 'NewId1234', type: 'function', function: { name: 'f', arguments: '{}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
    };
    const result = parseChatResponse(body, 'mistral/m', toolIds, true);
    expect(result.choices[0]?.message.tool_calls?.map((call) => call.id)).toEqual(['call_abc', 'NewId1234']);
  });

  it('parseChatResponse() throws a 502 protocol error for a body that is not a chat completion', () => {
    for (const body of [null, 'text', [], { id: 'x' }, { choices: 'no' }]) {
      const error = thrown(() => parseChatResponse(body, 'p/m', undefined, true));
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ status: 502, code: 'upstream_error', failure: 'protocol' });
    }
  });

  it('parseChatResponse() quotes an error object sent with a 2xx status', () => {
    const error = thrown(() => parseChatResponse({ error: { message: 'model overloaded' } }, 'p/m', undefined, true));
    expect(error).toMatchObject({ status: 502, message: 'The upstream answered with an error: model overloaded' });
  });
  it('parseChatResponse() turns content parts into text and reasoning_content, and types untyped tool calls', () => {
    const body = completion();
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: [
        {
          type: 'thinking',
          thinking: [
            { type: 'text', text: 'The user wants ' },
            { type: 'text', text: 'a city.' },
          ],
        },
        { type: 'text', text: 'Paris.' },
      ],
      tool_calls: [{ id: 'D681PevKs', function: { name: 'f', arguments: '{}' } }],
    };
    body.choices[0]!.message = message as never;
    const parsed = parseChatResponse(body, 'mistral/magistral-medium-latest', undefined, true).choices[0]?.message;
    expect(parsed?.content).toBe('Paris.');
    expect(parsed?.reasoning_content).toBe('The user wants a city.');
    expect(parsed?.tool_calls?.[0]?.type).toBe('function');
  });

  it('parseChatResponse() names reasoning reasoning_content, and drops it when the client turned reasoning off', () => {
    const withReasoning = (): ReturnType<typeof completion> => {
      const body = completion();
      (body.choices[0]!.message as Record<string, unknown>).reasoning = 'Short.';
      return body;
    };
    expect(parseChatResponse(withReasoning(), 'groq/qwen3', undefined, true).choices[0]?.message).toMatchObject({
      content: 'Hi',
      reasoning_content: 'Short.',
    });
    const off = parseChatResponse(withReasoning(), 'groq/qwen3', undefined, false).choices[0]?.message;
    expect(JSON.parse(JSON.stringify(off))).toEqual({ role: 'assistant', content: 'Hi', refusal: null });
  });
});

describe('encodePlainResponse', () => {
  const MODEL = JSON.stringify('openai/gpt-4o-mini');
  const encode = (body: unknown, toolIds?: ToolIdMap): string | undefined =>
    encodePlainResponse(JSON.stringify(body), body, MODEL, toolIds, true);

  it('is the upstream text with the model edited in, meaning what parseChatResponse + stringify mean', () => {
    const text = encode(completion());
    expect(text).toBe(JSON.stringify(completion()).replace('"gpt-4o-mini-2024-07-18"', MODEL));
    expect(JSON.parse(text as string)).toEqual(parseChatResponse(completion(), 'openai/gpt-4o-mini', undefined, true));
  });

  it('declines content parts, `reasoning`, untyped tool calls, and reasoning the client turned off', () => {
    const body = completion();
    const message = body.choices[0]!.message as Record<string, unknown>;
    message.reasoning_content = 'Hmm.';
    expect(encode(body)).toBeDefined();
    expect(encodePlainResponse(JSON.stringify(body), body, MODEL, undefined, false)).toBeUndefined();
    for (const change of [
      { content: [{ type: 'text', text: 'Hi' }] },
      { reasoning: 'Hmm.' },
      { tool_calls: [{ id: 'x', function: { name: 'f', arguments: '{}' } }] },
    ]) {
      const changed = completion();
      Object.assign(changed.choices[0]!.message, change);
      expect(encode(changed)).toBeUndefined();
    }
  });

  it('declines whenever parseChatResponse would change more than the model', () => {
    for (const reason of ['eos', '', 'model_length', undefined]) {
      const body = { ...completion(), choices: [{ ...completion().choices[0], finish_reason: reason }] };
      expect(encode(body), String(reason)).toBeUndefined();
    }
    expect(encode({ ...completion(), object: 'chat.completion.chunk' })).toBeUndefined();
    // An unknown top-level member sends the answer down the full path, which drops it.
    expect(encode({ ...completion(), internal_secret: 'x' })).toBeUndefined();
    expect(encode({ ...completion(), x_groq: { id: 'req_1' } })).toBeDefined();
    expect(encode({ ...completion(), choices: [1] })).toBeUndefined();
    const ids = new ToolIdMap();
    ids.toUpstream('call_1');
    const withTools = completion() as ReturnType<typeof completion> & { choices: Array<{ message: Record<string, unknown> }> };
    withTools.choices[0]!.message.tool_calls = [{ id: 'abc123XYZ', type: 'function', function: { name: 'f', arguments: '{}' } }];
    expect(encode(withTools, ids)).toBeUndefined();
    expect(encode(withTools)).toBeDefined();
  });

  it('declines a text in another layout (pretty-printed, keys reordered)', () => {
    const body = completion();
    expect(encodePlainResponse(JSON.stringify(body, null, 2), body, MODEL, undefined, true)).toBeUndefined();
    const { id, ...rest } = body;
    const reordered = { ...rest, id };
    expect(encodePlainResponse(JSON.stringify(reordered), reordered, MODEL, undefined, true)).toBeUndefined();
  });
});
