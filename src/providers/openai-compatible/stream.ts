/**
 * The stream transform for OpenAI-compatible hosts. Their chunks are already OpenAI's shape, so each
 * event costs one `JSON.parse` and a few property writes on the parsed object, which then goes
 * straight to the gateway's encoder: no copies on the hot path.
 *
 * Usage is taken off every chunk (from `usage`, or Groq's `x_groq.usage`; a chunk may carry choices
 * and usage at once) and, if the client asked for it, re-emitted as one final `choices: []` chunk,
 * so every host looks like OpenAI with `include_usage` regardless of where it puts the numbers.
 *
 * Fast path (`pushEncoded`, used by the relay): a plain chunk in the usual layout — it starts with
 * `{"id":"…","object":"chat.completion.chunk","created":N,"model":"…",`, has no `error` or `x_groq`,
 * finish reasons null or OpenAI's own, no tool calls to map back — gets its model rewritten at the
 * string level and goes to the client as the upstream's JSON text. A top-level `usage` is cut out of
 * the text (only that object is parsed), and the final usage chunk reuses its text when the numbers
 * needed no fixing. One scan checks the structure (strings, nesting, keys at the top level), so a
 * `"model":` inside a string is never touched; anything unusual takes the full parse path above.
 *
 * @see docs/providers.md §1.5, §4.7
 */
import { GatewayError } from '../../errors.js';
import type { ChatCompletionChunk, TokenUsage, Usage } from '../../openai/types.js';
import { toTokenUsage } from '../../openai/token-usage.js';
import { EncodedChunk, type SseEvent, type StreamOutput, type StreamTransform } from '../provider.js';
import { readErrorFields, upstreamProtocolError } from './errors.js';
import { isRecord } from '../../lib/is-record.js';
import type { ToolIdMap } from './mistral-tool-ids.js';
import { findChatHead } from './model-rewrite.js';
import { normaliseFinishReason, restoreToolCallIds } from './response.js';

export interface ChatStreamOptions {
  publicModel: string;
  /** Whether the client asked for the final usage chunk. */
  includeUsage: boolean;
  toolIds: ToolIdMap | undefined;
}

/** A fresh transform for one streamed answer. */
export function createChatStream(options: ChatStreamOptions): StreamTransform {
  return new OpenAICompatibleStream(options);
}

class OpenAICompatibleStream implements StreamTransform {
  private readonly publicModel: string;
  private readonly includeUsage: boolean;
  private readonly toolIds: ToolIdMap | undefined;
  private done = false;
  private sawFinishReason = false;
  private lastUsage: Usage | undefined;
  /** lastUsage as the upstream's JSON text, when recordUsage() changed nothing in it. */
  private lastUsageJson: string | undefined;
  // The final usage chunk repeats the id and timestamp of the stream, like OpenAI's own.
  private id = '';
  private created = 0;
  /** The public model as a JSON string literal, for the fast path. */
  private readonly modelJson: string;

  constructor(options: ChatStreamOptions) {
    this.publicModel = options.publicModel;
    this.modelJson = JSON.stringify(options.publicModel);
    this.includeUsage = options.includeUsage;
    this.toolIds = options.toolIds !== undefined && options.toolIds.size > 0 ? options.toolIds : undefined;
  }

  get finished(): boolean {
    return this.done;
  }

  /** After `[DONE]` push() and end() return nothing and the usage cannot change. */
  get complete(): boolean {
    return this.done;
  }

  /**
   * Chunk objects only, for callers that read the chunks (an ingress re-encoding them, tests): the
   * full path, since the fast path's text would only be parsed back.
   */
  push(event: SseEvent): ChatCompletionChunk[] {
    const data = this.payload(event);
    if (data === undefined) return [];
    if (data === '[DONE]') return this.finalChunks();
    return this.parseChunk(data);
  }

  pushEncoded(event: SseEvent): StreamOutput[] {
    const data = this.payload(event);
    if (data === undefined) return [];
    if (data === '[DONE]') return this.finalEncoded();
    return this.fastChunk(data) ?? this.parseChunk(data);
  }

  /** The event's data when it carries a chunk or `[DONE]` (which ends the stream); undefined for nothing. */
  private payload(event: SseEvent): string | undefined {
    if (this.done) return undefined;
    const { data } = event;
    if (data === '[DONE]') {
      this.done = true;
      return data;
    }
    if (event.event === 'error') throw streamError(readErrorFields(data).message);
    // Blank data is a keep-alive some servers send as an event instead of a comment.
    if (data.length === 0 || (data.charCodeAt(0) <= 32 && data.trim() === '')) return undefined;
    return data;
  }

  /**
   * The fast path: the chunk as JSON text with the model rewritten and a top-level `usage` cut out
   * (recorded first when it is an object; a usage-only chunk then yields nothing, like the full
   * path), or undefined when the chunk needs the full path. Changes no state unless it succeeds.
   */
  private fastChunk(data: string): StreamOutput[] | undefined {
    // No raw control character anywhere (none is valid inside a string; outside, a line break would
    // break the SSE framing): one native scan, so strings can then be skipped with indexOf.
    if (CONTROL_CHAR.test(data)) return undefined;
    let firstBackslash = data.indexOf('\\');
    if (firstBackslash < 0) firstBackslash = data.length;
    const head = findChatHead(data, 'chat.completion.chunk', firstBackslash);
    if (head === undefined || data.charCodeAt(head.modelEnd + 1) !== COMMA) return undefined;
    const { modelStart, modelEnd } = head;

    const scan = scanRest(data, modelEnd + 1, this.toolIds !== undefined, firstBackslash);
    if (scan === undefined) return undefined;
    let usage: unknown;
    let usageJson: string | undefined;
    if (scan.usageObject >= 0) {
      usageJson = data.slice(scan.usageObject, scan.usageEnd);
      try {
        usage = JSON.parse(usageJson);
      } catch {
        // Cannot happen after the scan; if it ever did, the full path reports the chunk.
        return undefined;
      }
    }

    this.id = data.slice(head.idStart, head.idEnd);
    this.created = Number(data.slice(head.createdStart, head.createdEnd));
    if (scan.finished) this.sawFinishReason = true;
    if (usageJson !== undefined && this.recordUsage(usage, usageJson) && scan.choices === 0) return [];
    const start = data.slice(0, modelStart - 1) + this.modelJson;
    const json =
      scan.usageStart < 0
        ? start + data.slice(modelEnd + 1, scan.end)
        : start + data.slice(modelEnd + 1, scan.usageStart) + data.slice(scan.usageEnd, scan.end);
    return [new EncodedChunk(json, scan.textBytes)];
  }

  /** The full path: parse, edit, hand back the object. */
  private parseChunk(data: string): ChatCompletionChunk[] {
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch (cause) {
      throw upstreamProtocolError('The upstream sent a stream event that is not JSON.', cause);
    }
    if (!isRecord(chunk)) throw upstreamProtocolError('The upstream sent a stream event that is not an object.');
    if (chunk.error !== undefined && chunk.error !== null) throw streamError(readErrorFields(chunk).message);

    let hadUsage = false;
    const xGroq = chunk.x_groq;
    if (isRecord(xGroq)) {
      if (xGroq.error !== undefined && xGroq.error !== null) {
        throw streamError(typeof xGroq.error === 'string' ? xGroq.error : readErrorFields(xGroq).message);
      }
      if (xGroq.usage !== undefined) {
        hadUsage = this.recordUsage(xGroq.usage) || hadUsage;
        xGroq.usage = undefined;
      }
    }
    // Assigning undefined instead of `delete`: see docs/performance.md, "Assign undefined, do not delete".
    if (chunk.usage !== undefined) {
      hadUsage = this.recordUsage(chunk.usage) || hadUsage;
      chunk.usage = undefined;
    }

    if (typeof chunk.id === 'string') this.id = chunk.id;
    if (typeof chunk.created === 'number') this.created = chunk.created;
    chunk.model = this.publicModel;
    if (chunk.object !== 'chat.completion.chunk') chunk.object = 'chat.completion.chunk';

    const { choices } = chunk;
    let choiceCount = 0;
    if (!Array.isArray(choices)) {
      chunk.choices = [];
    } else {
      choiceCount = choices.length;
      for (const choice of choices) {
        if (!isRecord(choice)) throw upstreamProtocolError('The upstream sent a malformed stream choice.');
        const reason = choice.finish_reason;
        if (reason !== null) {
          const normalised = normaliseFinishReason(reason);
          choice.finish_reason = normalised;
          if (normalised !== null) this.sawFinishReason = true;
        }
        if (this.toolIds !== undefined && isRecord(choice.delta)) {
          restoreToolCallIds(choice.delta.tool_calls, this.toolIds);
        }
      }
    }
    // A usage-only chunk has nothing left for the client; usage comes back in the final chunk.
    if (hadUsage && choiceCount === 0) return [];
    return [chunk as ChatCompletionChunk];
  }

  end(): ChatCompletionChunk[] {
    if (this.done) return [];
    // Some self-hosted servers close without [DONE]; a finish reason means the answer was whole.
    if (this.sawFinishReason) {
      this.done = true;
      return this.finalChunks();
    }
    throw new GatewayError({
      status: 502,
      code: 'upstream_error',
      message: 'The upstream stream ended before it was complete',
      failure: 'reset',
      retryable: true,
    });
  }

  usage(): TokenUsage | undefined {
    return toTokenUsage(this.lastUsage);
  }

  /**
   * Hosts report usage once, at the end; if several chunks carry it, the last report wins. `json` is
   * the value's own text (fast path), kept for the final chunk if the numbers need no fixing.
   */
  private recordUsage(value: unknown, json?: string): boolean {
    if (!isRecord(value)) return false;
    const exact =
      typeof value.prompt_tokens === 'number' &&
      typeof value.completion_tokens === 'number' &&
      typeof value.total_tokens === 'number';
    const prompt = typeof value.prompt_tokens === 'number' ? value.prompt_tokens : 0;
    const completion = typeof value.completion_tokens === 'number' ? value.completion_tokens : 0;
    if (typeof value.total_tokens !== 'number') value.total_tokens = prompt + completion;
    value.prompt_tokens = prompt;
    value.completion_tokens = completion;
    this.lastUsage = value as Usage;
    this.lastUsageJson = exact ? json : undefined;
    return true;
  }

  /** finalChunks() for the relay: the usage chunk as text around the upstream's usage JSON when it can be. */
  private finalEncoded(): StreamOutput[] {
    const usageJson = this.lastUsageJson;
    if (!this.includeUsage || usageJson === undefined) return this.finalChunks();
    // The same members, in the same order, as finalChunks() (`created` is always an integer here).
    const json = `{"id":${JSON.stringify(this.id)},"object":"chat.completion.chunk","created":${this.created},"model":${this.modelJson},"choices":[],"usage":${usageJson}}`;
    return [new EncodedChunk(json, 0)];
  }

  private finalChunks(): ChatCompletionChunk[] {
    if (!this.includeUsage || this.lastUsage === undefined) return [];
    return [
      {
        id: this.id,
        object: 'chat.completion.chunk',
        created: this.created,
        model: this.publicModel,
        choices: [],
        usage: this.lastUsage,
      },
    ];
  }
}

/** An error the upstream reported inside a 200 stream (a top-level `error`, `event: error`, `x_groq.error`). */
function streamError(upstreamMessage: string | undefined): GatewayError {
  return upstreamProtocolError(
    upstreamMessage === undefined
      ? 'The upstream reported an error mid-stream.'
      : `The upstream reported an error mid-stream: ${upstreamMessage}`,
  );
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

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

/** The finish reasons the fast path passes through as they are (OpenAI's five). */
const FAST_FINISH_REASONS: ReadonlySet<string> = new Set(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);

interface FastScan {
  /** End of the top-level object (exclusive). */
  end: number;
  /** The span of a top-level `,"usage":…` to drop (null or an object), or -1. */
  usageStart: number;
  usageEnd: number;
  /** Where the usage object starts (it ends at usageEnd), or -1 for none or null. */
  usageObject: number;
  /** Elements of `choices`. */
  choices: number;
  /** UTF-8 bytes (at least) of `content` and `arguments` strings, counted on the raw text. */
  textBytes: number;
  /** Whether a non-null finish reason was seen. */
  finished: boolean;
}

/**
 * Scans a chunk's JSON text after the head's model value (`start` is the comma after it), inside the
 * top-level object. Checks the structure (strings and their escapes, nesting, key/colon/comma order;
 * literals and numbers only loosely) and the keys that matter, and returns undefined for anything
 * the full path must handle: a top-level `error`, `x_groq`, a `usage` that is neither null nor an
 * object (or comes twice), a repeated `id`/`object`/`created`/`model`, no `choices` array or a
 * choice that is not an object, a finish reason other than null or OpenAI's five, `tool_calls` when
 * ids must be mapped back, a line break or control character, or text after the object.
 */
function scanRest(data: string, start: number, rejectToolCalls: boolean, firstBackslash: number): FastScan | undefined {
  const n = data.length;
  let nextBackslash = firstBackslash;
  // The containers open, one bit each (1 = array), innermost lowest; `depth` counts them.
  let bits = 0;
  let depth = 1;
  let choicesOpen = false;
  let state = COMMA_OR_CLOSE;
  let kind = PLAIN;
  let keyStart = -1;
  let usageStart = -1;
  let usageEnd = -1;
  let usageObject = -1;
  let usageOpen = false;
  let choices = 0;
  let textBytes = 0;
  let finished = false;
  let sawChoices = false;
  let i = start;
  for (; i < n; i++) {
    const c = data.charCodeAt(i);
    if (c === 0x20 || c === 0x09) continue;
    if (state === COMMA_OR_CLOSE) {
      const inArray = (bits & 1) === 1;
      if (c === COMMA) state = inArray ? VALUE : KEY;
      else if (c === CLOSE_BRACE ? !inArray : c === CLOSE_BRACKET && inArray) {
        if (depth === 2) {
          choicesOpen = false;
          if (usageOpen) {
            usageOpen = false;
            usageEnd = i + 1;
          }
        }
        bits >>>= 1;
        if (--depth === 0) break;
      } else return undefined;
      continue;
    }
    if (state === COLON_NEXT) {
      if (c !== COLON) return undefined;
      state = VALUE;
      continue;
    }
    if (state === KEY_OR_CLOSE || state === KEY) {
      if (c === CLOSE_BRACE && state === KEY_OR_CLOSE) {
        if (depth === 2 && usageOpen) {
          usageOpen = false;
          usageEnd = i + 1;
        }
        bits >>>= 1;
        depth--;
        state = COMMA_OR_CLOSE;
        continue;
      }
      if (c !== QUOTE) return undefined;
      const end = data.indexOf('"', i + 1);
      // A key with escapes could spell any key that matters: leave it to the full path.
      if (end < 0 || nextBackslash < end) return undefined;
      kind = keyKind(data, i + 1, end - i - 1, depth === 1, rejectToolCalls);
      if (kind < 0) return undefined;
      keyStart = i;
      i = end;
      state = COLON_NEXT;
      continue;
    }
    // A value (state VALUE, or VALUE_OR_CLOSE right after `[`).
    if (c === CLOSE_BRACKET && state === VALUE_OR_CLOSE) {
      if (depth === 2) choicesOpen = false;
      bits >>>= 1;
      depth--;
      state = COMMA_OR_CLOSE;
      continue;
    }
    // Every element of `choices` is an object (the full path rejects anything else).
    if (choicesOpen && depth === 2) {
      if (c !== OPEN_BRACE) return undefined;
      choices++;
    }
    const valueKind = kind;
    kind = PLAIN;
    if (valueKind === USAGE) {
      // A top-level `,"usage":null` or `,"usage":{…}`, cut out like the full path takes it off; a
      // second usage key (JSON.parse would keep the last) or any other value takes the full path.
      if (usageStart >= 0 || data.charCodeAt(keyStart - 1) !== COMMA) return undefined;
      usageStart = keyStart - 1;
      if (c === OPEN_BRACE) {
        // Scanned as any object below; its end is noted when it closes.
        usageObject = i;
        usageOpen = true;
      } else {
        if (!data.startsWith('null', i)) return undefined;
        usageEnd = i + 4;
        i += 3;
        state = COMMA_OR_CLOSE;
        continue;
      }
    }
    if (valueKind === CHOICE_LIST && c !== OPEN_BRACKET) return undefined;
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === MAX_DEPTH) return undefined;
      depth++;
      bits <<= 1;
      if (c === OPEN_BRACE) state = KEY_OR_CLOSE;
      else {
        bits |= 1;
        state = VALUE_OR_CLOSE;
        if (valueKind === CHOICE_LIST) sawChoices = choicesOpen = true;
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
      if (valueKind === TEXT) textBytes += utf8Bytes(data, i + 1, end);
      else if (valueKind === FINISH) {
        if (!FAST_FINISH_REASONS.has(data.slice(i + 1, end))) return undefined;
        finished = true;
      }
      i = end;
      state = COMMA_OR_CLOSE;
    } else {
      if (valueKind === FINISH && !data.startsWith('null', i)) return undefined;
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
  return { end, usageStart, usageEnd, usageObject, choices, textBytes, finished };
}

const CONTROL_CHAR = /[\u0000-\u001f]/;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** The index of the closing quote of a string with escapes whose content starts at `from`, or -1 if malformed. */
function escapedStringEnd(data: string, from: number): number {
  const n = data.length;
  for (let i = from; i < n; i++) {
    const c = data.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH) {
      const e = data.charCodeAt(++i);
      // " \ / b f n r t u
      if (e === 0x75) {
        if (!HEX4.test(data.slice(i + 1, i + 5))) return -1;
        i += 4;
      } else if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
        return -1;
      }
    }
  }
  return -1;
}

/** UTF-8 bytes of the raw text between `from` and `to`; escapes count as written (never fewer). */
function utf8Bytes(data: string, from: number, to: number): number {
  let bytes = to - from;
  for (let i = from; i < to; i++) {
    const c = data.charCodeAt(i);
    if (c >= 0x80) bytes += c < 0x800 ? 1 : 2;
  }
  return bytes;
}

/** The end of a `true`/`false`/`null` or number at `i`, or -1. */
function literalEnd(data: string, i: number, c: number): number {
  if (c === 0x74) return data.startsWith('true', i) ? i + 4 : -1;
  if (c === 0x66) return data.startsWith('false', i) ? i + 5 : -1;
  if (c === 0x6e) return data.startsWith('null', i) ? i + 4 : -1;
  // A number, strictly: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  let j = c === 0x2d ? i + 1 : i;
  let d = data.charCodeAt(j);
  if (d === 0x30) j++;
  else if (d >= 0x31 && d <= 0x39) j = digitsEnd(data, j);
  else return -1;
  d = data.charCodeAt(j);
  if (d === 0x2e) {
    const k = digitsEnd(data, j + 1);
    if (k === j + 1) return -1;
    j = k;
    d = data.charCodeAt(j);
  }
  if (d === 0x65 || d === 0x45) {
    j++;
    d = data.charCodeAt(j);
    if (d === 0x2b || d === 0x2d) j++;
    const k = digitsEnd(data, j);
    if (k === j) return -1;
    j = k;
  }
  return j;
}

function digitsEnd(data: string, from: number): number {
  let j = from;
  for (let d = data.charCodeAt(j); d >= 0x30 && d <= 0x39; d = data.charCodeAt(++j));
  return j;
}

/** What a key means for the fast path; -1 when the chunk must take the full path. */
function keyKind(data: string, from: number, length: number, topLevel: boolean, rejectToolCalls: boolean): number {
  switch (length) {
    case 2:
      return topLevel && data.startsWith('id', from) ? -1 : PLAIN;
    case 5:
      if (!topLevel) return PLAIN;
      if (data.startsWith('usage', from)) return USAGE;
      return data.startsWith('model', from) || data.startsWith('error', from) ? -1 : PLAIN;
    case 6:
      return topLevel && (data.startsWith('x_groq', from) || data.startsWith('object', from)) ? -1 : PLAIN;
    case 7:
      if (data.startsWith('content', from)) return TEXT;
      if (topLevel && data.startsWith('choices', from)) return CHOICE_LIST;
      return topLevel && data.startsWith('created', from) ? -1 : PLAIN;
    case 9:
      return data.startsWith('arguments', from) ? TEXT : PLAIN;
    case 10:
      return rejectToolCalls && data.startsWith('tool_calls', from) ? -1 : PLAIN;
    case 13:
      return data.startsWith('finish_reason', from) ? FINISH : PLAIN;
    default:
      return PLAIN;
  }
}
