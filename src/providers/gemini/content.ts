/**
 * OpenAI message content → Gemini parts. The gateway fetches nothing on a client's behalf, so only
 * inline (base64 `data:`) media can be translated; anything Gemini cannot take is a 400 that names
 * the offending part rather than a silent drop.
 *
 * @see https://ai.google.dev/api/caching#Part
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
 */
import { invalidRequest } from '../../errors.js';
import type { ChatMessage } from '../../openai/types.js';
import type { GeminiPart } from './wire.js';
import { isRecord } from '../../lib/is-record.js';

type Content = ChatMessage['content'];

/** The content of a user message as Gemini parts (text, images, audio, files). */
export function userParts(content: Content, param: string, warnings: Set<string>): GeminiPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return textPart(content);
  return content.flatMap((part, j) => {
    const at = `${param}[${j}]`;
    const fields = part as Record<string, unknown>;
    switch (part.type) {
      case 'text':
        return textPart(requireString(fields['text'], `${at}.text`));
      case 'image_url':
        return [imagePart(fields['image_url'], `${at}.image_url`, warnings)];
      case 'input_audio':
        return [audioPart(fields['input_audio'], `${at}.input_audio`)];
      case 'file':
        return [filePart(fields['file'], `${at}.file`)];
      default:
        throw invalidRequest(`Content part type '${part.type}' is not supported by Gemini.`, `${at}.type`);
    }
  });
}

/**
 * Text-only content (system, developer, assistant, tool) as one string per part. `refusal` parts
 * are accepted for assistant history: they are text the model said.
 */
export function textsOf(content: Content, param: string, allowRefusal: boolean): string[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return [content];
  return content.map((part, j) => {
    const fields = part as Record<string, unknown>;
    if (part.type === 'text') return requireString(fields['text'], `${param}[${j}].text`);
    if (allowRefusal && part.type === 'refusal') return requireString(fields['refusal'], `${param}[${j}].refusal`);
    throw invalidRequest(`Only text content is supported here, got '${part.type}'.`, `${param}[${j}].type`);
  });
}

// Gemini rejects empty text parts, and an empty string carries nothing, so it becomes no part.
function textPart(text: string): GeminiPart[] {
  return text === '' ? [] : [{ text }];
}

function imagePart(value: unknown, param: string, warnings: Set<string>): GeminiPart {
  const image = asRecord(value, param);
  const url = requireString(image['url'], `${param}.url`);
  if (/^https?:\/\//i.test(url)) {
    throw invalidRequest(
      'Gemini cannot take image URLs through this gateway, which does not fetch remote files: send the image as a base64 data: URL.',
      `${param}.url`,
    );
  }
  // Gemini has only a request-wide media resolution, not a per-image one.
  if (image['detail'] === 'low' || image['detail'] === 'high') warnings.add('image_url.detail');
  return { inlineData: parseDataUrl(url, `${param}.url`) };
}

function audioPart(value: unknown, param: string): GeminiPart {
  const audio = asRecord(value, param);
  const data = requireString(audio['data'], `${param}.data`);
  const format = audio['format'];
  // Gemini's audio docs name these MIME types `audio/wav` and `audio/mp3`.
  if (format !== 'wav' && format !== 'mp3') {
    throw invalidRequest(`Audio format must be 'wav' or 'mp3'.`, `${param}.format`);
  }
  return { inlineData: { mimeType: `audio/${format}`, data } };
}

function filePart(value: unknown, param: string): GeminiPart {
  const file = asRecord(value, param);
  const data = file['file_data'];
  if (typeof data !== 'string') {
    // `file_id` points into OpenAI's file store, which Gemini cannot read.
    throw invalidRequest('Gemini needs the file inline as a base64 data: URL in file_data.', `${param}.file_data`);
  }
  return { inlineData: parseDataUrl(data, `${param}.file_data`) };
}

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/is;

/** `data:<mime>[;params];base64,<data>` → Gemini inline data. */
function parseDataUrl(url: string, param: string): { mimeType: string; data: string } {
  const match = DATA_URL.exec(url);
  const mimeType = match?.[1];
  const data = match?.[3];
  if (mimeType === undefined || data === undefined || data === '') {
    throw invalidRequest('Expected a base64 data: URL (data:<mime type>;base64,<data>).', param);
  }
  return { mimeType: mimeType.toLowerCase(), data };
}

function asRecord(value: unknown, param: string): Record<string, unknown> {
  if (isRecord(value)) return value;
  throw invalidRequest('Expected an object.', param);
}

function requireString(value: unknown, param: string): string {
  if (typeof value === 'string') return value;
  throw invalidRequest('Expected a string.', param);
}
