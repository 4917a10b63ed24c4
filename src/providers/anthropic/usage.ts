/**
 * Anthropic usage → OpenAI usage and the gateway's TokenUsage.
 *
 * Anthropic's `input_tokens` counts only the uncached part of the prompt; cache reads and cache
 * writes are reported beside it. OpenAI's `prompt_tokens` includes cached tokens, so all three
 * are summed, and `cached_tokens` is the cache-read share (the part billed at the cached price).
 * Cache writes are split by duration (`cache_creation.ephemeral_5m/1h_input_tokens`), which bill
 * differently; without the split every write is a 5-minute one, Anthropic's default.
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
  /** Every cache write: the 5-minute ones are this minus `cacheWrite1hTokens`. */
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  /** The 1-hour share of `cacheCreationInputTokens`. */
  cacheWrite1hTokens: number;
}

/**
 * Merges reported counts into `previous`. Every count Anthropic reports (in `message_start` and in
 * each `message_delta`) is a running total, so a present field replaces the old value — adding
 * would double-count.
 */
export function mergeAnthropicUsage(previous: AnthropicUsageCounts | undefined, reported: AnthropicUsage): AnthropicUsageCounts {
  const cacheCreationInputTokens = reported.cache_creation_input_tokens ?? previous?.cacheCreationInputTokens ?? 0;
  const split = reported.cache_creation;
  const oneHour = split?.ephemeral_1h_input_tokens ?? (split ? 0 : (previous?.cacheWrite1hTokens ?? 0));
  return {
    inputTokens: reported.input_tokens ?? previous?.inputTokens ?? 0,
    outputTokens: reported.output_tokens ?? previous?.outputTokens ?? 0,
    cacheCreationInputTokens,
    cacheReadInputTokens: reported.cache_read_input_tokens ?? previous?.cacheReadInputTokens ?? 0,
    // Never more 1-hour writes than writes: a malformed split cannot bill tokens that were not sent.
    cacheWrite1hTokens: Math.min(oneHour, cacheCreationInputTokens),
  };
}

/** OpenAI's `usage` object, with Z-AI's cache-write counts beside `cached_tokens`. */
export function toOpenAIUsage(counts: AnthropicUsageCounts): Usage {
  const token = toTokenUsage(counts);
  return {
    prompt_tokens: token.promptTokens,
    completion_tokens: token.completionTokens,
    total_tokens: token.promptTokens + token.completionTokens,
    prompt_tokens_details: cacheDetails(counts),
  };
}

function cacheDetails(counts: AnthropicUsageCounts): NonNullable<Usage['prompt_tokens_details']> {
  const details: NonNullable<Usage['prompt_tokens_details']> = { cached_tokens: counts.cacheReadInputTokens };
  if (counts.cacheCreationInputTokens > 0) details.cache_write_tokens = counts.cacheCreationInputTokens;
  if (counts.cacheWrite1hTokens > 0) details.cache_write_1h_tokens = counts.cacheWrite1hTokens;
  return details;
}

/** The gateway's billing counts (cache reads and writes are included in `promptTokens`). */
export function toTokenUsage(counts: AnthropicUsageCounts): TokenUsage {
  const tokens: TokenUsage = {
    promptTokens: counts.inputTokens + counts.cacheReadInputTokens + counts.cacheCreationInputTokens,
    completionTokens: counts.outputTokens,
    cachedTokens: counts.cacheReadInputTokens,
  };
  // Only the classes present: absent counts mean 0 (see TokenUsage).
  const fiveMinutes = counts.cacheCreationInputTokens - counts.cacheWrite1hTokens;
  if (fiveMinutes > 0) tokens.cacheWrite5mTokens = fiveMinutes;
  if (counts.cacheWrite1hTokens > 0) tokens.cacheWrite1hTokens = counts.cacheWrite1hTokens;
  return tokens;
}
