/**
 * OpenAI `messages` → Gemini `systemInstruction` + `contents`.
 *
 * Gemini has two roles (`user`, `model`), wants tool results as `functionResponse` parts of a user
 * turn addressed by function NAME (an OpenAI `tool` message only has the call id), and expects
 * consecutive turns of one role to be a single content.
 *
 * @see https://ai.google.dev/gemini-api/docs/function-calling
 * @see https://ai.google.dev/api/generate-content#request-body
 */
import { invalidRequest } from '../../errors.js';
import type { ChatMessage } from '../../openai/types.js';
import { textsOf, userParts } from './content.js';
import { SKIP_THOUGHT_SIGNATURE, thoughtSignatureOf } from './thought-signature.js';
import { isMintedToolCallId } from './tool-call-id.js';
import type { GeminiContent, GeminiFunctionCall, GeminiPart } from './wire.js';
import { isRecord } from '../../lib/is-record.js';

export interface ConvertedMessages {
  systemInstruction: { parts: GeminiPart[] } | undefined;
  contents: GeminiContent[];
}

/** Translates the conversation; throws a 400 naming the message that cannot be translated. */
export function convertMessages(messages: ChatMessage[], warnings: Set<string>): ConvertedMessages {
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  // tool_call_id → function name, from the assistant turns seen so far (a later reuse of an id wins).
  const toolNames = new Map<string, string>();

  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        // Gemini has one system instruction, so system messages anywhere in the list are hoisted.
        for (const text of textsOf(message.content, `${param}.content`, false)) {
          if (text !== '') system.push({ text });
        }
        return;
      case 'user':
        return append(contents, 'user', userParts(message.content, `${param}.content`, warnings));
      case 'assistant':
        return append(contents, 'model', assistantParts(message, param, toolNames));
      case 'tool':
        return append(contents, 'user', [toolResultPart(message, param, toolNames)]);
      default:
        throw invalidRequest(
          `Role '${message.role}' is not supported by Gemini (use 'tool' messages for function results).`,
          `${param}.role`,
        );
    }
  });

  if (contents.length === 0) {
    throw invalidRequest('Gemini needs at least one user or assistant message besides the system prompt.', 'messages');
  }
  return { systemInstruction: system.length > 0 ? { parts: system } : undefined, contents };
}

/** Adds a turn, merging it into the previous one when the role repeats (Gemini alternates roles). */
function append(contents: GeminiContent[], role: GeminiContent['role'], parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents.at(-1);
  if (last?.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

function assistantParts(message: ChatMessage, param: string, toolNames: Map<string, string>): GeminiPart[] {
  const parts: GeminiPart[] = textsOf(message.content, `${param}.content`, true)
    .filter((text) => text !== '')
    .map((text) => ({ text }));
  const calls = message.tool_calls ?? [];
  // Gemini signs the first call of a step; if the client echoed no signature for any call of this
  // message, mark the first one as unsigned so Gemini 3 accepts the history.
  const unsigned = calls.every((call) => thoughtSignatureOf(call) === undefined);

  calls.forEach((call, j) => {
    const at = `${param}.tool_calls[${j}]`;
    if (call.type !== 'function') throw invalidRequest(`Tool call type '${String(call.type)}' is not supported.`, `${at}.type`);
    toolNames.set(call.id, call.function.name);
    const functionCall: GeminiFunctionCall = {
      name: call.function.name,
      args: parseArguments(call.function.arguments, `${at}.function.arguments`),
    };
    if (!isMintedToolCallId(call.id)) functionCall.id = call.id;
    const part: GeminiPart = { functionCall };
    const signature = thoughtSignatureOf(call) ?? (unsigned && j === 0 ? SKIP_THOUGHT_SIGNATURE : undefined);
    if (signature !== undefined) part.thoughtSignature = signature;
    parts.push(part);
  });
  return parts;
}

/** OpenAI sends arguments as JSON text; Gemini wants the object. */
function parseArguments(text: unknown, param: string): Record<string, unknown> {
  if (typeof text !== 'string') throw invalidRequest('Tool call arguments must be a JSON object serialised as a string.', param);
  if (text.trim() === '') return {};
  const value = parseJson(text);
  if (isRecord(value)) return value;
  throw invalidRequest('Tool call arguments must be a JSON object.', param);
}

function toolResultPart(message: ChatMessage, param: string, toolNames: Map<string, string>): GeminiPart {
  const id = message.tool_call_id;
  const name = id === undefined ? undefined : toolNames.get(id);
  if (id === undefined || name === undefined) {
    throw invalidRequest(
      `No earlier assistant message has a tool call with id '${id ?? ''}', so its function name is unknown.`,
      `${param}.tool_call_id`,
    );
  }
  const text = textsOf(message.content, `${param}.content`, false).join('');
  // `response` must be an object: a JSON object result goes as is, anything else (plain text, a
  // JSON array or number) is wrapped so the model still sees exactly what the tool returned.
  const parsed = parseJson(text);
  const response = isRecord(parsed) ? parsed : { content: text };
  return { functionResponse: isMintedToolCallId(id) ? { name, response } : { id, name, response } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
