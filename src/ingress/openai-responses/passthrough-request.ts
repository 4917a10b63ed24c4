/**
 * A Responses request for an `openai/*` model goes to OpenAI's own `/v1/responses` as the client
 * wrote it (`store`, `previous_response_id`, reasoning `encrypted_content`, built-in tools: OpenAI
 * keeps any state on the user's own account). Z-AI only checks what it reads itself, puts the
 * upstream model id in, and bounds the worst-case cost for a capped key.
 */
import { estimatePromptTokensUpperBound } from '../../billing/estimate.js';
import { invalidRequest } from '../../errors.js';
import { leadingMessages } from '../../gateway/leading-messages.js';
import { isRecord } from '../../lib/is-record.js';
import { stringifyOr } from '../../providers/safe-json.js';

/** A passthrough body, checked only as far as Z-AI reads it. */
export interface NativeResponsesRequest {
  fields: Record<string, unknown>;
  model: string;
  stream: boolean;
}

export function readNativeRequest(body: unknown): NativeResponsesRequest {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object.');
  const model = body.model;
  if (typeof model !== 'string' || model.trim() === '') {
    throw invalidRequest('model is required: a string of the form "provider/model", e.g. "openai/gpt-5".', 'model');
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw invalidRequest('stream must be a boolean.', 'stream');
  }
  const max = body.max_output_tokens;
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1)) {
    throw invalidRequest('max_output_tokens must be a positive integer.', 'max_output_tokens');
  }
  return { fields: body, model, stream: body.stream === true };
}

/** Fields whose input lives at OpenAI: its size, and so its cost, cannot be bounded before the call. */
const STORED_INPUT = ['previous_response_id', 'conversation', 'prompt'] as const;

/**
 * A capped key must know the worst case before the call; a request that continues a conversation
 * stored at OpenAI has an input of unknown size, so it is refused with the way out.
 */
export function checkBoundedInput(request: NativeResponsesRequest): void {
  for (const field of STORED_INPUT) {
    const value = request.fields[field];
    if (value !== undefined && value !== null) {
      throw invalidRequest(
        `${field} cannot be used with a key that has a spend cap: the stored input's size is unknown, so the cap could not hold. Send the whole conversation in input, or use a key without a cap.`,
        field,
      );
    }
  }
}

/**
 * An upper bound on the input tokens, by the same rules as for chat requests: the instructions and
 * each input item count as messages (their strings, a ceiling per image), plus the tools, the tool
 * choice and the output format.
 */
export function estimateNativePromptTokens(request: NativeResponsesRequest): number {
  const { fields } = request;
  const text = fields.text;
  return estimatePromptTokensUpperBound({
    model: request.model,
    messages: chatMessages(request),
    tools: fields.tools,
    tool_choice: fields.tool_choice,
    response_format: isRecord(text) ? text.format : undefined,
  });
}

/** For prompt-cache affinity: what names the conversation, by the chat rules (see leadingMessages). */
export function nativeLeading(request: NativeResponsesRequest): string {
  return leadingMessages(chatMessages(request));
}

/** The instructions and input as the chat rules read them: a system message, then each input item. */
function chatMessages(request: NativeResponsesRequest): unknown[] {
  const { fields } = request;
  const messages: unknown[] = [];
  if (typeof fields.instructions === 'string') messages.push({ role: 'system', content: fields.instructions });
  if (typeof fields.input === 'string') messages.push({ role: 'user', content: fields.input });
  else if (Array.isArray(fields.input)) messages.push(...(fields.input as unknown[]));
  else if (fields.input !== undefined && fields.input !== null) messages.push(fields.input);
  return messages;
}

/** The body sent upstream: the client's, with the upstream model id and (for a capped key) an output bound. */
export function nativeBody(request: NativeResponsesRequest, upstreamModel: string, maxOutputTokens: number | undefined): string {
  const body: Record<string, unknown> = Object.assign({}, request.fields);
  body.model = upstreamModel;
  if (maxOutputTokens !== undefined) body.max_output_tokens = maxOutputTokens;
  return stringifyOr(body, () => invalidRequest('The request is nested too deeply to forward.'));
}
