/**
 * Extended thinking: whether and how the request asks Claude to think, from OpenAI's
 * `reasoning_effort` or Anthropic's own `thinking` (which wins when both are sent). The thinking
 * comes back as `reasoning_content` (response.ts, stream.ts).
 *
 * Anthropic refuses thinking where it cannot work, so it is left off, and named in the warnings,
 * when the request forces a tool (a named `tool_choice`, `required`, or `response_format`, which
 * forces the answer tool), or when the conversation is in the middle of a tool loop: the last
 * assistant turn called tools, and Anthropic then wants that turn's signed thinking block back,
 * which OpenAI's message format cannot carry.
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/extended-thinking
 */
import { invalidRequest } from '../../errors.js';
import type { ChatCompletionRequest } from '../../openai/types.js';
import type { AnthropicToolChoice } from './tools.js';

export type AnthropicThinking = { type: 'enabled'; budget_tokens: number } | { type: 'disabled' };

/** Anthropic's smallest thinking budget. */
const MIN_BUDGET = 1024;

/** Thinking budgets for OpenAI's effort levels (`none` asks for no thinking). */
const BUDGETS: Readonly<Record<string, number>> = { minimal: 1024, low: 2048, medium: 8192, high: 24_576, xhigh: 32_000 };

export interface ThinkingDecision {
  thinking: AnthropicThinking | undefined;
  /** The parameter that asked for thinking, when it had to be left off. */
  dropped: string | undefined;
}

/**
 * The `thinking` field for the upstream body. `maxTokens` is the upstream `max_tokens`; the budget
 * stays below it (OpenAI counts reasoning in `max_completion_tokens`), and when the client set no
 * limit, at half of it, so the answer keeps room.
 *
 * @throws GatewayError (400) for a `thinking` or `reasoning_effort` Anthropic cannot take.
 */
export function toThinking(
  request: ChatCompletionRequest,
  maxTokens: number,
  toolChoice: AnthropicToolChoice | undefined,
): ThinkingDecision {
  const clientLimit = request.max_completion_tokens ?? request.max_tokens;
  const asked = askedThinking(request, maxTokens, clientLimit === undefined || clientLimit === null);
  if (asked === undefined || asked.thinking.type === 'disabled') return { thinking: asked?.thinking, dropped: undefined };
  const forced = toolChoice !== undefined && (toolChoice.type === 'any' || toolChoice.type === 'tool');
  const lastAssistant = request.messages.findLast((message) => message.role === 'assistant');
  const midToolLoop = (lastAssistant?.tool_calls?.length ?? 0) > 0;
  if (forced || midToolLoop) return { thinking: undefined, dropped: asked.param };
  return { thinking: asked.thinking, dropped: undefined };
}

function askedThinking(
  request: ChatCompletionRequest,
  maxTokens: number,
  defaultLimit: boolean,
): { thinking: AnthropicThinking; param: string } | undefined {
  const own = request.thinking;
  if (own !== undefined && own !== null) return { thinking: ownThinking(own, maxTokens), param: 'thinking' };
  const effort = request.reasoning_effort;
  if (effort === undefined || effort === null) return undefined;
  if (effort === 'none') return { thinking: { type: 'disabled' }, param: 'reasoning_effort' };
  const budget = typeof effort === 'string' ? BUDGETS[effort] : undefined;
  if (budget === undefined) {
    throw invalidRequest(`reasoning_effort must be one of none, ${Object.keys(BUDGETS).join(', ')}.`, 'reasoning_effort');
  }
  const cap = defaultLimit ? Math.floor(maxTokens / 2) : maxTokens - 1;
  if (cap < MIN_BUDGET) {
    throw invalidRequest(
      `Claude needs max_tokens above ${MIN_BUDGET} to think (reasoning_effort counts against it); got ${maxTokens}.`,
      'max_tokens',
    );
  }
  return { thinking: { type: 'enabled', budget_tokens: Math.min(budget, cap) }, param: 'reasoning_effort' };
}

/** Anthropic's own `thinking`, checked so a malformed one is a 400 here rather than upstream. */
function ownThinking(value: unknown, maxTokens: number): AnthropicThinking {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (type === 'disabled') return { type: 'disabled' };
  const budget = type === 'enabled' ? (value as { budget_tokens?: unknown }).budget_tokens : undefined;
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < MIN_BUDGET || budget >= maxTokens) {
    throw invalidRequest(
      `thinking must be {"type": "disabled"} or {"type": "enabled", "budget_tokens": N} with ${MIN_BUDGET} ≤ N < max_tokens (${maxTokens}).`,
      'thinking',
    );
  }
  return { type: 'enabled', budget_tokens: budget };
}
