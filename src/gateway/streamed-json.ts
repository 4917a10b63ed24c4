/**
 * Parses a large JSON answer while it arrives, so it is never held as bytes and text and parsed
 * value at once: an embeddings answer of 100 MB is thousands of vectors in one array, and
 * `JSON.parse` of the whole would need the whole text first (and the bytes it came from).
 *
 * The top-level object is split: each element of an array that is a member of it (`data` of
 * OpenAI, `embeddings` of Gemini) is parsed on its own as soon as it is complete, and its bytes
 * dropped; the rest of the object (the "skeleton", where the n-th such array is written `[n]`) is
 * small and parsed at the end, then each `[n]` member gets its array. A byte scan tracks only strings and nesting; every piece is then parsed by JSON.parse,
 * so the result is exactly JSON.parse's, and anything JSON.parse would reject is rejected.
 * Anything other than an object is kept and parsed whole.
 */
import { GatewayError } from '../errors.js';
import { networkError, responseTooLarge, type UpstreamResponse } from './upstream-client.js';
import { invalidUpstreamJson } from './upstream-error.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (!isWhitespace(byte)) return false;
  return true;
}

function invalid(): SyntaxError {
  return new SyntaxError('Invalid JSON');
}

export class StreamedJsonParser {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** 'start' before the first byte that is not whitespace; 'object' while splitting; 'whole' otherwise. */
  private mode: 'start' | 'object' | 'whole' = 'start';
  private done = false;
  /** The skeleton's bytes so far (copies: they are small, and must not keep network buffers alive). */
  private readonly skeleton: Buffer[] = [];
  /** Every chunk, when the answer is not an object. */
  private readonly whole: Buffer[] = [];
  /** The elements of the array being split, while the scan is inside it. */
  private current: unknown[] | undefined;
  private readonly arrays: unknown[][] = [];
  /** Bytes of the element being read that came in earlier chunks. */
  private elementParts: Buffer[] = [];

  push(chunk: Buffer): void {
    if (this.mode === 'whole') {
      this.whole.push(chunk);
      return;
    }
    // Where the current skeleton segment or element began in this chunk.
    let segment = 0;
    for (let i = 0; i < chunk.length; i += 1) {
      const byte = chunk[i] as number;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
        continue;
      }
      if (isWhitespace(byte)) continue;
      if (this.done) throw invalid();
      if (this.mode === 'start') {
        if (byte !== OPEN_BRACE) {
          this.mode = 'whole';
          this.whole.push(chunk);
          return;
        }
        this.mode = 'object';
      }
      if (byte === QUOTE) this.inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        this.depth += 1;
        if (this.depth === 2 && byte === OPEN_BRACKET && this.current === undefined) {
          // An array member of the top-level object: the skeleton gets `[n`, its elements are split off.
          this.skeleton.push(Buffer.from(chunk.subarray(segment, i + 1)), Buffer.from(String(this.arrays.length)));
          this.current = [];
          this.arrays.push(this.current);
          this.elementParts = [];
          segment = i + 1;
        }
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        this.depth -= 1;
        if (this.depth < 0) throw invalid();
        if (this.depth === 1 && this.current !== undefined) {
          if (byte !== CLOSE_BRACKET) throw invalid();
          this.endElement(chunk.subarray(segment, i), true);
          this.current = undefined;
          segment = i;
        } else if (this.depth === 0) this.done = true;
      } else if (byte === COMMA && this.depth === 2 && this.current !== undefined) {
        this.endElement(chunk.subarray(segment, i), false);
        segment = i + 1;
      }
    }
    if (this.current !== undefined) {
      if (segment < chunk.length) this.elementParts.push(chunk.subarray(segment));
    } else if (segment < chunk.length) this.skeleton.push(Buffer.from(chunk.subarray(segment)));
  }

  /** The parsed value. Throws SyntaxError for text that is not JSON. */
  end(): unknown {
    if (this.mode === 'whole') return JSON.parse(Buffer.concat(this.whole).toString('utf8'));
    if (!this.done || this.inString) throw invalid();
    const object = JSON.parse(Buffer.concat(this.skeleton).toString('utf8')) as Record<string, unknown>;
    // Every array member of the skeleton is a placeholder `[n]` (a repeated key kept its last value,
    // as JSON.parse does). An own `__proto__` member is an own data property: assigning sets it.
    for (const key of Object.keys(object)) {
      const value = object[key];
      if (Array.isArray(value)) object[key] = this.arrays[value[0] as number];
    }
    return object;
  }

  /** An element ended at a `,` or at the array's `]` (`last`); `tail` is its bytes in this chunk. */
  private endElement(tail: Buffer, last: boolean): void {
    const parts = this.elementParts;
    const bytes = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
    this.elementParts = [];
    const current = this.current as unknown[];
    if (isBlank(bytes)) {
      // Only `[]` (or `[ ]`) may hold nothing; `[1,]` and `[,1]` are not JSON.
      if (last && current.length === 0) return;
      throw invalid();
    }
    current.push(JSON.parse(bytes.toString('utf8')));
  }
}

/**
 * Reads and parses a JSON answer of up to `limitBytes` (502 `upstream_response_too_large` past it,
 * before a byte is read when the length is declared), holding about the parsed value and one read.
 * Returns the value and the answer's size in bytes.
 */
export async function readJsonAnswer(
  upstream: UpstreamResponse,
  limitBytes: number,
  setting: string,
): Promise<{ json: unknown; bytes: number }> {
  const declared = upstream.headers['content-length'];
  if (typeof declared === 'string' && Number(declared) > limitBytes) {
    upstream.body.destroy();
    throw responseTooLarge(limitBytes, setting);
  }
  // Most answers arrive in one read: that one is parsed whole, without a scan.
  let first: Buffer | undefined;
  let parser: StreamedJsonParser | undefined;
  let bytes = 0;
  try {
    for await (const chunk of upstream.body) {
      bytes += chunk.length;
      if (bytes > limitBytes) throw responseTooLarge(limitBytes, setting);
      if (parser !== undefined) parser.push(chunk);
      else if (first === undefined) first = chunk;
      else {
        parser = new StreamedJsonParser();
        parser.push(first);
        first = undefined;
        parser.push(chunk);
      }
    }
    const json = parser !== undefined ? parser.end() : JSON.parse(first === undefined ? '' : first.toString('utf8'));
    return { json, bytes };
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    if (err instanceof SyntaxError) throw invalidUpstreamJson(err);
    // A reset or a stall while reading the body is an upstream failure like any other.
    throw networkError(err, 'stream');
  }
}
