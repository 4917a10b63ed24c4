/**
 * The streaming fast path's shortcut for a chunk laid out like the last one. The chunks of one
 * stream differ, as a rule, only in the values of a few strings (the delta's `content`, OpenAI's
 * `obfuscation` padding): the id, created, model, keys and nesting repeat byte for byte. After
 * scanChunk() has proved one chunk, its text is kept as fixed pieces around its string values
 * (the holes); a later chunk that is the same pieces around other valid strings is the same kind of
 * chunk, so its scan is the kept one with the positions moved, and only its strings are read.
 * Anything else (a different key, number or nesting) does not match and is scanned in full.
 */
import { escapedStringEnd, stringBytes } from './json-text.js';
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
  /** Where the scan's usageStart, usageEnd and end lie among the pieces (undefined: no usage span). */
  private readonly usageStart: Place | undefined;
  private readonly usageEnd: Place | undefined;
  private readonly end: Place;

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
    this.usageStart = scan.usageStart < 0 ? undefined : placeOf(scan.usageStart, starts);
    this.usageEnd = scan.usageEnd < 0 ? undefined : placeOf(scan.usageEnd, starts);
    this.end = placeOf(scan.end, starts);
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
    const { result } = this;
    result.end = positionOf(this.end, pieceStarts);
    result.usageStart = this.usageStart === undefined ? -1 : positionOf(this.usageStart, pieceStarts);
    result.usageEnd = this.usageEnd === undefined ? -1 : positionOf(this.usageEnd, pieceStarts);
    result.textBytes = textBytes;
    return result;
  }
}

/** A position of the template's text that lies outside its strings: the piece it is in, and how far into it. */
interface Place {
  piece: number;
  offset: number;
}

/** The place of `position` among pieces that start at `starts`. */
function placeOf(position: number, starts: readonly number[]): Place {
  let piece = 0;
  while (piece + 1 < starts.length && (starts[piece + 1] as number) <= position) piece++;
  return { piece, offset: position - (starts[piece] as number) };
}

/** The position of `place` in a chunk whose pieces start at `pieceStarts`. */
function positionOf(place: Place, pieceStarts: readonly number[]): number {
  return (pieceStarts[place.piece] as number) + place.offset;
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
 * `data.slice(from, to)` as a string of its own. A slice of 13 characters or more refers to the
 * string it was cut from, here the text of a whole upstream read, which a template kept for the
 * rest of a stream would keep alive; joining two parts makes V8 copy them into a new string
 * (about 50 ns for a chunk's head).
 */
function copyText(data: string, from: number, to: number): string {
  return from === to ? '' : [data.slice(from, from + 1), data.slice(from + 1, to)].join('');
}
