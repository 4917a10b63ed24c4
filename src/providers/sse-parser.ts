/**
 * The one server-sent-events parser for every upstream (WHATWG HTML §9.2 "Server-sent events").
 *
 * It is on the hot path for every streamed chunk, so it scans with `indexOf` and slices whole
 * lines instead of walking characters, and it only joins buffered text once a line terminator
 * has arrived (a 1 MB event split into 64 KB chunks costs one join, not sixteen re-scans).
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
import { StringDecoder } from 'node:string_decoder';
import type { SseEvent } from './provider.js';

const LF = 10;
const SPACE = 32;
const BOM = 0xfeff;
const UNFRAMED_LIMIT = 64 * 1024;

/** One event (or one line) of a stream grew past the parser's bound; it was not kept. */
export class SseEventTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`An event of the stream is larger than ${limit} characters.`);
    this.name = 'SseEventTooLargeError';
  }
}

/**
 * Incremental SSE parser: bytes in, complete events out. One instance per upstream response.
 * `maxEventLength` bounds what one event may hold (its data plus the line being read, in UTF-16
 * code units, i.e. bytes for the ASCII of JSON): past it push() throws SseEventTooLargeError
 * instead of buffering more.
 */
export class SseParser {
  // StringDecoder rather than TextDecoder: see docs/performance.md, "StringDecoder, not TextDecoder".
  // It keeps a BOM in the text; we strip it, once, at stream start.
  private readonly decoder = new StringDecoder('utf8');
  private bomChecked = false;
  /** The previous text ended in CR: a LF at the start of the next text belongs to that CR. */
  private skipLeadingLF = false;
  /** Text of the current, unterminated line, kept as parts until a terminator arrives. */
  private pendingParts: string[] = [];
  private pendingLength = 0;
  /** `undefined` until the event's first `data` line (an event without one is not dispatched). */
  private data: string | undefined = undefined;
  private eventName: string | undefined = undefined;
  // Per the spec the last event ID persists across events until the stream sets another one.
  private lastEventId: string | undefined = undefined;
  private unframed: string[] = [];
  private unframedLength = 0;

  constructor(private readonly maxEventLength = Number.POSITIVE_INFINITY) {}

  /** Feeds one network chunk; returns the events it completed (often none, sometimes several). */
  push(chunk: Uint8Array): SseEvent[] {
    const events: SseEvent[] = [];
    this.feed(this.decoder.write(chunk), events);
    return events;
  }

  /**
   * The stream closed. Flushes the decoder and any unterminated last line, then emits the pending
   * event only if its data is non-empty: the spec would drop it, but some servers omit the final
   * blank line, so the consumer gets it and decides whether it is complete (valid JSON).
   */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    this.feed(this.decoder.end(), events);
    if (this.pendingLength > 0) {
      const line = this.pendingParts.join('');
      this.pendingParts = [];
      this.pendingLength = 0;
      const colon = line.indexOf(':');
      this.processLine(line, 0, line.length, colon === -1 ? line.length : colon, events);
    }
    if (this.data !== undefined && this.data !== '') {
      events.push({ event: this.eventName, data: this.data, id: this.lastEventId });
    }
    this.data = undefined;
    this.eventName = undefined;
    return events;
  }

  private feed(input: string, events: SseEvent[]): void {
    let text = input;
    if (text.length === 0) return;
    if (!this.bomChecked) {
      this.bomChecked = true;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    if (this.skipLeadingLF) {
      this.skipLeadingLF = false;
      if (text.charCodeAt(0) === LF) text = text.slice(1);
    }
    if (text.length === 0) return;

    let lf = text.indexOf('\n');
    let cr = text.indexOf('\r');
    if (lf === -1 && cr === -1) {
      // Still inside one line: keep the part, scan nothing twice.
      this.pendingParts.push(text);
      this.pendingLength += text.length;
      if (this.pendingLength + (this.data?.length ?? 0) > this.maxEventLength) this.tooLarge();
      return;
    }

    const offset = this.pendingLength;
    const buf = offset === 0 ? text : this.pendingParts.join('') + text;
    this.pendingParts = [];
    this.pendingLength = 0;
    if (lf !== -1) lf += offset;
    if (cr !== -1) cr += offset;

    let pos = 0;
    let colon = -2; // not searched yet; -1 means no colon in the rest of buf
    for (;;) {
      // Positions are cached and only re-searched once passed: a chunk with no CR is scanned for CR once.
      if (lf !== -1 && lf < pos) lf = buf.indexOf('\n', pos);
      if (cr !== -1 && cr < pos) cr = buf.indexOf('\r', pos);
      let end: number;
      let next: number;
      if (cr === -1 || (lf !== -1 && lf < cr)) {
        if (lf === -1) break;
        end = lf;
        next = lf + 1;
      } else {
        end = cr;
        if (cr + 1 < buf.length) {
          next = buf.charCodeAt(cr + 1) === LF ? cr + 2 : cr + 1;
        } else {
          // A CR at the very end of this chunk: its LF, if any, arrives with the next chunk.
          next = cr + 1;
          this.skipLeadingLF = true;
        }
      }
      // The colon position is cached like the terminators, so colon-less lines cannot make this quadratic.
      if (colon !== -1 && colon < pos) colon = buf.indexOf(':', pos);
      this.processLine(buf, pos, end, colon === -1 || colon > end ? end : colon, events);
      pos = next;
    }

    if (pos < buf.length) {
      const rest = buf.slice(pos);
      this.pendingParts.push(rest);
      this.pendingLength = rest.length;
      if (this.pendingLength + (this.data?.length ?? 0) > this.maxEventLength) this.tooLarge();
    }
  }

  /** Drops what the over-long event held, then throws. */
  private tooLarge(): never {
    this.pendingParts = [];
    this.pendingLength = 0;
    this.data = undefined;
    throw new SseEventTooLargeError(this.maxEventLength);
  }

  /**
   * Interprets `buf[start, end)` as one line (without its terminator); `colon` is the first colon in
   * it, or `end` when there is none (then the whole line is a field name with an empty value).
   */
  private processLine(buf: string, start: number, end: number, colon: number, events: SseEvent[]): void {
    if (start === end) {
      this.dispatch(events);
      return;
    }
    if (colon === start) return; // a comment, e.g. `: keep-alive`

    let valueStart = colon + 1;
    if (valueStart < end && buf.charCodeAt(valueStart) === SPACE) valueStart += 1;
    const nameLength = colon - start;

    if (nameLength === 4 && buf.startsWith('data', start)) {
      const value = valueStart >= end ? '' : buf.slice(valueStart, end);
      this.data = this.data === undefined ? value : `${this.data}\n${value}`;
      if (this.data.length > this.maxEventLength) this.tooLarge();
    } else if (nameLength === 5 && buf.startsWith('event', start)) {
      this.eventName = valueStart >= end ? '' : buf.slice(valueStart, end);
    } else if (nameLength === 2 && buf.startsWith('id', start)) {
      const value = valueStart >= end ? '' : buf.slice(valueStart, end);
      if (!value.includes('\u0000')) this.lastEventId = value; // the spec ignores ids containing NULL
    } else if (!(nameLength === 5 && buf.startsWith('retry', start)) && this.unframedLength < UNFRAMED_LIMIT) {
      // Not an SSE field at all: keep the raw line, since Gemini may write a bare JSON error object
      // into a 200 stream (docs/providers.md §5 rule 10). Bounded, so garbage cannot fill memory.
      const line = buf.slice(start, end);
      this.unframed.push(line);
      this.unframedLength += line.length + 1;
    }
    // `retry` is ignored: reconnection is the gateway's policy, not the upstream's.
  }

  /** The lines that were not SSE fields (at most 64 KiB), joined: an unframed error body, if any. */
  unframedText(): string {
    return this.unframed.join('\n');
  }

  private dispatch(events: SseEvent[]): void {
    if (this.data !== undefined) {
      events.push({ event: this.eventName, data: this.data, id: this.lastEventId });
    }
    this.data = undefined;
    this.eventName = undefined;
  }
}
