/**
 * Non-streaming answers of OpenAI-compatible hosts. They are already OpenAI's shape, so parsing is
 * lenient and only the known deviations are fixed. Top-level members are relayed only when they
 * are OpenAI's or a documented extension of a host: a base URL may point anywhere, and whatever
 * else answers there must not reach the client through the gateway.
 */
import type { ChatCompletion, FinishReason } from '../../openai/types.js';
import { readErrorFields, upstreamProtocolError } from './errors.js';
import { isRecord } from '../../lib/is-record.js';
import type { ToolIdMap } from './mistral-tool-ids.js';
import { fixMessage } from './message-fixes.js';
import { rewriteModel } from './model-rewrite.js';

/** The top-level members of a chat completion the client gets: OpenAI's, then hosts' documented extensions. */
const COMPLETION_MEMBERS: ReadonlySet<string> = new Set([
  'id',
  'object',
  'created',
  'model',
  'choices',
  'usage',
  'system_fingerprint',
  'service_tier',
  // Groq
  'x_groq',
  // Together (`warnings`; `prompt` with echo)
  'warnings',
  'prompt',
  // Fireworks (perf_metrics_in_response)
  'perf_metrics',
  // vLLM
  'prompt_logprobs',
  'prompt_token_ids',
  'kv_transfer_params',
  // Perplexity
  'citations',
  'search_results',
]);

/** Whether every top-level member is one the client may get. */
function hasOnlyKnownMembers(json: Record<string, unknown>): boolean {
  for (const key in json) if (!COMPLETION_MEMBERS.has(key)) return false;
  return true;
}

const OPENAI_FINISH_REASONS: ReadonlySet<string> = new Set(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);

/** Whether normaliseFinishReason() leaves this value as it is (null or one of OpenAI's five). */
function isOpenAIFinishReason(value: unknown): boolean {
  return value === null || (typeof value === 'string' && OPENAI_FINISH_REASONS.has(value));
}

/**
 * Maps a host's finish reason onto OpenAI's five: Together's `eos` → `stop`, Mistral's
 * `model_length` → `length`, Ollama's historical `""` on intermediate chunks → `null`, and anything
 * unknown → `stop` (the answer did end; clients only know the five).
 *
 * @throws GatewayError (502) for Mistral's `error`: the generation failed, the text is not an answer.
 * @see docs/providers.md §4.7
 */
export function normaliseFinishReason(value: unknown): FinishReason | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string' && OPENAI_FINISH_REASONS.has(value)) return value as FinishReason;
  if (value === 'model_length') return 'length';
  if (value === 'error') throw upstreamProtocolError('The upstream model stopped with an error.');
  return 'stop';
}

/** Puts the client's tool-call ids back where the upstream echoes ids we rewrote (Mistral). */
export function restoreToolCallIds(toolCalls: unknown, toolIds: ToolIdMap): void {
  if (!Array.isArray(toolCalls)) return;
  for (const call of toolCalls) {
    if (isRecord(call) && typeof call.id === 'string') call.id = toolIds.toClient(call.id);
  }
}

/**
 * Maps a 2xx chat completion body to OpenAI's shape with `model` = `publicModel`. Mutates and
 * returns `json` (freshly parsed, owned by this call) instead of copying it.
 *
 * @throws GatewayError (502, protocol) if the body is not a chat completion at all.
 */
export function parseChatResponse(
  json: unknown,
  publicModel: string,
  toolIds: ToolIdMap | undefined,
  reasoning: boolean,
): ChatCompletion {
  if (!isRecord(json) || !Array.isArray(json.choices)) {
    const upstreamMessage = isRecord(json) && json.error !== undefined ? readErrorFields(json).message : undefined;
    throw upstreamProtocolError(
      upstreamMessage === undefined
        ? 'The upstream answer is not a chat completion.'
        : `The upstream answered with an error: ${upstreamMessage}`,
    );
  }
  if (!hasOnlyKnownMembers(json)) {
    for (const key of Object.keys(json)) if (!COMPLETION_MEMBERS.has(key)) delete json[key];
  }
  json.model = publicModel;
  json.object = 'chat.completion';
  for (const choice of json.choices) {
    if (!isRecord(choice)) throw upstreamProtocolError('The upstream answer has a malformed choice.');
    choice.finish_reason = normaliseFinishReason(choice.finish_reason);
    if (!isRecord(choice.message)) continue;
    fixMessage(choice.message, reasoning);
    if (toolIds !== undefined && toolIds.size > 0) restoreToolCallIds(choice.message.tool_calls, toolIds);
  }
  return json as ChatCompletion;
}

/**
 * The client's answer as the upstream's text with only the model rewritten, when parseChatResponse
 * would change nothing else: OpenAI's object, only known top-level members, finish reasons already
 * OpenAI's (or null), no tool-call ids to map back, nothing for fixMessage() to fix. Undefined otherwise (then the parsed answer is
 * serialised).
 */
export function encodePlainResponse(
  text: string,
  json: unknown,
  modelJson: string,
  toolIds: ToolIdMap | undefined,
  reasoning: boolean,
): string | undefined {
  if (!isRecord(json) || json.object !== 'chat.completion' || typeof json.model !== 'string' || !Array.isArray(json.choices))
    return undefined;
  if (!hasOnlyKnownMembers(json)) return undefined;
  const mapIds = toolIds !== undefined && toolIds.size > 0;
  for (const choice of json.choices as unknown[]) {
    if (!isRecord(choice)) return undefined;
    if (!isOpenAIFinishReason(choice.finish_reason)) return undefined;
    const message = choice.message;
    if (!isRecord(message)) continue;
    if (mapIds && message.tool_calls !== undefined) return undefined;
    if (needsFixing(message, reasoning)) return undefined;
  }
  return rewriteModel(text, json.model, modelJson);
}

/** Whether fixMessage() would change the message. */
function needsFixing(message: Record<string, unknown>, reasoning: boolean): boolean {
  if (message.content !== undefined && message.content !== null && typeof message.content !== 'string') return true;
  if (typeof message.reasoning === 'string') return true;
  if (!reasoning && message.reasoning_content !== undefined) return true;
  const calls = message.tool_calls;
  return Array.isArray(calls) && calls.some((call) => isRecord(call) && typeof call.type !== 'string');
}
