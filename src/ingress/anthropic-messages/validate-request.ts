/**
 * Checks a Messages request body: the types of the fields the ingress reads, with a 400 naming the
 * field, as Anthropic's API would answer. Fields and block types it does not read pass untouched
 * (a passthrough forwards them; the translation decides on each), so clients newer than this file
 * keep working.
 *
 * @see https://docs.claude.com/en/api/messages
 */
import { invalidRequest } from '../../errors.js';
import { isRecord } from '../../providers/anthropic/content.js';
import type { MessagesRequest } from './wire.js';

const ROLES: ReadonlySet<string> = new Set(['user', 'assistant', 'system']);
const TOOL_CHOICES: ReadonlySet<string> = new Set(['auto', 'any', 'tool', 'none']);

/** Longest model string accepted (the chat route's limit). */
const MAX_MODEL_LENGTH = 512;

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
    throw invalidRequest(`${field}: must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}.`, field);
  }
}

/** `content` of a message or a tool result: a string or a list of blocks with a type. */
function checkBlocks(value: unknown, param: string): void {
  if (typeof value === 'string') return;
  if (!Array.isArray(value)) throw invalidRequest(`${param}: must be a string or an array of content blocks.`, param);
  value.forEach((block: unknown, i) => {
    if (!isRecord(block) || typeof block.type !== 'string') {
      throw invalidRequest(`${param}.${i}: must be an object with a type.`, `${param}.${i}`);
    }
  });
}

/** The model the client asked for as a public `provider/model` string: bare Claude names mean Anthropic. */
export function publicModel(model: string): string {
  return model.includes('/') ? model : `anthropic/${model}`;
}

/** Validates a Messages body (for `/v1/messages`; count_tokens needs no `max_tokens`). */
export function validateMessagesRequest(body: unknown, options: { countTokens?: boolean } = {}): MessagesRequest {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object.');
  const model = body.model;
  if (typeof model !== 'string' || model.trim() === '') {
    throw invalidRequest('model: Field required (e.g. "claude-sonnet-4-5" or "openai/gpt-4o-mini").', 'model');
  }
  if (model.length > MAX_MODEL_LENGTH) throw invalidRequest('model: too long.', 'model');
  if (options.countTokens !== true && (body.max_tokens === undefined || body.max_tokens === null)) {
    throw invalidRequest('max_tokens: Field required.', 'max_tokens');
  }
  // 0 is Anthropic's "only warm the prompt cache"; the translation refuses it for other providers.
  optionalNumber(body, 'max_tokens', 0, 100_000_000, true);

  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalidRequest('messages: must be a non-empty array of messages.', 'messages');
  }
  messages.forEach((message: unknown, i) => {
    const param = `messages.${i}`;
    if (!isRecord(message)) throw invalidRequest(`${param}: must be an object.`, param);
    if (typeof message.role !== 'string' || !ROLES.has(message.role)) {
      throw invalidRequest(`${param}.role: must be one of user, assistant, system.`, `${param}.role`);
    }
    checkBlocks(message.content, `${param}.content`);
  });

  if (body.system !== undefined && body.system !== null) checkBlocks(body.system, 'system');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw invalidRequest('stream: must be a boolean.', 'stream');
  }
  if (body.stop_sequences !== undefined && body.stop_sequences !== null) {
    if (!Array.isArray(body.stop_sequences) || body.stop_sequences.some((s) => typeof s !== 'string')) {
      throw invalidRequest('stop_sequences: must be an array of strings.', 'stop_sequences');
    }
  }
  optionalNumber(body, 'temperature', 0, 1);
  optionalNumber(body, 'top_p', 0, 1);
  optionalNumber(body, 'top_k', 0, 1_000_000, true);

  if (body.tools !== undefined && body.tools !== null) {
    if (!Array.isArray(body.tools)) throw invalidRequest('tools: must be an array.', 'tools');
    body.tools.forEach((tool: unknown, i) => {
      if (!isRecord(tool) || typeof tool.name !== 'string' || tool.name === '') {
        throw invalidRequest(`tools.${i}.name: Field required.`, `tools.${i}.name`);
      }
    });
  }
  const choice = body.tool_choice;
  if (choice !== undefined && choice !== null) {
    if (!isRecord(choice) || typeof choice.type !== 'string' || !TOOL_CHOICES.has(choice.type)) {
      throw invalidRequest('tool_choice: must be an object with type auto, any, tool or none.', 'tool_choice');
    }
    if (choice.type === 'tool' && (typeof choice.name !== 'string' || choice.name === '')) {
      throw invalidRequest('tool_choice.name: Field required for type "tool".', 'tool_choice.name');
    }
  }
  for (const field of ['thinking', 'output_config', 'metadata'] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && !isRecord(value)) throw invalidRequest(`${field}: must be an object.`, field);
  }
  return body as MessagesRequest;
}
