/**
 * Anthropic usage → OpenAI usage and the gateway's TokenUsage.
 *
 * Anthropic's `input_tokens` counts only the uncached part of the prompt; cache reads and cache
 * writes are reported beside it. OpenAI's `prompt_tokens` includes cached tokens, so all three
 * are summed, and `cached_tokens` is the cache-read share (the part billed at the cached price).
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 */
import type { TokenUsage, Usage } from '../../openai/types.js';
import type { AnthropicUsage } from './schema.js';

/** Complete counts, after defaults; what the stream state keeps. */
export interface AnthropicUsageCounts {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

/**
 * Merges reported counts into `previous`. Every count Anthropic reports (in `message_start` and in
 * each `message_delta`) is a running total, so a present field replaces the old value — adding
 * would double-count.
 */
export function mergeAnthropicUsage(previous: AnthropicUsageCounts | undefined, reported: AnthropicUsage): AnthropicUsageCounts {
  return {
    inputTokens: reported.input_tokens ?? previous?.inputTokens ?? 0,
    outputTokens: reported.output_tokens ?? previous?.outputTokens ?? 0,
    cacheCreationInputTokens: reported.cache_creation_input_tokens ?? previous?.cacheCreationInputTokens ?? 0,
    cacheReadInputTokens: reported.cache_read_input_tokens ?? previous?.cacheReadInputTokens ?? 0,
  };
}

/** OpenAI's `usage` object. */
export function toOpenAIUsage(counts: AnthropicUsageCounts): Usage {
  const token = toTokenUsage(counts);
  return {
    prompt_tokens: token.promptTokens,
    completion_tokens: token.completionTokens,
    total_tokens: token.promptTokens + token.completionTokens,
    prompt_tokens_details: { cached_tokens: token.cachedTokens },
  };
}

/** The gateway's billing counts (`cachedTokens` is included in `promptTokens`). */
export function toTokenUsage(counts: AnthropicUsageCounts): TokenUsage {
  return {
    promptTokens: counts.inputTokens + counts.cacheReadInputTokens + counts.cacheCreationInputTokens,
    completionTokens: counts.outputTokens,
    cachedTokens: counts.cacheReadInputTokens,
  };
}
