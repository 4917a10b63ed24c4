/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`.
 *
 * OpenAI clients only know five finish reasons, so every Anthropic value maps onto one of them.
 * `pause_turn` (a server tool paused a long turn) and unknown future values become `stop`: OpenAI
 * has no "other" reason, and `stop` is the one that promises nothing beyond "the text ended here".
 *
 * @see https://docs.claude.com/en/api/handling-stop-reasons
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
import type { FinishReason } from '../../openai/types.js';

/**
 * Maps a stop reason. `hasToolCalls` says whether the answer carries client-visible tool calls:
 * when the only tool used was the synthetic `response_format` tool, the answer is content and
 * the turn ended normally, so `tool_use` becomes `stop`.
 */
export function toFinishReason(stopReason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn and anything newer.
      return 'stop';
  }
}
