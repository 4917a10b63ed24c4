/**
 * The client's request body as upstream text, edited instead of serialised again. An agent's
 * request carries its whole context (50–150 KB of messages); JSON.stringify of the parsed body cost
 * four times its JSON.parse on Node 20 (107 against 27 µs for 63 KB) and a quarter of the gateway's
 * CPU per request (docs/performance.md, "Edit the client's request text"). An upstream body that
 * differs from the client's only in a few top-level members (`model`, `stream`, `stream_options`
 * for chat; `model` for a native passthrough, gateway/native-attempt.ts) is the client's text
 * with those members replaced, found in the text, which JSON.parse has already proved valid.
 *
 * Only the top level is read; nested values are skipped whole (strings with one `indexOf` per
 * quote). Anything that could make the text mean other than the parsed object — a top-level key
 * written with an escape, a key given twice (JSON.parse keeps the last; an upstream's parser might
 * keep the first, e.g. a second `model` past the allow-list) — returns undefined, and the caller
 * serialises the object as before.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** One top-level member: where its key starts and where its value ends (exclusive). */
interface Member {
  start: number;
  valueStart: number;
  valueEnd: number;
}

/** The value each named member is to have: JSON text, or undefined to leave the member out. */
export type MemberEdits = Readonly<Record<string, string | undefined>>;

/**
 * `text` (valid JSON of an object) with each member named in `edits` given the value text there
 * (added at the end when absent), or left out when that is undefined; undefined when the text's
 * top level cannot be edited safely (see above).
 */
export function editTopLevel(text: string, edits: MemberEdits): string | undefined {
  const found = topLevelMembers(text);
  if (found === undefined) return undefined;
  // The object is written again from its members' own text, in their order, with the edits made.
  let out = '';
  for (const [name, member] of found) {
    let part: string | undefined;
    if (!Object.hasOwn(edits, name)) part = text.slice(member.start, member.valueEnd);
    else {
      const value = edits[name];
      part = value === undefined ? undefined : text.slice(member.start, member.valueStart) + value;
    }
    if (part !== undefined) out = out === '' ? part : `${out},${part}`;
  }
  for (const name in edits) {
    const value = edits[name];
    if (value === undefined || found.has(name)) continue;
    const part = `${JSON.stringify(name)}:${value}`;
    out = out === '' ? part : `${out},${part}`;
  }
  return `{${out}}`;
}

/**
 * The client's text with `edits` made when there is one and it can be edited safely; otherwise
 * what `serialise` makes of the parsed request.
 */
export function editedOr(text: string | undefined, edits: MemberEdits, serialise: () => string): string {
  return (text === undefined ? undefined : editTopLevel(text, edits)) ?? serialise();
}

/** The top-level members by key, in text order; undefined when not safe to edit. */
function topLevelMembers(text: string): Map<string, Member> | undefined {
  const n = text.length;
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x7b) return undefined;
  i = skipSpace(text, i + 1);
  const found = new Map<string, Member>();
  if (text.charCodeAt(i) === 0x7d) return found;
  while (i < n) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = stringEnd(text, i + 1);
    const key = text.slice(i + 1, keyEnd);
    if (key.includes('\\') || found.has(key)) return undefined;
    let j = skipSpace(text, keyEnd + 1);
    if (text.charCodeAt(j) !== 0x3a) return undefined;
    j = skipSpace(text, j + 1);
    const valueEnd = valueEndAt(text, j);
    found.set(key, { start: i, valueStart: j, valueEnd });
    j = skipSpace(text, valueEnd);
    const c = text.charCodeAt(j);
    if (c === 0x7d) return skipSpace(text, j + 1) === n ? found : undefined;
    if (c !== 0x2c) return undefined;
    i = skipSpace(text, j + 1);
  }
  return undefined;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++i));
  return i;
}

/** The closing quote of a string (of valid JSON) whose content starts at `from`. */
function stringEnd(text: string, from: number): number {
  let quote = text.indexOf('"', from);
  while (quote >= 0) {
    // Escaped when an odd number of backslashes stands right before it.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if ((backslashes & 1) === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}

/** The end (exclusive) of the value starting at `i` (valid JSON). */
function valueEndAt(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) return stringEnd(text, i + 1) + 1;
  const n = text.length;
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    for (let j = i; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === QUOTE) j = stringEnd(text, j + 1);
      else if (c === 0x7b || c === 0x5b) depth++;
      else if ((c === 0x7d || c === 0x5d) && --depth === 0) return j + 1;
    }
    return n;
  }
  // A number or a literal: up to the next delimiter.
  let j = i;
  for (let c = text.charCodeAt(j); j < n && c !== 0x2c && c !== 0x7d && c !== 0x5d && c > 0x20; c = text.charCodeAt(++j));
  return j;
}
