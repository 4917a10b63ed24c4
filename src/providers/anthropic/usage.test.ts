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
      cacheWrite1hTokens: 0,
    });
  });

  it('mergeAnthropicUsage() treats missing and null counts as zero', () => {
    expect(mergeAnthropicUsage(undefined, { input_tokens: 3, cache_read_input_tokens: null })).toEqual({
      inputTokens: 3,
      outputTokens: 0,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      cacheWrite1hTokens: 0,
    });
  });

  it('mergeAnthropicUsage() keeps the split of cache writes by duration, and never more 1-hour writes than writes', () => {
    const counts = mergeAnthropicUsage(undefined, {
      input_tokens: 10,
      cache_creation_input_tokens: 300,
      cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
    });
    expect(counts.cacheWrite1hTokens).toBe(200);
    // A later delta without the split keeps it.
    expect(mergeAnthropicUsage(counts, { output_tokens: 5 }).cacheWrite1hTokens).toBe(200);
    const bad = mergeAnthropicUsage(undefined, {
      cache_creation_input_tokens: 50,
      cache_creation: { ephemeral_1h_input_tokens: 80 },
    });
    expect(bad.cacheWrite1hTokens).toBe(50);
  });
});

describe('toOpenAIUsage()', () => {
  it('toOpenAIUsage() adds cache reads and writes to prompt_tokens and reports reads as cached_tokens', () => {
    const counts = {
      inputTokens: 40,
      outputTokens: 9,
      cacheCreationInputTokens: 100,
      cacheReadInputTokens: 512,
      cacheWrite1hTokens: 30,
    };
    expect(toOpenAIUsage(counts)).toEqual({
      prompt_tokens: 652,
      completion_tokens: 9,
      total_tokens: 661,
      prompt_tokens_details: { cached_tokens: 512, cache_write_tokens: 100, cache_write_1h_tokens: 30 },
    });
    expect(toTokenUsage(counts)).toEqual({
      promptTokens: 652,
      completionTokens: 9,
      cachedTokens: 512,
      cacheWrite5mTokens: 70,
      cacheWrite1hTokens: 30,
    });
  });
});
