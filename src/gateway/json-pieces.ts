/**
 * The JSON text of a large answer in pieces of about PIECE_LENGTH, so it is written with
 * backpressure and never held as one string next to the parsed object (a 100 MB embeddings
 * answer would otherwise be held three times: parsed, serialised, and encoded for the socket).
 */

const PIECE_LENGTH = 64 * 1024;

/**
 * Yields what `JSON.stringify(value)` returns, in order, with the array under `arrayKey`
 * serialised one element at a time. `value` is a plain object of JSON values.
 */
export function* jsonPieces(value: Record<string, unknown>, arrayKey: string): Generator<string, void, undefined> {
  let out = '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (member === undefined || typeof member === 'function') continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (key !== arrayKey || !Array.isArray(member)) {
      out += JSON.stringify(member);
      continue;
    }
    out += '[';
    for (let i = 0; i < member.length; i += 1) {
      const element: unknown = member[i];
      // As JSON.stringify does: an element with no JSON form is null.
      out += `${i === 0 ? '' : ','}${JSON.stringify(element) ?? 'null'}`;
      if (out.length >= PIECE_LENGTH) {
        yield out;
        out = '';
      }
    }
    out += ']';
  }
  yield `${out}}`;
}
