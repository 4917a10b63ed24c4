import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { publicModel, validateMessagesRequest } from './validate-request.js';

const valid = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] };

function param(body: unknown, options?: { countTokens?: boolean }): string | null {
  try {
    validateMessagesRequest(body, options);
  } catch (err) {
    if (err instanceof GatewayError && err.status === 400) return err.param;
    throw err;
  }
  throw new Error('expected a 400');
}

describe('validateMessagesRequest', () => {
  it('accepts a minimal request and keeps fields it does not know', () => {
    const body = {
      ...valid,
      context_management: { edits: [] },
      messages: [{ role: 'user', content: [{ type: 'future_block', x: 1 }] }],
    };
    expect(validateMessagesRequest(body)).toBe(body);
  });

  it('names the field of each malformed part', () => {
    expect(param([])).toBeNull();
    expect(param({ ...valid, model: '' })).toBe('model');
    expect(param({ ...valid, max_tokens: undefined })).toBe('max_tokens');
    expect(param({ ...valid, max_tokens: 1.5 })).toBe('max_tokens');
    expect(param({ ...valid, messages: [] })).toBe('messages');
    expect(param({ ...valid, messages: [{ role: 'tool', content: 'x' }] })).toBe('messages.0.role');
    expect(param({ ...valid, messages: [{ role: 'user', content: 5 }] })).toBe('messages.0.content');
    expect(param({ ...valid, messages: [{ role: 'user', content: [{ text: 'no type' }] }] })).toBe('messages.0.content.0');
    expect(param({ ...valid, system: 7 })).toBe('system');
    expect(param({ ...valid, stream: 'yes' })).toBe('stream');
    expect(param({ ...valid, stop_sequences: [1] })).toBe('stop_sequences');
    expect(param({ ...valid, temperature: 1.5 })).toBe('temperature');
    expect(param({ ...valid, tools: [{ description: 'no name' }] })).toBe('tools.0.name');
    expect(param({ ...valid, tool_choice: { type: 'required' } })).toBe('tool_choice');
    expect(param({ ...valid, tool_choice: { type: 'tool' } })).toBe('tool_choice.name');
    expect(param({ ...valid, thinking: 'on' })).toBe('thinking');
  });

  it('needs no max_tokens for count_tokens, and allows 0 (Anthropic’s cache pre-warm)', () => {
    expect(validateMessagesRequest({ model: 'm', messages: valid.messages }, { countTokens: true }).model).toBe('m');
    expect(validateMessagesRequest({ ...valid, max_tokens: 0 }).max_tokens).toBe(0);
  });
});

describe('publicModel', () => {
  it('reads a model without a provider prefix as an Anthropic model', () => {
    expect(publicModel('claude-sonnet-4-5')).toBe('anthropic/claude-sonnet-4-5');
    expect(publicModel('openai/gpt-4o-mini')).toBe('openai/gpt-4o-mini');
    expect(publicModel('together/meta-llama/Llama-3.3-70B')).toBe('together/meta-llama/Llama-3.3-70B');
  });
});
