/**
 * A chat completion → an Anthropic Message: reasoning (`reasoning_content` / `reasoning`, which
 * OpenAI-compatible reasoning hosts add to the message) as a `thinking` block, then the text, then
 * one `tool_use` block per tool call with its arguments parsed into `input`.
 *
 * Thinking blocks made here carry an empty signature: only Anthropic can sign one, and the ingress
 * drops thinking blocks sent back to any other provider, so the signature is never checked.
 *
 * @see https://docs.claude.com/en/api/messages (response)
 */
import { GatewayError } from '../../errors.js';
import type { ChatCompletion, TokenUsage } from '../../openai/types.js';
import { toTokenUsage } from '../../openai/token-usage.js';
import { isRecord } from '../../lib/is-record.js';
import { toStop } from './stop-reason.js';
import { toMessageUsage } from './usage.js';
import type { MessageResponse, ResponseBlock } from './wire.js';

export interface ResponseOptions {
  /** The Message id (`msg_…`). */
  id: string;
  /** Input tokens to report when the provider reported no usage. */
  inputTokensEstimate: number;
  /** The request's stop sequences, to recognise the one a host says it stopped on. */
  stopSequences: readonly string[];
}

/** The reasoning text a chat message or delta carries, under either name hosts use for it. */
export function reasoningText(fields: Record<string, unknown>): string | undefined {
  const value = fields.reasoning_content ?? fields.reasoning;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function toMessageResponse(completion: ChatCompletion, options: ResponseOptions): MessageResponse {
  const choice = completion.choices[0];
  const content: ResponseBlock[] = [];
  if (choice !== undefined) {
    const message = choice.message;
    const thinking = reasoningText(message);
    if (thinking !== undefined) content.push({ type: 'thinking', thinking, signature: '' });
    const text = [message.content, message.refusal].filter((t): t is string => typeof t === 'string' && t !== '').join('\n\n');
    if (text !== '') content.push({ type: 'text', text });
    for (const call of message.tool_calls ?? []) {
      content.push({
        type: 'tool_use',
        id: call.id,
        name: call.function.name,
        input: toolInput(call.function.arguments, call.function.name),
      });
    }
  }
  const hasToolUse = content.some((block) => block.type === 'tool_use');
  const stop = toStop(
    choice?.finish_reason,
    hasToolUse,
    (choice as Record<string, unknown> | undefined)?.stop_reason,
    options.stopSequences,
  );
  return {
    id: options.id,
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: stop.stop_reason,
    stop_sequence: stop.stop_sequence,
    usage: toMessageUsage(
      usageOf(completion) ?? { promptTokens: options.inputTokensEstimate, completionTokens: 0, cachedTokens: 0 },
    ),
  };
}

function usageOf(completion: ChatCompletion): TokenUsage | undefined {
  return toTokenUsage(completion.usage);
}

/**
 * Tool arguments as the object Anthropic's `input` must be. A model that wrote something else
 * produced no usable call; the request was fine, so it is an upstream failure another model may
 * answer.
 */
function toolInput(text: string, name: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    input = undefined;
  }
  if (isRecord(input)) return input;
  throw new GatewayError({
    status: 502,
    code: 'upstream_error',
    type: 'upstream_error',
    message: `The model called ${name.slice(0, 64)} with arguments that are not a JSON object.`,
    retryable: true,
    failure: 'protocol',
  });
}
