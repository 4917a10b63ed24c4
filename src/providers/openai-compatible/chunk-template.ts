/**
 * The streaming fast path's shortcut for a chunk laid out like the last one. The chunks of one
 * stream differ, as a rule, only in the values of a few strings (the delta's `content`, OpenAI's
 * `obfuscation` padding): the id, created, model, keys and nesting repeat byte for byte. After
 * scanChunk() has proved one chunk, its text is kept as fixed pieces around its string values
 * (the holes); a later chunk that is the same pieces around other valid strings is the same kind of
 * chunk, so its scan is the kept one with the positions moved, and only its strings are read.
 * Anything else (a different key, number or nesting) does not match and is scanned in full.
 */
import { escapedStringEnd } from './json-text.js';
import type { ChunkScan } from './chunk-scanner.js';

/** Holes kept at most: a chunk with more strings than this is not worth matching piece by piece. */
const MAX_HOLES = 8;

/**
 * String values the scanner saw in one chunk, as (start, end, counted) triples: the text between
 * the quotes, and 1 when its bytes count toward `textBytes` (content and tool-call arguments).
 */
export type StringSpans = number[];

export class ChunkTemplate {
  /** The text between holes: pieces[0] ends with the first hole's opening quote, each later one starts with a closing quote. */
  private readonly pieces: string[];
  /** Per hole: whether its bytes count toward textBytes. */
  private readonly counted: boolean[];
  /** Where each piece starts in a matched chunk (rewritten by every match). */
  private readonly pieceStarts: number[];
  /** usageStart, usageEnd, end: the piece each lies in, and the offset in that piece (-1: none). */
  private readonly places: Int32Array;

  /**
   * The scan every match returns, its positions rewritten by each: one object per template, not per
   * chunk (the caller reads it before the next chunk comes).
   */
  private readonly result: ChunkScan;

  private constructor(data: string, spans: StringSpans, scan: ChunkScan) {
    this.result = Object.assign({}, scan);
    const holes = spans.length / 3;
    this.pieces = new Array<string>(holes + 1);
    this.counted = new Array<boolean>(holes);
    this.pieceStarts = new Array<number>(holes + 1).fill(0);
    const starts: number[] = [0];
    let from = 0;
    for (let h = 0; h < holes; h++) {
      const start = spans[h * 3] as number;
      const end = spans[h * 3 + 1] as number;
      this.pieces[h] = copyText(data, from, start);
      this.counted[h] = spans[h * 3 + 2] === 1;
      from = end;
      starts.push(end);
    }
    this.pieces[holes] = copyText(data, from, data.length);
    this.places = new Int32Array(6);
    const place = (slot: number, position: number): void => {
      let piece = 0;
      while (piece + 1 < starts.length && (starts[piece + 1] as number) <= position) piece++;
      this.places[slot * 2] = position < 0 ? -1 : piece;
      this.places[slot * 2 + 1] = position - (starts[piece] as number);
    };
    place(0, scan.usageStart);
    place(1, scan.usageEnd);
    place(2, scan.end);
  }

  /**
   * A template of a chunk scanChunk() accepted, with the string spans it reported; undefined when
   * the chunk cannot serve as one: a usage object (its numbers vary), a hole before the model's
   * end (the head must stay fixed), or too many strings.
   */
  static from(data: string, spans: StringSpans, scan: ChunkScan): ChunkTemplate | undefined {
    if (scan.usageObject >= 0 || spans.length === 0 || spans.length > MAX_HOLES * 3) return undefined;
    if ((spans[0] as number) <= scan.modelEnd) return undefined;
    return new ChunkTemplate(data, spans, scan);
  }

  /**
   * The scan of `data` if it is this template's pieces around valid strings; undefined otherwise.
   * The object returned is reused by the next match.
   */
  match(data: string): ChunkScan | undefined {
    const { pieces, pieceStarts } = this;
    const first = pieces[0] as string;
    if (!textAt(data, first, 0)) return undefined;
    const n = data.length;
    let position = first.length;
    let nextBackslash = data.indexOf('\\', position);
    if (nextBackslash < 0) nextBackslash = n;
    let textBytes = 0;
    const holes = this.counted.length;
    for (let h = 0; h < holes; h++) {
      // The hole's closing quote: the first quote, unless an escape comes before it.
      let end = data.indexOf('"', position);
      if (end < 0) return undefined;
      if (nextBackslash < end) {
        end = escapedStringEnd(data, position);
        if (end < 0) return undefined;
        nextBackslash = data.indexOf('\\', end + 1);
        if (nextBackslash < 0) nextBackslash = n;
      }
      // The pieces were proved free of control characters; the strings between them are checked here.
      const bytes = stringBytes(data, position, end);
      if (bytes < 0) return undefined;
      if (this.counted[h] === true) textBytes += bytes;
      const piece = pieces[h + 1] as string;
      if (!textAt(data, piece, end)) return undefined;
      pieceStarts[h + 1] = end;
      position = end + piece.length;
    }
    if (position !== n) return undefined;
    const { result, places } = this;
    result.end = (pieceStarts[places[4] as number] as number) + (places[5] as number);
    result.usageStart = places[0] === -1 ? -1 : (pieceStarts[places[0] as number] as number) + (places[1] as number);
    result.usageEnd = places[2] === -1 ? -1 : (pieceStarts[places[2] as number] as number) + (places[3] as number);
    result.textBytes = textBytes;
    return result;
  }
}

/**
 * Whether `piece` stands in `data` at `at`. A slice compared with ===, not startsWith: V8's
 * startsWith compares character by character (about 4 ns each, 0.6 µs for a chunk's head), a
 * string comparison compares memory.
 */
function textAt(data: string, piece: string, at: number): boolean {
  const end = at + piece.length;
  return end <= data.length && data.slice(at, end) === piece;
}

/**
 * UTF-8 bytes of the raw string text between `from` and `to`, counted as utf8Bytes() counts them, or
 * -1 if it holds a control character (never valid inside a JSON string).
 */
function stringBytes(data: string, from: number, to: number): number {
  let bytes = to - from;
  for (let i = from; i < to; i++) {
    const c = data.charCodeAt(i);
    if (c < 0x20) return -1;
    if (c >= 0x80) bytes += c < 0x800 ? 1 : 2;
  }
  return bytes;
}

/**
 * `data.slice(from, to)` as a string of its own. A slice of 13 characters or more refers to the
 * string it was cut from, here the text of a whole upstream read, which a template kept for the
 * rest of a stream would keep alive; joining two parts makes V8 copy them into a new string
 * (about 50 ns for a chunk's head).
 */
function copyText(data: string, from: number, to: number): string {
  return from === to ? '' : [data.slice(from, from + 1), data.slice(from + 1, to)].join('');
}
