/**
 * OpenAI content parts → Anthropic request content blocks, plus the request-side block types.
 *
 * @see https://docs.claude.com/en/api/messages (content blocks)
 * @see https://platform.openai.com/docs/api-reference/chat/create (content parts)
 */
import { invalidRequest } from '../../errors.js';
import type { ContentPart } from '../../openai/types.js';
import { isRecord } from '../../lib/is-record.js';

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
}
export interface AnthropicImageBlock {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
}
export interface AnthropicDocumentBlock {
  type: 'document';
  source: { type: 'base64'; media_type: 'application/pdf'; data: string };
}
export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}
export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | AnthropicTextBlock[];
}
export type AnthropicRequestBlock =
  AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock | AnthropicToolUseBlock | AnthropicToolResultBlock;

/** The only image types Anthropic accepts; anything else would fail upstream with a vaguer message. */
const IMAGE_MEDIA_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** Text as a block list; Anthropic rejects empty text blocks, so empty text yields no block. */
export function textBlocks(text: string): AnthropicTextBlock[] {
  return text === '' ? [] : [{ type: 'text', text }];
}

/**
 * A user message's content (string or parts) → Anthropic blocks. `param` names the message in
 * errors, e.g. `messages[2].content`.
 */
export function toAnthropicContent(content: string | ContentPart[] | null | undefined, param: string): AnthropicRequestBlock[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return textBlocks(content);
  return content.flatMap((part, i) => partToBlocks(part, `${param}[${i}]`));
}

function partToBlocks(part: ContentPart, param: string): AnthropicRequestBlock[] {
  switch (part.type) {
    case 'text':
      return textBlocks(stringField(part, 'text', param));
    case 'image_url':
      return [toImageBlock(part, param)];
    case 'file':
      return [toDocumentBlock(part, param)];
    default:
      throw invalidRequest(
        `Content part type '${part.type}' is not supported by Anthropic models ` +
          '(supported: text, image_url, file with PDF data).',
        `${param}.type`,
      );
  }
}

/** `image_url` → image block: `data:` URLs become base64 sources, http(s) URLs become URL sources. */
function toImageBlock(part: ContentPart, param: string): AnthropicImageBlock {
  const imageUrl = fieldOf(part, 'image_url');
  const url = isRecord(imageUrl) ? imageUrl['url'] : undefined;
  if (typeof url !== 'string') throw invalidRequest('image_url.url must be a string.', `${param}.image_url.url`);
  // `detail` has no Anthropic equivalent; it is a resolution hint, so dropping it changes no meaning.
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  const match = DATA_URL.exec(url);
  if (match === null) {
    throw invalidRequest('image_url.url must be an http(s) URL or a base64 data: URL.', `${param}.image_url.url`);
  }
  const mediaType = (match[1] ?? '').toLowerCase();
  if (!IMAGE_MEDIA_TYPES.has(mediaType)) {
    throw invalidRequest(
      `Image type '${mediaType}' is not supported by Anthropic models (supported: ${[...IMAGE_MEDIA_TYPES].join(', ')}).`,
      `${param}.image_url.url`,
    );
  }
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data: match[2] ?? '' } };
}

/** `file` with inline PDF data → document block. OpenAI file ids mean nothing to Anthropic. */
function toDocumentBlock(part: ContentPart, param: string): AnthropicDocumentBlock {
  const file = fieldOf(part, 'file');
  const fileData = isRecord(file) ? file['file_data'] : undefined;
  const match = typeof fileData === 'string' ? DATA_URL.exec(fileData) : null;
  if (match === null || match[1]?.toLowerCase() !== 'application/pdf') {
    throw invalidRequest(
      'Anthropic models accept file parts only as inline PDF data (file.file_data = "data:application/pdf;base64,…").',
      `${param}.file`,
    );
  }
  return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: match[2] ?? '' } };
}

/** Text parts only (system, developer, tool and assistant messages): joins nothing, keeps order. */
export function toTextBlocks(
  content: string | ContentPart[] | null | undefined,
  param: string,
  allowRefusal = false,
): AnthropicTextBlock[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return textBlocks(content);
  return content.flatMap((part, i) => {
    if (part.type === 'text') return textBlocks(stringField(part, 'text', `${param}[${i}]`));
    // An assistant's earlier refusal is still what it said; replaying it as text keeps the turn intact.
    if (part.type === 'refusal' && allowRefusal) {
      return textBlocks(stringField(part, 'refusal', `${param}[${i}]`));
    }
    throw invalidRequest(`Content part type '${part.type}' is not allowed in this message.`, `${param}[${i}].type`);
  });
}

function stringField(part: ContentPart, key: string, param: string): string {
  const value = fieldOf(part, key);
  if (typeof value !== 'string') throw invalidRequest(`${key} must be a string.`, `${param}.${key}`);
  return value;
}

/** Reads any field of a part; parts are open-ended (clients send types newer than ours). */
function fieldOf(part: ContentPart, key: string): unknown {
  const fields: Record<string, unknown> = { ...part };
  return fields[key];
}
