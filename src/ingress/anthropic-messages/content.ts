/**
 * Anthropic `system` + `messages` → the gateway's chat messages, for providers reached through
 * their adapters (every provider but Anthropic, which gets the request natively).
 *
 * - System text (top level, and `system` messages anywhere in the list) stays where it was, as
 *   `system` messages; each adapter then does what its API needs (Gemini hoists them).
 * - A user turn's `tool_result` blocks become `tool` messages, in order, followed by a user message
 *   with the turn's other content (images a tool returned go there too, since tool messages carry
 *   only text).
 * - An assistant turn's `tool_use` blocks become `tool_calls` (arguments as JSON text).
 * - Thinking blocks are dropped without a word: their signatures mean something only to Anthropic,
 *   and the reasoning was the model's, not part of the conversation. Blocks no other provider can
 *   take (server-tool calls and results, container uploads, future types) are dropped and named in
 *   the warnings; content that cannot be translated without fetching something (URL documents,
 *   file ids) is a 400 naming the block.
 * - `cache_control` and `citations` are hints for Anthropic's cache and citations; they change no
 *   meaning elsewhere and are dropped silently.
 *
 * @see https://docs.claude.com/en/api/messages
 */
import { invalidRequest } from '../../errors.js';
import type { ChatMessage, ContentPart, ToolCall } from '../../openai/types.js';
import { isRecord } from '../../providers/anthropic/content.js';
import type { MessagesRequest, RequestBlock, RequestMessage } from './wire.js';

/** Blocks that never reach a translated provider, silently: reasoning with Anthropic-only signatures. */
const THINKING_BLOCKS: ReadonlySet<string> = new Set(['thinking', 'redacted_thinking']);

/** Text parts are joined when a message has nothing else: some OpenAI-compatible servers take only string content. */
const TEXT_JOINER = '\n\n';

export function toChatMessages(request: MessagesRequest, warnings: Set<string>): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (request.system !== undefined && request.system !== null) {
    const system = systemText(request.system, 'system');
    if (system !== '') out.push({ role: 'system', content: system });
  }
  request.messages.forEach((message, i) => appendMessage(out, message, `messages.${i}`, warnings));
  return toolResultsFirst(out);
}

/**
 * OpenAI-compatible APIs refuse anything between an assistant's tool calls and their `tool`
 * messages; a `system` message placed there (Anthropic allows system messages anywhere) moves to
 * just after the tool messages.
 */
function toolResultsFirst(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as ChatMessage;
    out.push(message);
    if (message.role !== 'assistant' || message.tool_calls === undefined) continue;
    const deferred: ChatMessage[] = [];
    while (i + 1 < messages.length) {
      const next = messages[i + 1] as ChatMessage;
      if (next.role === 'tool') out.push(next);
      else if (next.role === 'system') deferred.push(next);
      else break;
      i += 1;
    }
    out.push(...deferred);
  }
  return out;
}

function appendMessage(out: ChatMessage[], message: RequestMessage, param: string, warnings: Set<string>): void {
  switch (message.role) {
    case 'system':
      out.push({ role: 'system', content: systemText(message.content, `${param}.content`) });
      return;
    case 'user':
      appendUser(out, message.content, `${param}.content`, warnings);
      return;
    case 'assistant':
      appendAssistant(out, message.content, `${param}.content`, warnings);
      return;
  }
}

function systemText(content: string | RequestBlock[], param: string): string {
  if (typeof content === 'string') return content;
  return content
    .map((block, i) => {
      if (block.type !== 'text') {
        throw invalidRequest(`${param}.${i}: system content must be text blocks, got '${block.type}'.`, `${param}.${i}.type`);
      }
      return stringField(block, 'text', `${param}.${i}`);
    })
    .join(TEXT_JOINER);
}

function appendUser(out: ChatMessage[], content: string | RequestBlock[], param: string, warnings: Set<string>): void {
  if (typeof content === 'string') {
    out.push({ role: 'user', content });
    return;
  }
  const parts: ContentPart[] = [];
  content.forEach((block, i) => {
    const at = `${param}.${i}`;
    if (block.type === 'tool_result') {
      const result = toolResult(block, at, warnings);
      out.push(result.message);
      // Tool messages carry only text; what the tool returned beside it follows in the user turn.
      parts.push(...result.media);
      return;
    }
    if (block.type === 'tool_use') {
      throw invalidRequest(`${at}: tool_use blocks belong in assistant messages.`, `${at}.type`);
    }
    parts.push(...userParts(block, at, warnings));
  });
  if (parts.length > 0) out.push({ role: 'user', content: compactParts(parts) });
}

function appendAssistant(out: ChatMessage[], content: string | RequestBlock[], param: string, warnings: Set<string>): void {
  if (typeof content === 'string') {
    out.push({ role: 'assistant', content });
    return;
  }
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  content.forEach((block, i) => {
    const at = `${param}.${i}`;
    if (block.type === 'text') texts.push(stringField(block, 'text', at));
    else if (block.type === 'tool_use') calls.push(toolCall(block, at));
    else if (!THINKING_BLOCKS.has(block.type)) warnings.add(`messages.content.${block.type}`);
  });
  const text = texts.join(TEXT_JOINER);
  // A turn that held only thinking leaves nothing to say.
  if (text === '' && calls.length === 0) return;
  const message: ChatMessage = { role: 'assistant', content: text === '' ? null : text };
  if (calls.length > 0) message.tool_calls = calls;
  out.push(message);
}

function toolCall(block: RequestBlock, param: string): ToolCall {
  const id = stringField(block, 'id', param);
  const name = stringField(block, 'name', param);
  const input = block.input ?? {};
  if (!isRecord(input)) throw invalidRequest(`${param}.input: must be an object.`, `${param}.input`);
  return { id, type: 'function', function: { name, arguments: JSON.stringify(input) } };
}

/** One `tool_result` → a `tool` message (its text) and the media it returned, for the user turn after it. */
function toolResult(block: RequestBlock, param: string, warnings: Set<string>): { message: ChatMessage; media: ContentPart[] } {
  const id = stringField(block, 'tool_use_id', param);
  const texts: string[] = [];
  const media: ContentPart[] = [];
  const content = block.content;
  if (typeof content === 'string') texts.push(content);
  else if (Array.isArray(content)) {
    content.forEach((item: unknown, i) => {
      const at = `${param}.content.${i}`;
      if (!isRecord(item) || typeof item.type !== 'string') throw invalidRequest(`${at}: must be an object with a type.`, at);
      const itemBlock = item as RequestBlock;
      if (itemBlock.type === 'tool_reference') {
        // A tool search result: the tool it names is already among the translated tools.
        texts.push(`Tool available: ${stringField(itemBlock, 'tool_name', at)}`);
        return;
      }
      for (const part of userParts(itemBlock, at, warnings)) {
        if (part.type === 'text') texts.push(partText(part));
        else media.push(part);
      }
    });
  } else if (content !== undefined && content !== null) {
    throw invalidRequest(`${param}.content: must be a string or an array of content blocks.`, `${param}.content`);
  }
  let text = texts.join(TEXT_JOINER);
  // Tool messages have no error flag elsewhere; the model must still learn that the call failed.
  if (block.is_error === true) text = text === '' ? 'Error' : `Error: ${text}`;
  return { message: { role: 'tool', tool_call_id: id, content: text }, media };
}

/** A user content block (also inside tool results) → chat content parts. */
function userParts(block: RequestBlock, param: string, warnings: Set<string>): ContentPart[] {
  switch (block.type) {
    case 'text':
      return [{ type: 'text', text: stringField(block, 'text', param) }];
    case 'image':
      return [imagePart(block, param)];
    case 'document':
      return documentParts(block, param, warnings);
    case 'search_result':
      return [{ type: 'text', text: searchResultText(block, param) }];
    default:
      if (!THINKING_BLOCKS.has(block.type)) warnings.add(`messages.content.${block.type}`);
      return [];
  }
}

function imagePart(block: RequestBlock, param: string): ContentPart {
  const source = recordField(block, 'source', param);
  if (source.type === 'base64') {
    const mediaType = stringField(source, 'media_type', `${param}.source`);
    const data = stringField(source, 'data', `${param}.source`);
    return { type: 'image_url', image_url: { url: `data:${mediaType};base64,${data}` } };
  }
  if (source.type === 'url') return { type: 'image_url', image_url: { url: stringField(source, 'url', `${param}.source`) } };
  throw invalidRequest(
    `${param}.source: only base64 and URL images can be sent to this model (Anthropic file ids mean nothing to other providers).`,
    `${param}.source.type`,
  );
}

function documentParts(block: RequestBlock, param: string, warnings: Set<string>): ContentPart[] {
  const source = recordField(block, 'source', param);
  const title = typeof block.title === 'string' && block.title !== '' ? block.title : undefined;
  const at = `${param}.source`;
  switch (source.type) {
    case 'base64': {
      const mediaType = stringField(source, 'media_type', at);
      const data = stringField(source, 'data', at);
      return [{ type: 'file', file: { file_data: `data:${mediaType};base64,${data}`, filename: title ?? 'document.pdf' } }];
    }
    case 'text': {
      const text = stringField(source, 'data', at);
      return [{ type: 'text', text: title === undefined ? text : `${title}\n\n${text}` }];
    }
    case 'content': {
      const content = source.content;
      if (typeof content === 'string') return [{ type: 'text', text: content }];
      if (!Array.isArray(content)) throw invalidRequest(`${at}.content: must be a string or an array.`, `${at}.content`);
      return content.flatMap((item: unknown, i) => {
        if (!isRecord(item) || typeof item.type !== 'string') {
          throw invalidRequest(`${at}.content.${i}: must be an object with a type.`, `${at}.content.${i}`);
        }
        return userParts(item as RequestBlock, `${at}.content.${i}`, warnings);
      });
    }
    default:
      throw invalidRequest(
        `${at}: only base64, text and content documents can be sent to this model (Z-AI fetches no URLs, and Anthropic file ids mean nothing to other providers).`,
        `${at}.type`,
      );
  }
}

function searchResultText(block: RequestBlock, param: string): string {
  const title = typeof block.title === 'string' ? block.title : '';
  const source = typeof block.source === 'string' ? block.source : '';
  const content = Array.isArray(block.content) ? block.content : [];
  const texts = content.map((item: unknown, i) => {
    if (!isRecord(item) || item.type !== 'text') {
      throw invalidRequest(`${param}.content.${i}: search results hold text blocks.`, `${param}.content.${i}`);
    }
    return stringField(item, 'text', `${param}.content.${i}`);
  });
  return [title, source, ...texts].filter((text) => text !== '').join('\n');
}

/** Text-only content as one string (understood everywhere); parts when there is more than text. */
function compactParts(parts: ContentPart[]): string | ContentPart[] {
  if (parts.every((part) => part.type === 'text')) return parts.map(partText).join(TEXT_JOINER);
  return parts;
}

function partText(part: ContentPart): string {
  return 'text' in part && typeof part.text === 'string' ? part.text : '';
}

function stringField(block: Record<string, unknown>, key: string, param: string): string {
  const value = block[key];
  if (typeof value !== 'string') throw invalidRequest(`${param}.${key}: must be a string.`, `${param}.${key}`);
  return value;
}

function recordField(block: Record<string, unknown>, key: string, param: string): Record<string, unknown> {
  const value = block[key];
  if (!isRecord(value)) throw invalidRequest(`${param}.${key}: must be an object.`, `${param}.${key}`);
  return value;
}
