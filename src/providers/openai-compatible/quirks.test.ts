import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { ChatCompletionRequest } from '../../openai/types.js';
import { applyQuirks } from './quirks.js';

function request(fields: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest {
  return { model: 'm', messages: [{ role: 'user', content: 'hi' }], ...fields };
}

describe('applyQuirks', () => {
  it('applyQuirks() leaves an OpenAI request untouched', () => {
    const body = request({ logprobs: true, top_logprobs: 2, seed: 1, max_completion_tokens: 5, n: 3 });
    const before = structuredClone(body);
    expect(applyQuirks('openai', body)).toEqual({ warnings: [], toolIds: undefined });
    expect(body).toEqual(before);
  });

  it('applyQuirks() maps developer to system for every other provider', () => {
    for (const provider of ['groq', 'mistral', 'together', 'fireworks', 'custom'] as const) {
      const body = request({ messages: [{ role: 'developer', content: 'rules' }] });
      applyQuirks(provider, body);
      expect(body.messages).toEqual([{ role: 'system', content: 'rules' }]);
    }
  });

  it('applyQuirks() strips Groq-rejected parameters and names them in warnings', () => {
    const body = request({
      messages: [
        { role: 'user', name: 'ada', content: 'hi' },
        { role: 'user', name: 'bob', content: 'yo' },
      ],
      logprobs: true,
      logit_bias: { '1': 2 },
      top_logprobs: 3,
    });
    expect(applyQuirks('groq', body).warnings).toEqual(['logprobs', 'logit_bias', 'top_logprobs', 'messages[].name']);
    expect(body).toEqual(
      request({
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'user', content: 'yo' },
        ],
      }),
    );
  });

  it('applyQuirks() drops Groq parameters that ask for nothing without a warning', () => {
    const body = request({ logprobs: false, top_logprobs: null, n: null });
    expect(applyQuirks('groq', body).warnings).toEqual([]);
    expect(body).toEqual(request());
  });

  it('applyQuirks() refuses n other than 1 on Groq with a 400 naming n', () => {
    expect(() => applyQuirks('groq', request({ n: 2 }))).toThrow(GatewayError);
    try {
      applyQuirks('groq', request({ n: 2 }));
    } catch (error) {
      expect(error).toMatchObject({ status: 400, param: 'n', code: 'invalid_request' });
    }
    const body = request({ n: 1 });
    applyQuirks('groq', body);
    expect(body.n).toBe(1);
  });

  it('applyQuirks() renames seed and max_completion_tokens for Mistral and drops stream_options', () => {
    const body = request({ seed: 7, max_completion_tokens: 50, stream: true, stream_options: { include_usage: true } });
    expect(applyQuirks('mistral', body)).toEqual({ warnings: [], toolIds: undefined });
    expect(body).toEqual(request({ random_seed: 7, max_tokens: 50, stream: true }));
  });

  it('applyQuirks() keeps only fields Mistral accepts and names the dropped ones', () => {
    const body = request({
      messages: [
        { role: 'system', name: 'x', content: 's' },
        { role: 'assistant', content: 'a', refusal: null, prefix: true },
        { role: 'tool', tool_call_id: 'abcdefghi', name: 'f', content: 'r' },
      ],
      user: 'u',
      service_tier: 'auto',
      safe_prompt: true,
      parallel_tool_calls: false,
    });
    expect(applyQuirks('mistral', body).warnings).toEqual(['user', 'service_tier', 'messages[].name']);
    expect(body).toEqual(
      request({
        messages: [
          { role: 'system', content: 's' },
          { role: 'assistant', content: 'a', prefix: true },
          { role: 'tool', tool_call_id: 'abcdefghi', name: 'f', content: 'r' },
        ],
        safe_prompt: true,
        parallel_tool_calls: false,
      }),
    );
  });

  it('applyQuirks() rewrites Mistral tool-call ids and returns the mapping', () => {
    const body = request({
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_7Yq2', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'call_7Yq2', content: 'r' },
      ],
    });
    const { toolIds } = applyQuirks('mistral', body);
    expect(body.messages[0]?.tool_calls?.[0]?.id).toBe('WVdQIYrCr');
    expect(body.messages[1]?.tool_call_id).toBe('WVdQIYrCr');
    expect(toolIds?.toClient('WVdQIYrCr')).toBe('call_7Yq2');
  });

  it('applyQuirks() prefers max_completion_tokens over max_tokens when both are set', () => {
    const body = request({ max_completion_tokens: 300, max_tokens: 100 });
    applyQuirks('fireworks', body);
    expect(body).toEqual(request({ max_tokens: 300 }));
    const onlyNull = request({ max_completion_tokens: null, max_tokens: 100 });
    applyQuirks('custom', onlyNull);
    expect(onlyNull).toEqual(request({ max_tokens: 100 }));
  });

  it("applyQuirks() turns OpenAI logprobs into Together's integer", () => {
    const withTop = request({ logprobs: true, top_logprobs: 5 });
    applyQuirks('together', withTop);
    expect(withTop).toEqual(request({ logprobs: 5 }));
    const plain = request({ logprobs: true });
    applyQuirks('together', plain);
    expect(plain).toEqual(request({ logprobs: 1 }));
    const off = request({ logprobs: false, top_logprobs: 2 });
    applyQuirks('together', off);
    expect(off).toEqual(request());
  });

  it("applyQuirks() leaves a custom server's parameters as they are", () => {
    const body = request({ top_k: 40, guided_json: { type: 'object' }, logprobs: true, n: 2, tool_choice: 'auto' });
    const before = structuredClone(body);
    expect(applyQuirks('custom', body).warnings).toEqual([]);
    expect(body).toEqual(before);
  });

  it("applyQuirks() never mutates the client's messages", () => {
    const messages = [
      { role: 'developer' as const, content: 'd' },
      { role: 'user' as const, name: 'n', content: 'u' },
      { role: 'tool' as const, tool_call_id: 'call_1', content: 't' },
    ];
    const snapshot = structuredClone(messages);
    for (const provider of ['groq', 'mistral'] as const) applyQuirks(provider, request({ messages }));
    expect(messages).toEqual(snapshot);
  });
});
