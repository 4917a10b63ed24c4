import { describe, expect, it } from 'vitest';
import { mergeAnthropicUsage, toOpenAIUsage, toTokenUsage } from './usage.js';

describe('mergeAnthropicUsage()', () => {
  it('mergeAnthropicUsage() overwrites reported running totals and keeps the others', () => {
    const start = mergeAnthropicUsage(undefined, {
      input_tokens: 40,
      output_tokens: 2,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 512,
    });
    expect(mergeAnthropicUsage(start, { output_tokens: 9 })).toEqual({
      inputTokens: 40,
      outputTokens: 9,
      cacheCreationInputTokens: 100,
      cacheReadInputTokens: 512,
    });
  });

  it('mergeAnthropicUsage() treats missing and null counts as zero', () => {
    expect(mergeAnthropicUsage(undefined, { input_tokens: 3, cache_read_input_tokens: null })).toEqual({
      inputTokens: 3,
      outputTokens: 0,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
    });
  });
});

describe('toOpenAIUsage()', () => {
  it('toOpenAIUsage() adds cache reads and writes to prompt_tokens and reports reads as cached_tokens', () => {
    const counts = { inputTokens: 40, outputTokens: 9, cacheCreationInputTokens: 100, cacheReadInputTokens: 512 };
    expect(toOpenAIUsage(counts)).toEqual({
      prompt_tokens: 652,
      completion_tokens: 9,
      total_tokens: 661,
      prompt_tokens_details: { cached_tokens: 512 },
    });
    expect(toTokenUsage(counts)).toEqual({ promptTokens: 652, completionTokens: 9, cachedTokens: 512 });
  });
});
