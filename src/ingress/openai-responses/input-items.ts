/**
 * Responses `input` (a string, or a list of items) → Chat Completions messages.
 *
 * - `message` items keep their role (user, assistant, system, developer); their parts become chat
 *   parts (`input_text`/`output_text` → text, `input_image` → image_url, `input_file` with data →
 *   file, `input_audio` → input_audio).
 * - `function_call` items become `tool_calls` of an assistant message: of the assistant message
 *   right before them if there is one, so a turn's text and its calls stay one message.
 * - `function_call_output` items become `tool` messages. Chat tool messages carry text only, so
 *   images a tool returned follow the turn's tool results in one user message.
 * - `reasoning` items are dropped: the reasoning of another model cannot be replayed to this one.
 * - Anything that needs state stored at OpenAI (`item_reference`, `file_id`) or a built-in tool's
 *   call is refused with a 400 that names it.
 */
import { invalidRequest } from '../../errors.js';
import type { ChatMessage, ContentPart, ToolCall } from '../../openai/types.js';
import { isRecord } from '../../lib/is-record.js';
import type { FunctionNames } from './types.js';

const MESSAGE_ROLES = new Set(['user', 'assistant', 'system', 'developer']);

/** Namespace + name → the upstream name `tools.ts` gave it; a call of an undeclared function keeps its name. */
function upstreamFunctionName(names: FunctionNames, name: string, namespace: unknown): string {
  for (const [flat, declared] of names) {
    if (declared.name === name && declared.namespace === (typeof namespace === 'string' ? namespace : undefined)) return flat;
  }
  return typeof namespace === 'string' && namespace !== '' ? `${namespace}__${name}` : name;
}

function stringField(item: Record<string, unknown>, field: string, param: string): string {
  const value = item[field];
  if (typeof value !== 'string') throw invalidRequest(`${param}.${field} must be a string.`, `${param}.${field}`);
  return value;
}

function notStateless(what: string, param: string): never {
  throw invalidRequest(
    `${what} refers to data stored at OpenAI, which only openai/* models can use; send the content itself.`,
    param,
  );
}

function imagePart(part: Record<string, unknown>, param: string): ContentPart {
  const url = part.image_url;
  if (typeof url !== 'string' || url === '') {
    if (typeof part.file_id === 'string') notStateless('An input_image with a file_id', `${param}.file_id`);
    throw invalidRequest(`${param}.image_url must be an http(s) or data: URL.`, `${param}.image_url`);
  }
  const detail = part.detail;
  return {
    type: 'image_url',
    image_url: detail === 'low' || detail === 'high' || detail === 'auto' ? { url, detail } : { url },
  };
}

function filePart(part: Record<string, unknown>, param: string): ContentPart {
  if (typeof part.file_data !== 'string') {
    if (typeof part.file_id === 'string') notStateless('An input_file with a file_id', `${param}.file_id`);
    throw invalidRequest(`${param}: only input_file parts with file_data (base64) can be sent to this model.`, param);
  }
  const file: Record<string, string> = { file_data: part.file_data };
  if (typeof part.filename === 'string') file.filename = part.filename;
  return { type: 'file', file };
}

/** One content part of a message (or of a function call's output). */
function contentPart(part: unknown, param: string): ContentPart {
  if (!isRecord(part) || typeof part.type !== 'string') throw invalidRequest(`${param} must be an object with a type.`, param);
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return { type: 'text', text: stringField(part, 'text', param) };
    case 'refusal':
      return { type: 'text', text: stringField(part, 'refusal', param) };
    case 'input_image':
      return imagePart(part, param);
    case 'input_file':
      return filePart(part, param);
    case 'input_audio':
      return { type: 'input_audio', input_audio: part.input_audio };
    default:
      throw invalidRequest(`${param}.type ${part.type.slice(0, 64)} is not supported for this model.`, `${param}.type`);
  }
}

function messageContent(content: unknown, param: string): string | ContentPart[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidRequest(`${param} must be a string or an array of content parts.`, param);
  return content.map((part: unknown, j) => contentPart(part, `${param}[${j}]`));
}

/** Assistant and instruction messages carry text: their parts are joined (chat hosts take text only there). */
function textOnly(content: string | ContentPart[], param: string): string {
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) {
    if (part.type !== 'text') throw invalidRequest(`${param}: only text parts can be sent in this role.`, param);
    text += (part as { text: string }).text;
  }
  return text;
}

/** Converts `input`; `names` maps namespaced calls in the history to their upstream names. */
export function inputToMessages(input: unknown, names: FunctionNames): ChatMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (!Array.isArray(input)) throw invalidRequest('input must be a string or an array of input items.', 'input');

  const messages: ChatMessage[] = [];
  /** The assistant message the next function_call joins, while nothing else came between. */
  let assistant: ChatMessage | undefined;
  /** Images returned by tools since the last non-output item, sent after the turn's tool messages. */
  let toolImages: ContentPart[] = [];
  const flushImages = (): void => {
    if (toolImages.length === 0) return;
    messages.push({ role: 'user', content: [{ type: 'text', text: 'Images returned by the tool calls above:' }, ...toolImages] });
    toolImages = [];
  };

  input.forEach((item: unknown, i) => {
    const param = `input[${i}]`;
    if (!isRecord(item)) throw invalidRequest(`${param} must be an object.`, param);
    // EasyInputMessage may leave out `type`.
    const type = item.type ?? (typeof item.role === 'string' ? 'message' : undefined);
    if (type !== 'function_call_output') flushImages();
    switch (type) {
      case 'message': {
        const role = item.role;
        if (typeof role !== 'string' || !MESSAGE_ROLES.has(role)) {
          throw invalidRequest(`${param}.role must be one of: user, assistant, system, developer.`, `${param}.role`);
        }
        const content = messageContent(item.content, `${param}.content`);
        if (role === 'assistant') {
          const text = textOnly(content, `${param}.content`);
          // Consecutive assistant items are one turn: texts join, calls follow.
          if (assistant !== undefined && (assistant.tool_calls === undefined || assistant.tool_calls.length === 0)) {
            assistant.content = `${typeof assistant.content === 'string' ? assistant.content : ''}${text}`;
          } else {
            assistant = { role: 'assistant', content: text };
            messages.push(assistant);
          }
          return;
        }
        assistant = undefined;
        messages.push({
          role: role as ChatMessage['role'],
          content: role === 'user' ? content : textOnly(content, `${param}.content`),
        });
        return;
      }
      case 'function_call': {
        const name = stringField(item, 'name', param);
        const call: ToolCall = {
          id: stringField(item, 'call_id', param),
          type: 'function',
          function: { name: upstreamFunctionName(names, name, item.namespace), arguments: stringField(item, 'arguments', param) },
        };
        if (assistant === undefined) {
          assistant = { role: 'assistant', content: null };
          messages.push(assistant);
        }
        (assistant.tool_calls ??= []).push(call);
        return;
      }
      case 'function_call_output': {
        assistant = undefined;
        const callId = stringField(item, 'call_id', param);
        const output = item.output;
        if (typeof output === 'string') {
          messages.push({ role: 'tool', tool_call_id: callId, content: output });
          return;
        }
        if (!Array.isArray(output))
          throw invalidRequest(`${param}.output must be a string or an array of content parts.`, `${param}.output`);
        const parts = output.map((part: unknown, j) => contentPart(part, `${param}.output[${j}]`));
        let text = '';
        for (const part of parts) {
          if (part.type === 'text') text += (text === '' ? '' : '\n') + (part as { text: string }).text;
          else toolImages.push(part);
        }
        messages.push({ role: 'tool', tool_call_id: callId, content: text });
        return;
      }
      case 'reasoning':
        return;
      case 'item_reference':
        return notStateless(`${param} (item_reference)`, param);
      default:
        throw invalidRequest(
          `${param}.type ${String(type).slice(0, 64)} cannot be sent to this model (supported: message, function_call, function_call_output, reasoning).`,
          `${param}.type`,
        );
    }
  });
  flushImages();
  return messages;
}
