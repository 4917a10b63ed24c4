/**
 * The fixed latency histogram stored with every usage rollup (latency and time to first token).
 *
 * Bins are log-linear over integer milliseconds: 0–31 ms one bin per millisecond, then 16 equal bins
 * per power of two (32–33, 34–35, … 62–63, 64–67, …). A bin is at most 1/16 of its lower bound
 * wide, so a percentile read from merged histograms lies in a known bin [low, high], and the bin's
 * midpoint is within 1/32 of the true value (plus half a millisecond of rounding). The same fixed
 * bins everywhere make histograms mergeable by adding counts.
 *
 * Stored form (a BLOB / bytea): entries of [bin: uint16 LE][count: LEB128]. The writer appends a
 * batch's entries to a minute rollup's bytes (SQL concatenation), so a bin may appear more than
 * once; readers add them up. Compaction writes each bin once, in ascending order.
 */

const EXACT = 32;
const SUB_BITS = 4;
const SUB = 1 << SUB_BITS;
/** Highest power of two a bin starts in: values up to 2^31 − 1 ms (24 days) have a bin. */
const MAX_EXPONENT = 30;

/** Number of bins: the dense accumulators' length. */
export const BIN_COUNT = EXACT + (MAX_EXPONENT - 4) * SUB;

/** The bin of a value in milliseconds (negative and fractional values are clamped and rounded). */
export function binOf(ms: number): number {
  const v = ms <= 0 ? 0 : ms >= 0x7fffffff ? 0x7fffffff : Math.round(ms);
  if (v < EXACT) return v;
  const exponent = 31 - Math.clz32(v);
  return EXACT + (exponent - 5) * SUB + ((v >>> (exponent - SUB_BITS)) - SUB);
}

/** The smallest value in a bin. */
export function binLow(bin: number): number {
  if (bin < EXACT) return bin;
  const exponent = 5 + Math.floor((bin - EXACT) / SUB);
  return (SUB + ((bin - EXACT) % SUB)) * 2 ** (exponent - SUB_BITS);
}

/** The largest value in a bin. */
export function binHigh(bin: number): number {
  return bin + 1 >= BIN_COUNT ? 0x7fffffff : binLow(bin + 1) - 1;
}

/** Appends the entries of `counts` (bin → count, ascending bins) to `out`; returns the new length. */
function writeEntry(out: Buffer, at: number, bin: number, count: number): number {
  out[at++] = bin & 0xff;
  out[at++] = bin >>> 8;
  let c = count;
  while (c >= 0x80) {
    out[at++] = (c % 0x80) | 0x80;
    c = Math.floor(c / 0x80);
  }
  out[at++] = c;
  return at;
}

/** Encodes bins with their counts (parallel arrays, any order, bins may repeat). */
export function encodeEntries(bins: ArrayLike<number>, counts: ArrayLike<number>, length: number): Buffer {
  // 2 bytes of bin + at most 8 of LEB128 for counts below 2^53.
  const out = Buffer.allocUnsafe(length * 10);
  let at = 0;
  for (let i = 0; i < length; i++) at = writeEntry(out, at, bins[i] as number, counts[i] as number);
  return out.subarray(0, at);
}

/** Encodes a dense histogram (counts by bin), each non-empty bin once. */
export function encodeDense(dense: ArrayLike<number>): Buffer {
  let nonEmpty = 0;
  for (let b = 0; b < BIN_COUNT; b++) if ((dense[b] ?? 0) > 0) nonEmpty++;
  const out = Buffer.allocUnsafe(nonEmpty * 10);
  let at = 0;
  for (let b = 0; b < BIN_COUNT; b++) {
    const c = dense[b] ?? 0;
    if (c > 0) at = writeEntry(out, at, b, c);
  }
  return out.subarray(0, at);
}

/** Adds the stored entries in `bytes` into the dense histogram `into` (a null or empty value adds nothing). */
export function addEncoded(into: Float64Array, bytes: Uint8Array | null | undefined): void {
  if (bytes === null || bytes === undefined) return;
  const n = bytes.length;
  let at = 0;
  while (at + 2 < n) {
    const bin = (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
    at += 2;
    let count = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = bytes[at++] as number;
      count += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte >= 0x80 && at < n);
    if (bin < BIN_COUNT) into[bin] = (into[bin] as number) + count;
  }
}

export function emptyHistogram(): Float64Array {
  return new Float64Array(BIN_COUNT);
}

export interface Percentile {
  /** The bin's midpoint (exact for values below 32 ms). */
  value: number;
  /** The bin the true nearest-rank percentile lies in, inclusive. */
  low: number;
  high: number;
}

/** Nearest-rank percentiles (p in (0, 1]) of a dense histogram with `total` values; null when empty. */
export function percentiles(dense: Float64Array, total: number, ps: readonly number[]): Array<Percentile | null> {
  if (total <= 0) return ps.map(() => null);
  const ranks = ps.map((p) => Math.max(1, Math.ceil(p * total)));
  const out: Array<Percentile | null> = ps.map(() => null);
  let seen = 0;
  for (let b = 0; b < BIN_COUNT; b++) {
    const c = dense[b] as number;
    if (c === 0) continue;
    seen += c;
    for (let i = 0; i < ranks.length; i++) {
      if (out[i] === null && seen >= (ranks[i] as number)) {
        const low = binLow(b);
        const high = binHigh(b);
        out[i] = { value: Math.round((low + high) / 2), low, high };
      }
    }
    if (out.every((p) => p !== null)) break;
  }
  return out;
}

/** Reads the entry at `at`: sets ENTRY's bin, count and next offset. */
const ENTRY = { bin: 0, count: 0, next: 0 };
function readEntry(bytes: Uint8Array, at: number): void {
  ENTRY.bin = (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
  let i = at + 2;
  let count = 0;
  let scale = 1;
  let byte: number;
  do {
    byte = bytes[i++] as number;
    count += (byte & 0x7f) * scale;
    scale *= 0x80;
  } while (byte >= 0x80 && i < bytes.length);
  ENTRY.count = count;
  ENTRY.next = i;
}

let mergeScratch = Buffer.allocUnsafe(4096);

/**
 * Merges two stored histograms into one with each bin once, ascending. Linear when both inputs are
 * ascending (what the SQLite writer stores); anything else goes through a dense array.
 */
export function mergeEncoded(a: Uint8Array | null, b: Uint8Array | null): Buffer {
  const x = a ?? EMPTY;
  const y = b ?? EMPTY;
  const need = (x.length + y.length) * 4 + 16;
  if (mergeScratch.length < need) mergeScratch = Buffer.allocUnsafe(need * 2);
  const out = mergeScratch;
  let at = 0;
  let i = 0;
  let j = 0;
  let lastBin = -1;
  let lastCount = 0;
  while (i + 2 < x.length || j + 2 < y.length) {
    if (j + 2 >= y.length) {
      readEntry(x, i);
      i = ENTRY.next;
    } else if (i + 2 >= x.length) {
      readEntry(y, j);
      j = ENTRY.next;
    } else {
      const bx = (x[i] as number) | ((x[i + 1] as number) << 8);
      const by = (y[j] as number) | ((y[j + 1] as number) << 8);
      if (bx <= by) {
        readEntry(x, i);
        i = ENTRY.next;
      } else {
        readEntry(y, j);
        j = ENTRY.next;
      }
    }
    const bin = ENTRY.bin;
    const count = ENTRY.count;
    if (bin === lastBin) lastCount += count;
    else if (bin < lastBin) return mergeUnordered(x, y);
    else {
      if (lastBin >= 0) at = writeEntry(out, at, lastBin, lastCount);
      lastBin = bin;
      lastCount = count;
    }
  }
  if (lastBin >= 0) at = writeEntry(out, at, lastBin, lastCount);
  return Buffer.from(out.subarray(0, at));
}

const EMPTY = new Uint8Array(0);

function mergeUnordered(a: Uint8Array, b: Uint8Array): Buffer {
  const dense = emptyHistogram();
  addEncoded(dense, a);
  addEncoded(dense, b);
  return encodeDense(dense);
}
