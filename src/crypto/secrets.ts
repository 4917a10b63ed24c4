/**
 * Random tokens, digests and constant-time comparison for gateway keys and session tokens.
 */
import crypto from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A base62 string carrying at least `bytes` bytes of entropy (rejection sampling: no modulo bias). */
export function randomBase62(bytes: number): string {
  const length = Math.ceil((bytes * 8) / Math.log2(62));
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.randomBytes(length)) {
      // 248 = 62 * 4: values above it would make the first characters more likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** A new opaque id with a readable prefix, e.g. `key_3x9…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBase62(12)}`;
}

/** SHA-256 as lowercase hex. Gateway keys and session tokens are stored and looked up only by this. */
export function sha256Hex(text: string): string {
  // crypto.hash (Node ≥ 20.12): one call, no Hash object.
  return crypto.hash('sha256', text, 'hex');
}

/** Constant-time equality of two strings (compared as SHA-256 digests, so lengths may differ). */
export function timingSafeEqualText(a: string, b: string): boolean {
  const da = crypto.createHash('sha256').update(a, 'utf8').digest();
  const db = crypto.createHash('sha256').update(b, 'utf8').digest();
  return crypto.timingSafeEqual(da, db);
}
