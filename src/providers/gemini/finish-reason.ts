/**
 * Gemini `finishReason` → OpenAI `finish_reason`. OpenAI has five values, Gemini about twenty;
 * the filter family becomes `content_filter`, the token limit `length`, and everything else
 * (including tool-call failures, which OpenAI has no value for) `stop`.
 *
 * @see https://ai.google.dev/api/generate-content#FinishReason
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
import type { FinishReason } from '../../openai/types.js';

// Output withheld by a safety, copyright or policy filter.
const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/**
 * Maps one candidate's finish reason. Gemini has no tool-call reason: a turn that calls functions
 * ends with STOP, so `hasToolCalls` turns that STOP into `tool_calls`.
 */
export function mapFinishReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason !== null && reason !== undefined && FILTERED.has(reason)) return 'content_filter';
  if (hasToolCalls && (reason === 'STOP' || reason === null || reason === undefined)) return 'tool_calls';
  return 'stop';
}
