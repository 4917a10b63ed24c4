/**
 * OpenAI `finish_reason` → Anthropic `stop_reason`.
 *
 * A stop sequence and a natural end are both `stop` in OpenAI's shape, which does not say which
 * sequence matched, so both become `end_turn` (and `stop_sequence` stays null). Some hosts report
 * `stop` for an answer that ends in tool calls (Gemini's OpenAI endpoint among them); what the
 * client must do next is run the tools, so that is `tool_use`.
 *
 * @see https://docs.claude.com/en/api/handling-stop-reasons
 */
import type { FinishReason } from '../../openai/types.js';
import type { StopReason } from './wire.js';

export function toStopReason(finishReason: FinishReason | null | undefined, hasToolUse: boolean): StopReason {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'refusal';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    default:
      return hasToolUse ? 'tool_use' : 'end_turn';
  }
}
