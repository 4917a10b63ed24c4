import { describe, expect, it } from 'vitest';
import { toOpenAIUsage, toTokenUsage } from './usage.js';

describe('toTokenUsage()', () => {
  it('toTokenUsage() adds tool-use prompt tokens to the prompt and thoughts to the completion', () => {
    expect(
      toTokenUsage({
        promptTokenCount: 260,
        toolUsePromptTokenCount: 12,
        cachedContentTokenCount: 128,
        candidatesTokenCount: 9,
        thoughtsTokenCount: 48,
        totalTokenCount: 329,
      }),
    ).toEqual({ promptTokens: 272, completionTokens: 57, cachedTokens: 128, reasoningTokens: 48 });
  });

  it('toTokenUsage() counts missing fields as zero', () => {
    expect(toTokenUsage({ promptTokenCount: 5 })).toEqual({ promptTokens: 5, completionTokens: 0, cachedTokens: 0 });
  });
});

describe('toOpenAIUsage()', () => {
  it('toOpenAIUsage() reports cached and reasoning tokens in the details and a total that adds up', () => {
    expect(
      toOpenAIUsage({ promptTokenCount: 100, cachedContentTokenCount: 40, candidatesTokenCount: 10, thoughtsTokenCount: 5 }),
    ).toEqual({
      prompt_tokens: 100,
      completion_tokens: 15,
      total_tokens: 115,
      prompt_tokens_details: { cached_tokens: 40 },
      completion_tokens_details: { reasoning_tokens: 5 },
    });
  });
});
