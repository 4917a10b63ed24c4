/**
 * A Responses request → the gateway's internal Chat Completions request, for every upstream that
 * does not speak the Responses API itself. Z-AI stores neither prompts nor answers, so this path
 * is stateless: `store` is treated as false and anything that points at stored state
 * (`previous_response_id`, `conversation`, `prompt`, `background`) is refused with a 400 that says
 * what to send instead. Parameters the translation cannot honour are named in the warnings
 * (`x-zai-warnings`); hints that change nothing in the answer (`include`, `prompt_cache_key`,
 * `safety_identifier`, `metadata`, …) are left out quietly.
 */
import { invalidRequest } from '../../errors.js';
import type { ChatCompletionRequest, ChatMessage, ResponseFormat } from '../../openai/types.js';
import { isRecord } from '../../lib/is-record.js';
import { inputToMessages } from './input-items.js';
import { translateTools } from './tools.js';
import type { FunctionNames, ResponseEcho } from './types.js';

export interface ResponsesTranslation {
  chat: ChatCompletionRequest;
  stream: boolean;
  /** Parameters dropped by the translation itself (the provider adapter adds its own). */
  warnings: string[];
  names: FunctionNames;
  echo: ResponseEcho;
}

/** Read or deliberately left out without a warning: translated below, or hints that change no answer. */
const HANDLED = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'max_output_tokens',
  'temperature',
  'top_p',
  'reasoning',
  'stream',
  'stream_options',
  'store',
  'include',
  'metadata',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'client_metadata',
  'previous_response_id',
  'conversation',
  'prompt',
  'background',
  'truncation',
  'service_tier',
]);

function stateful(field: string, what: string): never {
  throw invalidRequest(
    `${field} is not supported for this model: Z-AI stores no ${what}, so only openai/* models (passed through to OpenAI) can use it. Send the whole conversation in input instead, with store: false.`,
    field,
  );
}

function optionalNumber(body: Record<string, unknown>, field: string, min: number, max: number, integer = false): number | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw invalidRequest(`${field} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}.`, field);
  }
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalidRequest(`${field} must be a string.`, field);
  return value;
}

/** `text.format` → `response_format`; undefined for plain text. */
function responseFormat(format: unknown): ResponseFormat | undefined {
  if (format === undefined || format === null) return undefined;
  if (!isRecord(format) || typeof format.type !== 'string')
    throw invalidRequest('text.format must be an object with a type.', 'text.format');
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      if (typeof format.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(format.name)) {
        throw invalidRequest('text.format.name must be 1 to 64 letters, digits, underscores or dashes.', 'text.format.name');
      }
      if (!isRecord(format.schema))
        throw invalidRequest('text.format.schema must be a JSON schema object.', 'text.format.schema');
      const schema: Extract<ResponseFormat, { type: 'json_schema' }>['json_schema'] = {
        name: format.name,
        schema: format.schema,
      };
      if (typeof format.description === 'string') schema.description = format.description;
      if (typeof format.strict === 'boolean') schema.strict = format.strict;
      return { type: 'json_schema', json_schema: schema };
    }
    default:
      throw invalidRequest('text.format.type must be text, json_object or json_schema.', 'text.format.type');
  }
}

function addWarning(warnings: string[], name: string): void {
  if (!warnings.includes(name)) warnings.push(name);
}

/** Translates a `POST /v1/responses` body; throws GatewayError 400 naming the field for bad input. */
export function translateRequest(body: unknown): ResponsesTranslation {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object.');
  const model = body.model;
  if (typeof model !== 'string' || model.trim() === '') {
    throw invalidRequest(
      'model is required: a string of the form "provider/model", e.g. "anthropic/claude-sonnet-4-5".',
      'model',
    );
  }
  if (body.previous_response_id !== undefined && body.previous_response_id !== null)
    stateful('previous_response_id', 'responses');
  if (body.conversation !== undefined && body.conversation !== null) stateful('conversation', 'conversations');
  if (body.prompt !== undefined && body.prompt !== null) stateful('prompt', 'prompt templates');
  if (body.background === true) stateful('background', 'responses to poll');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw invalidRequest('stream must be a boolean.', 'stream');
  }
  const stream = body.stream === true;

  const warnings: string[] = [];
  const tools = translateTools(body.tools, body.tool_choice);
  warnings.push(...tools.warnings);

  const instructions = optionalString(body, 'instructions');
  const messages: ChatMessage[] = [];
  if (instructions !== null && instructions !== '') messages.push({ role: 'system', content: instructions });
  if (body.input !== undefined && body.input !== null) messages.push(...inputToMessages(body.input, tools.names));
  if (messages.length === 0) throw invalidRequest('input is required: a string or a non-empty array of input items.', 'input');

  const maxOutputTokens = optionalNumber(body, 'max_output_tokens', 1, 100_000_000, true);
  const temperature = optionalNumber(body, 'temperature', 0, 2);
  const topP = optionalNumber(body, 'top_p', 0, 1);
  const user = optionalString(body, 'user');
  if (
    body.parallel_tool_calls !== undefined &&
    body.parallel_tool_calls !== null &&
    typeof body.parallel_tool_calls !== 'boolean'
  ) {
    throw invalidRequest('parallel_tool_calls must be a boolean.', 'parallel_tool_calls');
  }

  const text = body.text;
  if (text !== undefined && text !== null && !isRecord(text)) throw invalidRequest('text must be an object.', 'text');
  const format = isRecord(text) ? responseFormat(text.format) : undefined;
  const verbosity = isRecord(text) && typeof text.verbosity === 'string' ? text.verbosity : undefined;
  if (verbosity !== undefined) addWarning(warnings, 'text.verbosity');

  const reasoning = body.reasoning;
  if (reasoning !== undefined && reasoning !== null && !isRecord(reasoning))
    throw invalidRequest('reasoning must be an object.', 'reasoning');
  const effort = isRecord(reasoning) && typeof reasoning.effort === 'string' ? reasoning.effort : null;
  const summary = isRecord(reasoning) && typeof reasoning.summary === 'string' ? reasoning.summary : null;

  if (body.store === true) addWarning(warnings, 'store');
  if (body.truncation === 'auto') addWarning(warnings, 'truncation');
  if (typeof body.service_tier === 'string' && body.service_tier !== 'auto' && body.service_tier !== 'default') {
    addWarning(warnings, 'service_tier');
  }
  for (const key of Object.keys(body)) {
    if (!HANDLED.has(key) && body[key] !== undefined && body[key] !== null) addWarning(warnings, key);
  }

  const chat: ChatCompletionRequest = { model, messages };
  if (stream) {
    chat.stream = true;
    // The final usage chunk feeds response.completed's usage.
    chat.stream_options = { include_usage: true };
  }
  if (tools.tools !== undefined) {
    chat.tools = tools.tools;
    if (tools.toolChoice !== undefined) chat.tool_choice = tools.toolChoice;
    if (typeof body.parallel_tool_calls === 'boolean') chat.parallel_tool_calls = body.parallel_tool_calls;
  }
  if (format !== undefined) chat.response_format = format;
  if (maxOutputTokens !== null) chat.max_completion_tokens = maxOutputTokens;
  if (temperature !== null) chat.temperature = temperature;
  if (topP !== null) chat.top_p = topP;
  if (effort !== null) chat.reasoning_effort = effort;
  if (user !== null) chat.user = user;

  const echoText: ResponseEcho['text'] = { format: isRecord(text) && isRecord(text.format) ? text.format : { type: 'text' } };
  if (verbosity !== undefined) echoText.verbosity = verbosity;
  const echo: ResponseEcho = {
    instructions,
    max_output_tokens: maxOutputTokens,
    model,
    parallel_tool_calls: body.parallel_tool_calls !== false,
    reasoning: { effort, summary },
    temperature,
    text: echoText,
    tool_choice: body.tool_choice ?? 'auto',
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_p: topP,
    truncation: typeof body.truncation === 'string' ? body.truncation : 'disabled',
    user,
    metadata: isRecord(body.metadata) ? body.metadata : {},
  };
  return { chat, stream, warnings, names: tools.names, echo };
}
