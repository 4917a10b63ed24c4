/**
 * OpenAI's `usage` object → the token counts Z-AI bills. `prompt_tokens` includes the cached
 * tokens and `completion_tokens` the reasoning tokens, so neither is added again. Cache writes are
 * read from Z-AI's own `cache_write_tokens` / `cache_write_1h_tokens` (set when translating
 * Anthropic; some OpenAI-compatible hosts report `cache_write_tokens` too).
 */
import type { TokenUsage, Usage } from './types.js';

function count(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

export function toTokenUsage(usage: Usage | undefined | null): TokenUsage | undefined {
  if (!usage) return undefined;
  const prompt = usage.prompt_tokens_details;
  const writes = count(prompt?.cache_write_tokens);
  const oneHour = Math.min(count(prompt?.cache_write_1h_tokens), writes);
  const reasoning = count(usage.completion_tokens_details?.reasoning_tokens);
  const tokens: TokenUsage = {
    promptTokens: count(usage.prompt_tokens),
    completionTokens: count(usage.completion_tokens),
    cachedTokens: count(prompt?.cached_tokens),
  };
  // Only the classes present: absent counts mean 0 (see TokenUsage).
  if (writes > oneHour) tokens.cacheWrite5mTokens = writes - oneHour;
  if (oneHour > 0) tokens.cacheWrite1hTokens = oneHour;
  if (reasoning > 0) tokens.reasoningTokens = reasoning;
  return tokens;
}

/** The gateway's counts as OpenAI's `usage` object (with the cache and reasoning details). */
export function toOpenAIUsage(tokens: TokenUsage): Usage {
  const oneHour = tokens.cacheWrite1hTokens ?? 0;
  const writes = (tokens.cacheWrite5mTokens ?? 0) + oneHour;
  return {
    prompt_tokens: tokens.promptTokens,
    completion_tokens: tokens.completionTokens,
    total_tokens: tokens.promptTokens + tokens.completionTokens,
    prompt_tokens_details:
      writes > 0
        ? { cached_tokens: tokens.cachedTokens, cache_write_tokens: writes, cache_write_1h_tokens: oneHour }
        : { cached_tokens: tokens.cachedTokens },
    completion_tokens_details: { reasoning_tokens: tokens.reasoningTokens ?? 0 },
  };
}
