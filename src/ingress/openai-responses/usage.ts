/**
 * Chat Completions usage → Responses usage. The same counts under OpenAI's other names: cached
 * tokens are part of the input tokens, reasoning tokens part of the output tokens, in both APIs.
 */
import type { Usage } from '../../openai/types.js';
import type { ResponsesUsage } from './types.js';

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

export function toResponsesUsage(usage: Usage): ResponsesUsage {
  const input = count(usage.prompt_tokens);
  const output = count(usage.completion_tokens);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: count(usage.prompt_tokens_details?.cached_tokens) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: count(usage.completion_tokens_details?.reasoning_tokens) },
    total_tokens: typeof usage.total_tokens === 'number' ? usage.total_tokens : input + output,
  };
}
