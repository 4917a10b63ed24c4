/**
 * Reading JSON text in place, for the stream fast path's scanner: where a string, a literal or a
 * number ends, and how many UTF-8 bytes a stretch of text is. Pure functions over a string.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** The index of the closing quote of a string with escapes whose content starts at `from`, or -1 if malformed. */
export function escapedStringEnd(data: string, from: number): number {
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
export function utf8Bytes(data: string, from: number, to: number): number {
  let bytes = to - from;
  for (let i = from; i < to; i++) {
    const c = data.charCodeAt(i);
    if (c >= 0x80) bytes += c < 0x800 ? 1 : 2;
  }
  return bytes;
}

/**
 * UTF-8 bytes of the raw string text between `from` and `to`, counted as utf8Bytes() counts them, or
 * -1 if it holds a control character (never valid inside a JSON string).
 */
export function stringBytes(data: string, from: number, to: number): number {
  let bytes = to - from;
  for (let i = from; i < to; i++) {
    const c = data.charCodeAt(i);
    if (c < 0x20) return -1;
    if (c >= 0x80) bytes += c < 0x800 ? 1 : 2;
  }
  return bytes;
}

/** The end of a `true`/`false`/`null` or number at `i`, or -1. */
export function literalEnd(data: string, i: number, c: number): number {
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
