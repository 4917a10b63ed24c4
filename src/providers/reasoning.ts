/**
 * Reasoning is exposed the same way for every provider: as `reasoning_content` on the message or
 * delta (the field the OpenAI-compatible ecosystem reads), never mixed into `content`. A request
 * turns it off with OpenAI's own `reasoning_effort: "none"`, or with a provider's own switch
 * (Anthropic's `thinking: {"type": "disabled"}`).
 */
import type { ChatCompletionRequest } from '../openai/types.js';

/** Whether the answer to `request` may carry reasoning. */
export function wantsReasoning(request: ChatCompletionRequest): boolean {
  if (request.reasoning_effort === 'none') return false;
  const thinking = request.thinking;
  return !(typeof thinking === 'object' && thinking !== null && (thinking as { type?: unknown }).type === 'disabled');
}
