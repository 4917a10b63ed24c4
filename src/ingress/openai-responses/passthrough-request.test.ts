import { describe, expect, it } from 'vitest';
import { estimatePromptTokensUpperBound } from '../../billing/estimate.js';
import { GatewayError } from '../../errors.js';
import { leadingMessages } from '../../gateway/leading-messages.js';
import {
  checkBoundedInput,
  estimateNativePromptTokens,
  nativeBody,
  nativeLeading,
  readNativeRequest,
} from './passthrough-request.js';

function badRequest(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

const body = {
  model: 'openai/gpt-5',
  input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hello' }] }],
  store: true,
  previous_response_id: 'resp_abc',
  include: ['reasoning.encrypted_content'],
  tools: [{ type: 'web_search' }],
  reasoning: { effort: 'high', summary: 'auto' },
  stream: true,
};

describe('passthrough requests', () => {
  it('keeps every field the client sent and only swaps in the upstream model id', () => {
    const request = readNativeRequest(body);
    expect(request.stream).toBe(true);
    expect(request.model).toBe('openai/gpt-5');
    expect(JSON.parse(nativeBody(request, 'gpt-5', undefined))).toEqual({ ...body, model: 'gpt-5' });
    expect(JSON.parse(nativeBody(request, 'gpt-5', 4096))).toMatchObject({ model: 'gpt-5', max_output_tokens: 4096 });
    // The client's object is not changed (a fallback may translate it).
    expect(body.model).toBe('openai/gpt-5');
  });

  it('checks only what Z-AI reads', () => {
    expect(badRequest(() => readNativeRequest('x')).status).toBe(400);
    expect(badRequest(() => readNativeRequest({ input: 'x' })).param).toBe('model');
    expect(badRequest(() => readNativeRequest({ model: 'openai/gpt-5', stream: 1 })).param).toBe('stream');
    expect(badRequest(() => readNativeRequest({ model: 'openai/gpt-5', max_output_tokens: -5 })).param).toBe('max_output_tokens');
  });

  it('refuses stored conversation state for capped keys, whose worst case must be known', () => {
    const error = badRequest(() => checkBoundedInput(readNativeRequest(body)));
    expect(error.param).toBe('previous_response_id');
    expect(error.message).toMatch(/spend cap/);
    expect(() => checkBoundedInput(readNativeRequest({ model: 'openai/gpt-5', input: 'x' }))).not.toThrow();
  });

  it('bounds the input tokens like a chat request with the same text, and grows with the input', () => {
    const small = estimateNativePromptTokens(
      readNativeRequest({ model: 'openai/gpt-5', instructions: 'Be brief.', input: 'Hello' }),
    );
    const chat = estimatePromptTokensUpperBound({
      model: 'openai/gpt-5',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
    });
    expect(small).toBe(chat);
    const image = estimateNativePromptTokens(
      readNativeRequest({
        model: 'openai/gpt-5',
        input: [{ role: 'user', content: [{ type: 'input_image', image_url: `data:image/png;base64,${'A'.repeat(100_000)}` }] }],
      }),
    );
    // An image counts as a fixed ceiling, not as its base64 bytes.
    expect(image).toBeLessThan(20_000);
    expect(image).toBeGreaterThan(small);
  });

  it('names the conversation for affinity by the instructions and the first user input item, as chat does', () => {
    const leading = (fields: Record<string, unknown>) => nativeLeading(readNativeRequest({ model: 'openai/gpt-5', ...fields }));
    const developer = { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Use metric units.' }] };
    const hello = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] };
    const first = leading({ instructions: 'Be brief.', input: [developer, hello] });
    expect(first).toBe(leadingMessages([{ role: 'system', content: 'Be brief.' }, developer, hello]));
    const later = leading({
      instructions: 'Be brief.',
      input: [
        developer,
        hello,
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA' },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: '{}' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'More' }] },
      ],
    });
    expect(later).toBe(first);
    expect(leading({ instructions: 'Be long.', input: [developer, hello] })).not.toBe(first);
    expect(leading({ instructions: 'Be brief.', input: [developer, { ...hello, content: 'Bye' }] })).not.toBe(first);
    // A string input is the user message itself.
    expect(leading({ input: 'Hello' })).toBe(
      leading({
        input: [
          { role: 'user', content: 'Hello' },
          { role: 'assistant', content: 'Hi' },
        ],
      }),
    );
  });
});
