/**
 * The streaming fast path's scanner: pure functions over one chunk's JSON text, no state, no I/O.
 *
 * A plain chunk in OpenAI's own layout — it starts with
 * `{"id":"…","object":"chat.completion.chunk","created":N,"model":"…",` and needs no other change —
 * is sent to the client as the upstream's text with only the model rewritten (and a top-level
 * `usage` cut out), skipping a parse and a serialisation per chunk. scanChunk() proves a chunk is
 * such a chunk with one pass over its text (strings and their escapes, nesting, key/colon/comma
 * order, the keys that matter), so a `"model":` inside a string is never touched; rewriteChunk()
 * makes the edit. Anything unusual returns undefined and the caller parses the chunk instead.
 */
import { escapedStringEnd, literalEnd, utf8Bytes } from './json-text.js';
import { findChatHead, type ChatHead } from './model-rewrite.js';
import type { StringSpans } from './chunk-template.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const ZERO = 0x30;

/** Nesting deeper than this takes the full path (the scan keeps one bit per open container). */
const MAX_DEPTH = 30;

// What the scan expects next.
const KEY_OR_CLOSE = 0;
const KEY = 1;
const COLON_NEXT = 2;
const VALUE = 3;
const VALUE_OR_CLOSE = 4;
const COMMA_OR_CLOSE = 5;

// What the value after the current key means.
const PLAIN = 0;
const TEXT = 1;
const FINISH = 2;
const USAGE = 3;
const CHOICE_LIST = 4;
const CHOICE_INDEX = 5;
const DELTA = 6;
const CONTENT = 7;
const ROLE = 8;
const TOOL_CALLS = 9;
const CALL_INDEX = 10;
const CALL_ID = 11;
const CALL_TYPE = 12;

// Containers nest as top (depth 1) → choices (2) → a choice (3) → its delta (4) → tool_calls (5) →
// a tool call (6); the meaning of a key depends on which of them holds it.

/** The finish reasons the fast path passes through as they are (OpenAI's five). */
const FAST_FINISH_REASONS: ReadonlySet<string> = new Set(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);

/** Where the parts of a plain chunk are in its text (indexes into it; ends exclusive). */
export interface ChunkScan {
  /** The `id` value, without its quotes. */
  idStart: number;
  idEnd: number;
  /** The `created` integer. */
  createdStart: number;
  createdEnd: number;
  /** The `model` value, without its quotes. */
  modelStart: number;
  modelEnd: number;
  /** End of the top-level object. */
  end: number;
  /** The span of a top-level `,"usage":…` to drop (null or an object), or -1. */
  usageStart: number;
  usageEnd: number;
  /** Where the usage object starts (it ends at usageEnd), or -1 for none or null. */
  usageObject: number;
  /** Elements of `choices`: 0, or 1 whose `index` is 0 (anything else takes the full path). */
  choices: number;
  /** Whether that choice's delta names its role. */
  role: boolean;
  /** One more than the highest tool-call `index` in that delta, or 0. */
  toolCalls: number;
  /** UTF-8 bytes (at least) of `content` and `arguments` strings, counted on the raw text. */
  textBytes: number;
  /** Whether a non-null finish reason was seen. */
  finished: boolean;
}

/** No raw control character (none is valid inside a string; outside, a line break would break the SSE framing). */
const CONTROL_CHAR = /[\u0000-\u001f]/;

/** What sends a chunk to the full path besides its layout. */
export interface ScanOptions {
  /** Tool-call ids must be mapped back (Mistral): chunks with `tool_calls` take the full path. */
  rejectToolCalls: boolean;
  /** The client turned reasoning off: chunks with `reasoning_content` take the full path, which drops it. */
  rejectReasoning: boolean;
}

/**
 * Scans one chunk's JSON text; undefined when the chunk needs the full path (see scanRest for what
 * that is). `spans`, when given, receives the chunk's string values (see chunk-template.ts).
 */
export function scanChunk(data: string, options: ScanOptions, spans?: StringSpans): ChunkScan | undefined {
  // One native scan for control characters, so strings can then be skipped with indexOf.
  if (CONTROL_CHAR.test(data)) return undefined;
  let firstBackslash = data.indexOf('\\');
  if (firstBackslash < 0) firstBackslash = data.length;
  const head = findChatHead(data, 'chat.completion.chunk', firstBackslash);
  if (head === undefined || data.charCodeAt(head.modelEnd + 1) !== COMMA) return undefined;
  if (spans !== undefined) spans.length = 0;
  return scanRest(data, head, options, firstBackslash, spans);
}

/**
 * The chunk's text with the model value replaced by `modelJson` (a JSON string literal) and the
 * top-level usage member cut out: the fast path's whole edit.
 */
export function rewriteChunk(data: string, scan: ChunkScan, modelJson: string): string {
  const start = data.slice(0, scan.modelStart - 1) + modelJson;
  return scan.usageStart < 0
    ? start + data.slice(scan.modelEnd + 1, scan.end)
    : start + data.slice(scan.modelEnd + 1, scan.usageStart) + data.slice(scan.usageEnd, scan.end);
}

/**
 * Scans a chunk's JSON text after the head's model value, inside the top-level object. Checks the
 * structure (strings and their escapes, nesting, key/colon/comma order; literals and numbers only
 * loosely) and the keys that matter, and returns undefined for anything the full path must handle:
 *  - a top-level `error` or `x_groq`, a `usage` that is neither null nor an object (or comes twice),
 *    a repeated `id`/`object`/`created`/`model`/`choices`, no `choices` array;
 *  - more than one choice, a choice that is not an object or whose `index` is not 0, a delta that
 *    is not an object, a finish reason other than null or OpenAI's five;
 *  - in the delta: `content` that is not a string or null (Mistral's part lists), `reasoning`
 *    (renamed `reasoning_content`), `reasoning_content` when reasoning is off, `tool_calls` when ids
 *    must be mapped back, a tool call without an integer `index` or with an `id` but no `type`;
 *  - a key with escapes (it could spell any of these), or text after the object.
 * A control character or line break anywhere was ruled out before (scanChunk).
 */
function scanRest(
  data: string,
  head: ChatHead,
  options: ScanOptions,
  firstBackslash: number,
  spans: StringSpans | undefined,
): ChunkScan | undefined {
  const n = data.length;
  let nextBackslash = firstBackslash;
  // The containers open, one bit each (1 = array), innermost lowest; `depth` counts them.
  let bits = 0;
  let depth = 1;
  let choicesOpen = false;
  let deltaOpen = false;
  let callsOpen = false;
  let state = COMMA_OR_CLOSE;
  let kind = PLAIN;
  let keyStart = -1;
  let usageStart = -1;
  let usageEnd = -1;
  let usageObject = -1;
  let usageOpen = false;
  let choices = 0;
  let role = false;
  let toolCalls = 0;
  // The tool call being read: its index (-1 before one), and whether its id and type are strings.
  let callIndex = -1;
  let callId = false;
  let callType = false;
  let textBytes = 0;
  let finished = false;
  let sawChoices = false;
  let i = head.modelEnd + 1;
  for (; i < n; i++) {
    const c = data.charCodeAt(i);
    if (c === 0x20 || c === 0x09) continue;
    if (state === COMMA_OR_CLOSE) {
      const inArray = (bits & 1) === 1;
      if (c === COMMA) {
        state = inArray ? VALUE : KEY;
        continue;
      }
      if (c !== (inArray ? CLOSE_BRACKET : CLOSE_BRACE)) return undefined;
      if (depth === 2) {
        choicesOpen = false;
        if (usageOpen) {
          usageOpen = false;
          usageEnd = i + 1;
        }
      } else if (depth === 4) deltaOpen = false;
      else if (depth === 5) callsOpen = false;
      else if (depth === 6 && callsOpen) {
        // A tool call ends: it needs an index, and a type if it has an id.
        if (callIndex < 0 || (callId && !callType)) return undefined;
        if (callIndex >= toolCalls) toolCalls = callIndex + 1;
      }
      bits >>>= 1;
      if (--depth === 0) break;
      continue;
    }
    if (state === COLON_NEXT) {
      if (c !== COLON) return undefined;
      state = VALUE;
      continue;
    }
    if (state === KEY_OR_CLOSE || state === KEY) {
      if (c === CLOSE_BRACE && state === KEY_OR_CLOSE) {
        // An empty object.
        if (depth === 2 && usageOpen) {
          usageOpen = false;
          usageEnd = i + 1;
        } else if (depth === 4) deltaOpen = false;
        else if (depth === 6 && callsOpen) return undefined;
        bits >>>= 1;
        depth--;
        state = COMMA_OR_CLOSE;
        continue;
      }
      if (c !== QUOTE) return undefined;
      const end = data.indexOf('"', i + 1);
      // A key with escapes could spell any key that matters: leave it to the full path.
      if (end < 0 || nextBackslash < end) return undefined;
      const from = i + 1;
      const length = end - from;
      kind =
        depth === 1
          ? topKey(data, from, length)
          : depth === 3 && choicesOpen
            ? choiceKey(data, from, length)
            : depth === 4 && deltaOpen
              ? deltaKey(data, from, length, options)
              : depth === 6 && callsOpen
                ? callKey(data, from, length)
                : length === 9 && data.startsWith('arguments', from)
                  ? TEXT
                  : PLAIN;
      if (kind < 0) return undefined;
      keyStart = i;
      i = end;
      state = COLON_NEXT;
      continue;
    }
    // A value (state VALUE, or VALUE_OR_CLOSE right after `[`).
    if (c === CLOSE_BRACKET && state === VALUE_OR_CLOSE) {
      // An empty array.
      if (depth === 2) choicesOpen = false;
      else if (depth === 5) callsOpen = false;
      bits >>>= 1;
      depth--;
      state = COMMA_OR_CLOSE;
      continue;
    }
    if (depth === 2) {
      // Every element of `choices` is an object (the full path rejects anything else), and there is one.
      if (choicesOpen && (c !== OPEN_BRACE || ++choices > 1)) return undefined;
    } else if (depth === 5 && callsOpen) {
      if (c !== OPEN_BRACE) return undefined;
      callIndex = -1;
      callId = callType = false;
    }
    const valueKind = kind;
    if (valueKind !== PLAIN) {
      kind = PLAIN;
      if (valueKind === USAGE) {
        // A top-level `,"usage":null` or `,"usage":{…}`, cut out like the full path takes it off; a
        // second usage key (JSON.parse would keep the last) or any other value takes the full path.
        if (usageStart >= 0 || data.charCodeAt(keyStart - 1) !== COMMA) return undefined;
        usageStart = keyStart - 1;
        if (c !== OPEN_BRACE) {
          if (!data.startsWith('null', i)) return undefined;
          usageEnd = i + 4;
          i += 3;
          state = COMMA_OR_CLOSE;
          continue;
        }
        // Scanned as any object below; its end is noted when it closes.
        usageObject = i;
        usageOpen = true;
      } else if (valueKind === CHOICE_LIST) {
        // A second `choices` would be the one JSON.parse keeps.
        if (c !== OPEN_BRACKET || sawChoices) return undefined;
        sawChoices = choicesOpen = true;
      } else if (valueKind === DELTA) {
        if (c !== OPEN_BRACE) return undefined;
        // The last delta key wins in JSON.parse: the role is that delta's.
        role = false;
        deltaOpen = true;
      } else if (valueKind === TOOL_CALLS) {
        if (c === OPEN_BRACKET) callsOpen = true;
        else if (!data.startsWith('null', i)) return undefined;
      } else if (valueKind === CHOICE_INDEX) {
        // Exactly `0`: other choices take the full path, which tracks each one's role.
        const next = data.charCodeAt(i + 1);
        if (c !== ZERO || next === 0x2e || next === 0x65 || next === 0x45 || (next >= ZERO && next <= 0x39)) return undefined;
        state = COMMA_OR_CLOSE;
        continue;
      } else if (valueKind === CALL_INDEX) {
        // A small non-negative integer, written plainly (no sign, fraction, exponent or leading zero).
        let end = i;
        callIndex = 0;
        for (let d = c; d >= ZERO && d <= 0x39 && end < i + 6; d = data.charCodeAt(++end)) callIndex = callIndex * 10 + d - ZERO;
        const next = data.charCodeAt(end);
        if (
          end === i ||
          (c === ZERO && end > i + 1) ||
          next === 0x2e ||
          next === 0x65 ||
          next === 0x45 ||
          (next >= ZERO && next <= 0x39)
        ) {
          return undefined;
        }
        i = end - 1;
        state = COMMA_OR_CLOSE;
        continue;
      } else if (c === QUOTE) {
        // TEXT, CONTENT, FINISH, ROLE, CALL_ID, CALL_TYPE: a string.
        let end = data.indexOf('"', i + 1);
        if (end < 0) return undefined;
        if (nextBackslash < end) {
          end = escapedStringEnd(data, i + 1);
          if (end < 0) return undefined;
          nextBackslash = data.indexOf('\\', end + 1);
          if (nextBackslash < 0) nextBackslash = n;
        }
        if (valueKind === TEXT || valueKind === CONTENT) {
          textBytes += utf8Bytes(data, i + 1, end);
          spans?.push(i + 1, end, 1);
        } else if (valueKind === FINISH) {
          if (!FAST_FINISH_REASONS.has(data.slice(i + 1, end))) return undefined;
          finished = true;
        } else if (valueKind === ROLE) role = true;
        else if (valueKind === CALL_ID) callId = true;
        else callType = true;
        i = end;
        state = COMMA_OR_CLOSE;
        continue;
      } else {
        // TEXT, CONTENT, FINISH, ROLE, CALL_ID, CALL_TYPE: anything but a string. Content as a
        // list of parts (Mistral) is made a string by the full path; a finish reason is null.
        if (valueKind === CONTENT || valueKind === FINISH) {
          if (!data.startsWith('null', i)) return undefined;
          finished = valueKind === FINISH ? false : finished;
        } else if (valueKind === ROLE) role = false;
        else if (valueKind === CALL_ID) callId = false;
        else if (valueKind === CALL_TYPE) callType = false;
      }
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === MAX_DEPTH) return undefined;
      depth++;
      bits <<= 1;
      if (c === OPEN_BRACE) state = KEY_OR_CLOSE;
      else {
        bits |= 1;
        state = VALUE_OR_CLOSE;
      }
    } else if (c === QUOTE) {
      let end = data.indexOf('"', i + 1);
      if (end < 0) return undefined;
      if (nextBackslash < end) {
        end = escapedStringEnd(data, i + 1);
        if (end < 0) return undefined;
        nextBackslash = data.indexOf('\\', end + 1);
        if (nextBackslash < 0) nextBackslash = n;
      }
      spans?.push(i + 1, end, 0);
      i = end;
      state = COMMA_OR_CLOSE;
    } else {
      const end = literalEnd(data, i, c);
      if (end < 0) return undefined;
      i = end - 1;
      state = COMMA_OR_CLOSE;
    }
  }
  if (depth !== 0 || !sawChoices) return undefined;
  const end = i + 1;
  for (let j = end; j < n; j++) {
    const c = data.charCodeAt(j);
    if (c !== 0x20 && c !== 0x09) return undefined;
  }
  return {
    idStart: head.idStart,
    idEnd: head.idEnd,
    createdStart: head.createdStart,
    createdEnd: head.createdEnd,
    modelStart: head.modelStart,
    modelEnd: head.modelEnd,
    end,
    usageStart,
    usageEnd,
    usageObject,
    choices,
    role,
    toolCalls,
    textBytes,
    finished,
  };
}

// What a key means for the fast path, by the object that holds it; -1 when the chunk must take the full path.

function topKey(data: string, from: number, length: number): number {
  switch (length) {
    case 2:
      return data.startsWith('id', from) ? -1 : PLAIN;
    case 5:
      if (data.startsWith('usage', from)) return USAGE;
      return data.startsWith('model', from) || data.startsWith('error', from) ? -1 : PLAIN;
    case 6:
      return data.startsWith('x_groq', from) || data.startsWith('object', from) ? -1 : PLAIN;
    case 7:
      if (data.startsWith('choices', from)) return CHOICE_LIST;
      return data.startsWith('created', from) ? -1 : PLAIN;
    default:
      return PLAIN;
  }
}

function choiceKey(data: string, from: number, length: number): number {
  if (length === 5) {
    // The first letter tells the two apart; startsWith confirms.
    const first = data.charCodeAt(from);
    if (first === 0x69) return data.startsWith('index', from) ? CHOICE_INDEX : PLAIN;
    return first === 0x64 && data.startsWith('delta', from) ? DELTA : PLAIN;
  }
  return length === 13 && data.startsWith('finish_reason', from) ? FINISH : PLAIN;
}

function deltaKey(data: string, from: number, length: number, options: ScanOptions): number {
  switch (length) {
    case 4:
      return data.startsWith('role', from) ? ROLE : PLAIN;
    case 7:
      return data.startsWith('content', from) ? CONTENT : PLAIN;
    case 9:
      // Another host's name for reasoning_content: the full path renames it.
      return data.startsWith('reasoning', from) ? -1 : PLAIN;
    case 10:
      if (!data.startsWith('tool_calls', from)) return PLAIN;
      return options.rejectToolCalls ? -1 : TOOL_CALLS;
    case 17:
      return options.rejectReasoning && data.startsWith('reasoning_content', from) ? -1 : PLAIN;
    default:
      return PLAIN;
  }
}

function callKey(data: string, from: number, length: number): number {
  if (length === 5) return data.startsWith('index', from) ? CALL_INDEX : PLAIN;
  if (length === 2) return data.startsWith('id', from) ? CALL_ID : PLAIN;
  return length === 4 && data.startsWith('type', from) ? CALL_TYPE : PLAIN;
}
