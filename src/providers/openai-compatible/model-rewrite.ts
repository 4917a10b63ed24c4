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
const headObject = (object: string): string => `","object":${JSON.stringify(object)},"created":`;
const HEAD_OBJECTS: ReadonlyMap<string, string> = new Map(['chat.completion', 'chat.completion.chunk'].map((o) => [o, headObject(o)]));

/**
 * `text` (valid JSON of an object whose `object` is `object` and whose `model` is `upstreamModel`,
 * i.e. what JSON.parse of it returned) with the top-level model replaced by `modelJson` (a JSON
 * string literal), or undefined when the text is not in the usual layout: keys in another order,
 * escapes or whitespace in the head, or another `"model"` anywhere after the head (a repeated key
 * would win over the edited one).
 */
export function rewriteModel(text: string, object: string, upstreamModel: string, modelJson: string): string | undefined {
  const headObjectText = HEAD_OBJECTS.get(object);
  if (headObjectText === undefined || !text.startsWith(HEAD_ID)) return undefined;
  const idEnd = text.indexOf('"', HEAD_ID.length);
  if (idEnd < 0 || !text.startsWith(headObjectText, idEnd)) return undefined;
  let p = idEnd + headObjectText.length;
  const createdStart = p;
  for (let c = text.charCodeAt(p); c >= 48 && c <= 57; c = text.charCodeAt(++p));
  if (p === createdStart || !text.startsWith(HEAD_MODEL, p)) return undefined;
  const modelStart = p + HEAD_MODEL.length;
  const modelEnd = modelStart + upstreamModel.length;
  // The raw value must be the parsed one, unescaped: then the closing quote is where it must be.
  if (text.charCodeAt(modelEnd) !== 0x22 || !text.startsWith(upstreamModel, modelStart)) return undefined;
  // A backslash in the head would mean a quote above was escaped, i.e. not the delimiter it seemed.
  if (text.lastIndexOf('\\', modelEnd) !== -1) return undefined;
  if (text.indexOf(MODEL_KEY, modelEnd + 1) !== -1) return undefined;
  return text.slice(0, modelStart - 1) + modelJson + text.slice(modelEnd + 1);
}
