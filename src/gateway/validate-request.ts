/**
 * Validates the OpenAI request bodies the gateway accepts. Hand-written rather than a schema
 * library because it runs on every request: it checks what the gateway relies on (types of the
 * fields it reads) and leaves every other field for the upstream to judge. Wrong types answer 400
 * naming the field; unknown fields pass through.
 */
import { invalidRequest } from '../errors.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../openai/types.js';
import { isRecord } from '../lib/is-record.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function optionalNumber(body: Record<string, unknown>, field: string, min: number, max: number, integer = false): void {
  const value = body[field];
  if (value === undefined || value === null) return;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw invalidRequest(`${field} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}.`, field);
  }
}

function modelField(body: Record<string, unknown>): string {
  const model = body.model;
  if (typeof model !== 'string' || model.trim() === '') {
    throw invalidRequest('model is required: a string of the form "provider/model", e.g. "openai/gpt-4o-mini".', 'model');
  }
  if (model.length > 512) throw invalidRequest('model is too long.', 'model');
  return model;
}

/** Checks a chat completion body; returns it typed. */
export function validateChatRequest(body: unknown): ChatCompletionRequest {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object.');
  modelField(body);
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalidRequest('messages must be a non-empty array of message objects.', 'messages');
  }
  for (let i = 0; i < messages.length; i++) {
    const message: unknown = messages[i];
    if (!isRecord(message)) throw invalidRequest(`messages[${i}] must be an object.`, `messages[${i}]`);
    if (typeof message.role !== 'string' || !ROLES.has(message.role)) {
      throw invalidRequest(`messages[${i}].role must be one of: ${[...ROLES].join(', ')}.`, `messages[${i}].role`);
    }
    const content = message.content;
    if (content !== undefined && content !== null && typeof content !== 'string') {
      if (!Array.isArray(content))
        throw invalidRequest(`messages[${i}].content must be a string or an array of content parts.`, `messages[${i}].content`);
      for (let j = 0; j < content.length; j++) {
        const part: unknown = content[j];
        if (!isRecord(part) || typeof part.type !== 'string') {
          throw invalidRequest(`messages[${i}].content[${j}] must be an object with a type.`, `messages[${i}].content[${j}]`);
        }
      }
    }
    if (message.tool_calls !== undefined && message.tool_calls !== null) {
      if (!Array.isArray(message.tool_calls))
        throw invalidRequest(`messages[${i}].tool_calls must be an array.`, `messages[${i}].tool_calls`);
      for (const call of message.tool_calls as unknown[]) {
        if (
          !isRecord(call) ||
          typeof call.id !== 'string' ||
          !isRecord(call.function) ||
          typeof call.function.name !== 'string'
        ) {
          throw invalidRequest(`messages[${i}].tool_calls entries need an id and a function name.`, `messages[${i}].tool_calls`);
        }
        if (call.function.arguments !== undefined && typeof call.function.arguments !== 'string') {
          throw invalidRequest(
            `messages[${i}].tool_calls[].function.arguments must be a JSON string.`,
            `messages[${i}].tool_calls`,
          );
        }
      }
    }
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw invalidRequest('stream must be a boolean.', 'stream');
  }
  if (body.stream_options !== undefined && body.stream_options !== null && !isRecord(body.stream_options)) {
    throw invalidRequest('stream_options must be an object.', 'stream_options');
  }
  optionalNumber(body, 'max_tokens', 1, 100_000_000, true);
  optionalNumber(body, 'max_completion_tokens', 1, 100_000_000, true);
  optionalNumber(body, 'temperature', 0, 2);
  optionalNumber(body, 'top_p', 0, 1);
  optionalNumber(body, 'n', 1, 128, true);
  if (body.stop !== undefined && body.stop !== null && typeof body.stop !== 'string') {
    if (!Array.isArray(body.stop) || body.stop.some((s) => typeof s !== 'string')) {
      throw invalidRequest('stop must be a string or an array of strings.', 'stop');
    }
  }
  if (body.tools !== undefined && body.tools !== null) {
    if (!Array.isArray(body.tools)) throw invalidRequest('tools must be an array.', 'tools');
    for (const tool of body.tools as unknown[]) {
      if (!isRecord(tool) || typeof tool.type !== 'string')
        throw invalidRequest('tools entries must be objects with a type.', 'tools');
      if (tool.type === 'function' && (!isRecord(tool.function) || typeof tool.function.name !== 'string')) {
        throw invalidRequest('function tools need function.name.', 'tools');
      }
    }
  }
  if (
    body.response_format !== undefined &&
    body.response_format !== null &&
    (!isRecord(body.response_format) || typeof body.response_format.type !== 'string')
  ) {
    throw invalidRequest('response_format must be an object with a type.', 'response_format');
  }
  return body as ChatCompletionRequest;
}

/** Checks an embeddings body; returns it typed. */
export function validateEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object.');
  modelField(body);
  const input = body.input;
  const ok =
    typeof input === 'string' ||
    (Array.isArray(input) &&
      input.length > 0 &&
      input.length <= 2048 &&
      (input.every((x) => typeof x === 'string') ||
        input.every((x) => typeof x === 'number' && Number.isInteger(x)) ||
        input.every((x) => Array.isArray(x) && x.every((y) => typeof y === 'number' && Number.isInteger(y)))));
  if (!ok) throw invalidRequest('input must be a string, an array of 1 to 2048 strings, or token arrays.', 'input');
  if (body.encoding_format !== undefined && body.encoding_format !== 'float' && body.encoding_format !== 'base64') {
    throw invalidRequest('encoding_format must be "float" or "base64".', 'encoding_format');
  }
  optionalNumber(body, 'dimensions', 1, 100_000, true);
  return body as EmbeddingsRequest;
}
