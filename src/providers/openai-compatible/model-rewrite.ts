/**
 * The one change a plain OpenAI-compatible answer needs, `model` → the public model, made on the
 * upstream's own JSON text (already parsed, so known to be valid) instead of serialising the parsed
 * object again: about half of the JSON work per non-streamed answer.
 *
 * Only text whose place in the object is certain from its position is touched: the head
 * `{"id":"…","object":"…","created":N,"model":"…"` at the very start holds top-level members.
 * Anything else returns undefined and the caller serialises the parsed object, which is always
 * right. (Streamed chunks have their own check in stream.ts: they are not parsed at all.)
 */

const HEAD_ID = '{"id":"';
const HEAD_MODEL = ',"model":"';
const MODEL_KEY = '"model"';

/** `","object":"<object>","created":` for the two objects the gateway rewrites. */
const HEAD_OBJECTS = {
  'chat.completion': '","object":"chat.completion","created":',
  'chat.completion.chunk': '","object":"chat.completion.chunk","created":',
} as const;

/** Where the parts of a head are in the text: `id` and `model` values without their quotes. */
export interface ChatHead {
  idStart: number;
  idEnd: number;
  createdStart: number;
  createdEnd: number;
  modelStart: number;
  modelEnd: number;
}

/**
 * Finds the head `{"id":"…","object":"<object>","created":N,"model":"…"` at the very start of
 * `text`: OpenAI's own layout, so these are top-level members. Undefined for anything else: keys in
 * another order, whitespace, an escape in the id or model (`firstBackslash` is the index of the
 * text's first backslash, or its length: a quote after one may not be the delimiter it seems), or a
 * `created` that is not a plain integer.
 */
export function findChatHead(text: string, object: keyof typeof HEAD_OBJECTS, firstBackslash: number): ChatHead | undefined {
  if (!text.startsWith(HEAD_ID)) return undefined;
  const idStart = HEAD_ID.length;
  const idEnd = text.indexOf('"', idStart);
  const headObject = HEAD_OBJECTS[object];
  if (idEnd < 0 || firstBackslash < idEnd || !text.startsWith(headObject, idEnd)) return undefined;
  const createdStart = idEnd + headObject.length;
  let createdEnd = createdStart;
  for (let c = text.charCodeAt(createdEnd); c >= 48 && c <= 57; c = text.charCodeAt(++createdEnd));
  const digits = createdEnd - createdStart;
  if (digits === 0 || digits > 15 || (digits > 1 && text.charCodeAt(createdStart) === 48)) return undefined;
  if (!text.startsWith(HEAD_MODEL, createdEnd)) return undefined;
  const modelStart = createdEnd + HEAD_MODEL.length;
  const modelEnd = text.indexOf('"', modelStart);
  if (modelEnd < 0 || firstBackslash < modelEnd) return undefined;
  return { idStart, idEnd, createdStart, createdEnd, modelStart, modelEnd };
}

/**
 * `text` (the valid JSON of a chat completion whose `model` is `upstreamModel`, i.e. what JSON.parse
 * of it returned) with the top-level model replaced by `modelJson` (a JSON string literal), or
 * undefined when the text is not in the usual layout (see findChatHead) or holds another `"model"`
 * after the head (a repeated key would win over the edited one).
 */
export function rewriteModel(text: string, upstreamModel: string, modelJson: string): string | undefined {
  const backslash = text.indexOf('\\');
  const head = findChatHead(text, 'chat.completion', backslash < 0 ? text.length : backslash);
  if (
    head === undefined ||
    head.modelEnd - head.modelStart !== upstreamModel.length ||
    !text.startsWith(upstreamModel, head.modelStart)
  )
    return undefined;
  if (text.indexOf(MODEL_KEY, head.modelEnd + 1) !== -1) return undefined;
  return text.slice(0, head.modelStart - 1) + modelJson + text.slice(head.modelEnd + 1);
}
