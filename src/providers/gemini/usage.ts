/**
 * Gemini `usageMetadata` → OpenAI `usage` and the gateway's billing `TokenUsage`.
 *
 * Gemini counts thinking separately (`thoughtsTokenCount`, not in `candidatesTokenCount`) while
 * OpenAI counts reasoning inside `completion_tokens`, and Gemini bills thoughts at the output rate,
 * so they are added to completion tokens. Tokens of tool-use prompts (e.g. search results fed back
 * to the model) are input Gemini bills, so they join the prompt tokens. Cached tokens are already
 * part of `promptTokenCount`, exactly like OpenAI's `cached_tokens`.
 *
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
import type { TokenUsage, Usage } from '../../openai/types.js';
import type { GeminiUsageMetadata } from './wire.js';

/** The billing view of Gemini's counts. */
export function toTokenUsage(metadata: GeminiUsageMetadata): TokenUsage {
  const tokens: TokenUsage = {
    promptTokens: (metadata.promptTokenCount ?? 0) + (metadata.toolUsePromptTokenCount ?? 0),
    completionTokens: (metadata.candidatesTokenCount ?? 0) + (metadata.thoughtsTokenCount ?? 0),
    cachedTokens: metadata.cachedContentTokenCount ?? 0,
  };
  if ((metadata.thoughtsTokenCount ?? 0) > 0) tokens.reasoningTokens = metadata.thoughtsTokenCount ?? 0;
  return tokens;
}

/**
 * OpenAI's usage object. `total_tokens` is our prompt + completion rather than Gemini's
 * `totalTokenCount`, so the three numbers always add up for clients that check.
 */
export function toOpenAIUsage(metadata: GeminiUsageMetadata): Usage {
  const usage = toTokenUsage(metadata);
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
    completion_tokens_details: { reasoning_tokens: metadata.thoughtsTokenCount ?? 0 },
  };
}
