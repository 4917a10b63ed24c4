/**
 * Per-provider request normalisation for OpenAI-compatible hosts. Each provider is a list of small
 * quirks applied in order to the upstream body (already a shallow copy of the client's request).
 * A quirk never mutates anything it did not copy, because on a fallback the gateway sends the same
 * client request to another provider. Parameters dropped because the host cannot honour them are
 * named in `warnings`; parameters it would silently mishandle in a way that changes the answer
 * (Groq's `n`) are refused with a 400 instead.
 *
 * @see docs/providers.md §4
 */
import { invalidRequest } from '../../errors.js';
import type { ChatCompletionRequest, ChatMessage } from '../../openai/types.js';
import type { OpenAICompatibleProviderId } from '../provider.js';
import { ToolIdMap, rewriteToolIds } from './mistral-tool-ids.js';

/** What the quirks report back: dropped parameters, and the tool-id mapping to undo in responses. */
export interface QuirkResult {
  warnings: string[];
  toolIds: ToolIdMap | undefined;
}

type Quirk = (body: ChatCompletionRequest, result: QuirkResult) => void;

/** A value that asks for nothing (`null`, `false`) is dropped without a warning: nothing was lost. */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

function warn(result: QuirkResult, name: string): void {
  if (!result.warnings.includes(name)) result.warnings.push(name);
}

function drop(body: ChatCompletionRequest, field: string, result: QuirkResult): void {
  if (!(field in body)) return;
  if (isSet(body[field])) warn(result, field);
  delete body[field];
}

/** Drops the message fields `keep` rejects (naming them when set); untouched messages are not copied. */
function filterMessageFields(
  body: ChatCompletionRequest,
  result: QuirkResult,
  keep: (message: ChatMessage, key: string) => boolean,
): void {
  let copied = false;
  const messages = body.messages.map((message) => {
    let copy: ChatMessage | undefined;
    for (const key of Object.keys(message)) {
      if (keep(message, key)) continue;
      copy ??= { ...message };
      if (isSet(message[key])) warn(result, `messages[].${key}`);
      delete copy[key];
    }
    if (copy !== undefined) copied = true;
    return copy ?? message;
  });
  // The same array when nothing was dropped: the request is then still the client's (see request.ts).
  if (copied) body.messages = messages;
}

/** `developer` is OpenAI's new name for `system`; other hosts (and many chat templates) only know `system`. */
const developerAsSystem: Quirk = (body) => {
  if (!body.messages.some((message) => message.role === 'developer')) return;
  body.messages = body.messages.map((message) => (message.role === 'developer' ? { ...message, role: 'system' } : message));
};

/**
 * `max_completion_tokens` is newer than most OpenAI-compatible servers; `max_tokens` means the same
 * there and is understood by all of them (Ollama would silently ignore the newer name).
 */
const useMaxTokens: Quirk = (body) => {
  if (!('max_completion_tokens' in body)) return;
  const limit = body.max_completion_tokens;
  delete body.max_completion_tokens;
  // OpenAI gives max_completion_tokens precedence when both are set.
  if (limit !== null && limit !== undefined) body.max_tokens = limit;
};

/** Groq answers 400 to these parameters (console.groq.com/docs/openai). */
const groqRestrictions: Quirk = (body, result) => {
  if (typeof body.n === 'number' && body.n !== 1) {
    throw invalidRequest('Groq supports only one choice per request (n = 1).', 'n');
  }
  if (body.n === null) delete body.n;
  for (const field of ['logprobs', 'logit_bias', 'top_logprobs']) drop(body, field, result);
  filterMessageFields(body, result, (_message, key) => key !== 'name');
};

/**
 * Mistral validates with `extra = forbid` (422 "Extra inputs are not permitted"), so only fields of
 * its ChatCompletionRequest are sent (mistralai/client-ts `chatcompletionrequest.ts`).
 */
const MISTRAL_FIELDS: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'temperature',
  'top_p',
  'max_tokens',
  'stream',
  'stop',
  'random_seed',
  'metadata',
  'response_format',
  'tools',
  'tool_choice',
  'presence_penalty',
  'frequency_penalty',
  'n',
  'prediction',
  'parallel_tool_calls',
  'prompt_mode',
  'safe_prompt',
]);
const MISTRAL_MESSAGE_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  system: new Set(['role', 'content']),
  user: new Set(['role', 'content']),
  assistant: new Set(['role', 'content', 'tool_calls', 'prefix']),
  tool: new Set(['role', 'content', 'tool_call_id', 'name']),
};
const MISTRAL_DEFAULT_MESSAGE_FIELDS: ReadonlySet<string> = new Set(['role', 'content']);

const mistralRequest: Quirk = (body, result) => {
  if ('seed' in body) {
    if (isSet(body.seed)) body.random_seed = body.seed;
    delete body.seed;
  }
  // Mistral rejects stream_options but always sends usage on the last chunk, so nothing is lost.
  delete body.stream_options;
  for (const field of Object.keys(body)) {
    if (!MISTRAL_FIELDS.has(field)) drop(body, field, result);
  }
  filterMessageFields(body, result, (message, key) =>
    (MISTRAL_MESSAGE_FIELDS[message.role] ?? MISTRAL_DEFAULT_MESSAGE_FIELDS).has(key),
  );

  const toolIds = new ToolIdMap();
  body.messages = rewriteToolIds(body.messages, toolIds);
  if (toolIds.size > 0) result.toolIds = toolIds;
};

/** Together's `logprobs` is the number of top logprobs (an integer), not OpenAI's boolean. */
const togetherLogprobs: Quirk = (body) => {
  const topLogprobs = body.top_logprobs;
  delete body.top_logprobs;
  if (body.logprobs === true) {
    body.logprobs = typeof topLogprobs === 'number' && topLogprobs > 1 ? topLogprobs : 1;
  } else if ('logprobs' in body && typeof body.logprobs !== 'number') {
    delete body.logprobs;
  }
};

const QUIRKS: Readonly<Record<OpenAICompatibleProviderId, readonly Quirk[]>> = {
  openai: [],
  groq: [developerAsSystem, groqRestrictions],
  mistral: [developerAsSystem, useMaxTokens, mistralRequest],
  together: [developerAsSystem, useMaxTokens, togetherLogprobs],
  fireworks: [developerAsSystem, useMaxTokens],
  // Self-hosted servers (vLLM, Ollama, LM Studio…) get the OpenAI request nearly untouched.
  custom: [developerAsSystem, useMaxTokens],
};

/**
 * Normalises `body` in place for `providerId`.
 *
 * @throws GatewayError (400) for a parameter the provider cannot honour and that may not be dropped.
 */
export function applyQuirks(providerId: OpenAICompatibleProviderId, body: ChatCompletionRequest): QuirkResult {
  const result: QuirkResult = { warnings: [], toolIds: undefined };
  for (const quirk of QUIRKS[providerId]) quirk(body, result);
  return result;
}
