/**
 * OpenAI `finish_reason` → Anthropic `stop_reason` and `stop_sequence`.
 *
 * OpenAI's shape reports a stop sequence and a natural end alike as `stop`. vLLM and SGLang add a
 * choice's `stop_reason` holding the matched string: when that is one of the request's stop
 * sequences, the answer stopped on it; otherwise the ingress cannot tell, and says `end_turn`.
 * Some hosts report `stop` for an answer that ends in tool calls (Gemini's OpenAI endpoint among
 * them); what the client must do next is run the tools, so that is `tool_use`.
 *
 * @see https://docs.claude.com/en/api/handling-stop-reasons
 */
import type { FinishReason } from '../../openai/types.js';
import type { StopReason } from './wire.js';

export interface Stop {
  stop_reason: StopReason;
  stop_sequence: string | null;
}

export function toStop(
  finishReason: FinishReason | null | undefined,
  hasToolUse: boolean,
  /** The choice's `stop_reason` (vLLM, SGLang), if any. */
  matched: unknown,
  stopSequences: readonly string[],
): Stop {
  switch (finishReason) {
    case 'length':
      return { stop_reason: 'max_tokens', stop_sequence: null };
    case 'content_filter':
      return { stop_reason: 'refusal', stop_sequence: null };
    case 'tool_calls':
    case 'function_call':
      return { stop_reason: 'tool_use', stop_sequence: null };
    default:
      if (hasToolUse) return { stop_reason: 'tool_use', stop_sequence: null };
      if (typeof matched === 'string' && stopSequences.includes(matched))
        return { stop_reason: 'stop_sequence', stop_sequence: matched };
      return { stop_reason: 'end_turn', stop_sequence: null };
  }
}
