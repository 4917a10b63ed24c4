import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { loadJsonFixture } from './__fixtures__/load-fixture.js';
import { prepareTranslation, takesReasoningEffort, type TranslationTarget } from './request.js';
import { validateMessagesRequest } from './validate-request.js';
import type { MessagesRequest } from './wire.js';

const GPT_4O_MINI: TranslationTarget = {
  model: 'openai/gpt-4o-mini',
  providerId: 'openai',
  upstreamModel: 'gpt-4o-mini',
  maxOutputTokens: 16384,
};
const GPT_5: TranslationTarget = {
  model: 'openai/gpt-5.4',
  providerId: 'openai',
  upstreamModel: 'gpt-5.4',
  maxOutputTokens: 128000,
};

function request(extra: Partial<MessagesRequest> = {}): MessagesRequest {
  return validateMessagesRequest({
    model: 'openai/gpt-4o-mini',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'Hi' }],
    ...extra,
  });
}

describe('prepareTranslation', () => {
  it('translates a Claude Code request into the chat request the fixture shows, naming what it dropped', () => {
    const claudeCode = validateMessagesRequest(loadJsonFixture('claude-code.request.json'));
    const translated = prepareTranslation(claudeCode, { anthropicBeta: true }).forTarget(GPT_4O_MINI);
    expect(translated.request).toEqual(loadJsonFixture('claude-code.chat.json'));
    expect(translated.warnings.sort()).toEqual(
      ['anthropic-beta', 'context_management', 'max_tokens', 'metadata', 'output_config.effort', 'thinking'].sort(),
    );
    expect(translated.headers).toEqual({ 'x-zai-max-tokens': '16384' });
  });

  it('leaves max_tokens alone when it fits or when the model’s limit is unknown', () => {
    const prepared = prepareTranslation(request({ max_tokens: 32000 }), { anthropicBeta: false });
    const unknown = prepared.forTarget({
      ...GPT_4O_MINI,
      model: 'ollama/llama3',
      providerId: 'custom',
      maxOutputTokens: undefined,
    });
    expect(unknown.request.max_completion_tokens).toBe(32000);
    expect(unknown.warnings).toEqual([]);
    expect(unknown.headers).toEqual({});
    expect(prepared.forTarget(GPT_5).request.max_completion_tokens).toBe(32000);
  });

  it('refuses max_tokens 0, which only warms Anthropic’s cache', () => {
    const prepared = prepareTranslation(request({ max_tokens: 0 }), { anthropicBeta: false });
    expect(() => prepared.forTarget(GPT_4O_MINI)).toThrow(/pre-warms the prompt cache/);
  });

  it('maps effort, or else a thinking budget, to reasoning_effort on reasoning models only', () => {
    const effort = prepareTranslation(request({ output_config: { effort: 'medium' }, thinking: { type: 'adaptive' } }), {
      anthropicBeta: false,
    });
    expect(effort.forTarget(GPT_5).request.reasoning_effort).toBe('medium');
    expect(effort.forTarget(GPT_5).warnings).toEqual([]);
    expect(effort.forTarget(GPT_4O_MINI).request.reasoning_effort).toBeUndefined();
    expect(effort.forTarget(GPT_4O_MINI).warnings).toEqual(['thinking', 'output_config.effort']);

    const budget = (tokens: number) =>
      prepareTranslation(request({ thinking: { type: 'enabled', budget_tokens: tokens } }), { anthropicBeta: false }).forTarget(
        GPT_5,
      ).request.reasoning_effort;
    expect([budget(1024), budget(10_000), budget(31_999)]).toEqual(['low', 'medium', 'high']);
  });

  it('asks for nothing when thinking is disabled', () => {
    const translated = prepareTranslation(request({ thinking: { type: 'disabled' } }), { anthropicBeta: false }).forTarget(
      GPT_4O_MINI,
    );
    expect(translated.warnings).toEqual([]);
  });

  it('turns output_config.format into a json_schema response_format, and refuses another shape', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    const translated = prepareTranslation(request({ output_config: { format: { type: 'json_schema', schema } } }), {
      anthropicBeta: false,
    }).forTarget(GPT_4O_MINI);
    expect(translated.request.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'output', schema } });
    expect(() => prepareTranslation(request({ output_config: { format: { type: 'xml' } } }), { anthropicBeta: false })).toThrow(
      GatewayError,
    );
  });

  it('names top_k and other Anthropic-only fields, but not cache_control', () => {
    const translated = prepareTranslation(
      request({ top_k: 5, service_tier: 'auto', cache_control: { type: 'ephemeral' }, top_p: 0.9 }),
      { anthropicBeta: false },
    ).forTarget(GPT_4O_MINI);
    expect(translated.warnings).toEqual(['top_k', 'service_tier']);
    expect(translated.request.top_p).toBe(0.9);
  });

  it('keeps the converted conversation intact across targets (a fallback gets the same request)', () => {
    const prepared = prepareTranslation(request({ max_tokens: 20000 }), { anthropicBeta: false });
    const first = prepared.forTarget(GPT_4O_MINI);
    const second = prepared.forTarget(GPT_5);
    expect(first.request.max_completion_tokens).toBe(16384);
    expect(second.request.max_completion_tokens).toBe(20000);
    expect(second.request.model).toBe('openai/gpt-5.4');
    expect(second.warnings).toEqual([]);
  });
});

describe('takesReasoningEffort', () => {
  it('knows the reasoning models (OpenAI-style, and Gemini 2.5 and later) and nothing else', () => {
    const takes = (providerId: TranslationTarget['providerId'], upstreamModel: string) =>
      takesReasoningEffort({ providerId, upstreamModel });
    expect(takes('openai', 'o3-mini')).toBe(true);
    expect(takes('openai', 'o4')).toBe(true);
    expect(takes('openai', 'gpt-5.4-mini')).toBe(true);
    expect(takes('groq', 'openai/gpt-oss-120b')).toBe(true);
    expect(takes('fireworks', 'accounts/fireworks/models/gpt-oss-20b')).toBe(true);
    expect(takes('openai', 'gpt-4o-mini')).toBe(false);
    expect(takes('openai', 'gpt-4.1')).toBe(false);
    expect(takes('custom', 'llama3.2')).toBe(false);
    expect(takes('gemini', 'gemini-2.5-pro')).toBe(true);
    expect(takes('gemini', 'gemini-3.8-flash')).toBe(true);
    expect(takes('gemini', 'gemini-2.0-flash')).toBe(false);
  });
});
