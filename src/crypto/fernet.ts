/**
 * Fernet (version 0x80) on node:crypto, token-compatible with Python's `cryptography.fernet`.
 * Used to encrypt stored provider API keys; docs/fernet.md summarises the format.
 *
 * Token layout: 0x80 | u64be timestamp | iv[16] | AES-128-CBC ciphertext[16·n] | HMAC-SHA256[32],
 * all url-safe base64 WITH '=' padding (Python rejects unpadded tokens and keys).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual, type Decipher } from 'node:crypto';

const VERSION = 0x80;
const HEADER_LEN = 25; // version 1 + timestamp 8 + iv 16
const MAC_LEN = 32;
const BLOCK = 16;
const MIN_TOKEN_LEN = HEADER_LEN + BLOCK + MAC_LEN; // 73: even an empty plaintext pads to one block
const MAX_CLOCK_SKEW = 60n; // Python's _MAX_CLOCK_SKEW
const B64URL_PADDED = /^[A-Za-z0-9_-]*={0,2}$/;

/** The one error for every decrypt failure, so callers (and attackers) cannot tell which check failed. */
export class InvalidToken extends Error {
  override name = 'InvalidToken';
  constructor() {
    super('Invalid Fernet token');
  }
}

/** Thrown by parseFernetKey; the message says what is expected and never echoes the secret key text. */
export class InvalidFernetKey extends Error {
  override name = 'InvalidFernetKey';
  constructor() {
    super(
      "Invalid Fernet key: must be 32 bytes of url-safe base64 (44 characters ending in '='), " +
        'as made by Fernet.generate_key() or `zai keygen`',
    );
  }
}

/** A parsed Fernet key: the first 16 bytes sign (HMAC-SHA256), the last 16 encrypt (AES-128). */
export interface FernetKey {
  readonly signingKey: Buffer;
  readonly encryptionKey: Buffer;
}

/** Time checks for decrypt; `nowSec` defaults to the wall clock and is only consulted with a TTL. */
export interface DecryptOptions {
  ttlSec?: number;
  nowSec?: number;
}

/** Python-style padded base64url; Node's 'base64url' encoder drops the '=' that Python requires. */
function encodeB64(bytes: Uint8Array): string {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  return s + '='.repeat((4 - (s.length % 4)) % 4);
}

/** Strict decode: Buffer.from(…, 'base64url') silently skips junk and missing padding, so gate it. */
function decodeB64Strict(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !B64URL_PADDED.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // The round trip rejects non-canonical trailing bits ("AB==" decodes like "AA==").
  return encodeB64(bytes) === text ? bytes : undefined;
}

/** Parses a key as Fernet.generate_key() makes it; trims outer whitespace (env vars, files), nothing more. */
export function parseFernetKey(text: string): FernetKey {
  const bytes = typeof text === 'string' ? decodeB64Strict(text.trim()) : undefined;
  if (bytes?.length !== 32) throw new InvalidFernetKey();
  // Copies, so the caller's buffer (or a later key) cannot alias the halves.
  return Object.freeze({
    signingKey: Buffer.from(bytes.subarray(0, 16)),
    encryptionKey: Buffer.from(bytes.subarray(16, 32)),
  });
}

/** A fresh random key in Python's format: padded url-safe base64 of 32 bytes (44 characters). */
export function generateFernetKey(): string {
  return encodeB64(randomBytes(32));
}

/** Builds a token from explicit parts; bigint timestamp so rotate() can carry any original value. */
function seal(key: FernetKey, plaintext: Uint8Array, timestamp: bigint, iv: Uint8Array): string {
  const header = Buffer.alloc(HEADER_LEN);
  header[0] = VERSION;
  header.writeBigUInt64BE(timestamp, 1);
  header.set(iv, 9);
  const cipher = createCipheriv('aes-128-cbc', key.encryptionKey, iv); // auto PKCS7 padding
  const body = Buffer.concat([header, cipher.update(plaintext), cipher.final()]);
  const mac = createHmac('sha256', key.signingKey).update(body).digest();
  return encodeB64(Buffer.concat([body, mac]));
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Known-answer entry point (Python's _encrypt_from_parts); production code must use encrypt(). */
export function encryptAt(key: FernetKey, plaintext: Uint8Array, timestampSec: number, iv: Uint8Array): string {
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0) {
    throw new RangeError('Fernet timestamp must be a non-negative integer number of seconds');
  }
  if (iv.length !== BLOCK) throw new RangeError('Fernet IV must be 16 bytes');
  return seal(key, plaintext, BigInt(timestampSec), iv);
}

/** Encrypts with a random IV and the current time, like Python's Fernet.encrypt. */
export function encrypt(key: FernetKey, plaintext: Uint8Array): string {
  return encryptAt(key, plaintext, nowSeconds(), randomBytes(BLOCK));
}

/** Format checks only (base64, version, length); says nothing about authenticity. */
function parseToken(token: string): { data: Buffer; timestamp: bigint } {
  const data = typeof token === 'string' ? decodeB64Strict(token) : undefined;
  // Stricter than Python on length (it fails later at MAC/unpad instead); the outcome is the same.
  const badLength = (n: number): boolean => n < MIN_TOKEN_LEN || (n - HEADER_LEN - MAC_LEN) % BLOCK !== 0;
  if (!data || badLength(data.length) || data[0] !== VERSION) throw new InvalidToken();
  // All 64 bits: reading only the low 32 would misjudge far-future (forged-skew) timestamps.
  return { data, timestamp: data.readBigUInt64BE(1) };
}

/** TTL and clock-skew checks; only with a TTL, exactly as Python (no TTL means no time checks at all). */
function checkTime(timestamp: bigint, options: DecryptOptions | undefined): void {
  const ttl = options?.ttlSec;
  if (ttl === undefined) return;
  const now = options?.nowSec ?? nowSeconds();
  // Bad options are a caller bug, not a bad token: RangeError rather than InvalidToken.
  if (!Number.isSafeInteger(ttl) || ttl < 0) throw new RangeError('ttlSec must be an integer >= 0');
  if (!Number.isSafeInteger(now)) throw new RangeError('nowSec must be an integer');
  if (timestamp + BigInt(ttl) < BigInt(now)) throw new InvalidToken(); // age == ttl is still valid
  if (BigInt(now) + MAX_CLOCK_SKEW < timestamp) throw new InvalidToken();
}

/** Constant-time HMAC check over every byte before the tag. */
function macMatches(key: FernetKey, data: Buffer): boolean {
  const body = data.subarray(0, data.length - MAC_LEN);
  const expected = createHmac('sha256', key.signingKey).update(body).digest();
  const actual = data.subarray(data.length - MAC_LEN);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Verifies the MAC, then decrypts; the MAC must come first so no unauthenticated bytes reach the cipher. */
function open(key: FernetKey, data: Buffer): Buffer {
  if (!macMatches(key, data)) throw new InvalidToken();
  const iv = data.subarray(9, HEADER_LEN);
  const ciphertext = data.subarray(HEADER_LEN, data.length - MAC_LEN);
  // Outside the try: a malformed FernetKey is a programming error and should surface as such.
  const decipher = createDecipheriv('aes-128-cbc', key.encryptionKey, iv);
  try {
    // final() enforces strict PKCS7 and throws on bad padding, which a valid MAC does not rule out.
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new InvalidToken();
  }
}

/** Decrypts and authenticates a token; any failure (format, time, MAC, padding) throws InvalidToken. */
export function decrypt(key: FernetKey, token: string, options?: DecryptOptions): Buffer {
  const { data, timestamp } = parseToken(token);
  checkTime(timestamp, options); // before the MAC, as in the spec and Python
  return open(key, data);
}

/** Returns the token's creation time in seconds, only after its MAC verifies (no TTL check). */
export function extractTimestamp(key: FernetKey, token: string): number {
  const { data, timestamp } = parseToken(token);
  if (!macMatches(key, data)) throw new InvalidToken();
  // We never mint such tokens; refusing beats returning an imprecise number.
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidToken();
  return Number(timestamp);
}

/**
 * A token that was fully opened once (MAC and padding) under `key`: what is needed to decrypt it
 * again without the MAC check. Holds the IV and the ciphertext (copies), never the plaintext.
 * Only ever build it through MultiFernet.verify(), so nothing unauthenticated reaches the cipher.
 */
export interface VerifiedToken {
  readonly key: FernetKey;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
}

/**
 * One AES-128 block decipher per key, reused for every verified token: creating a CBC decipher per
 * call (an OpenSSL context each time) was most of the cost of decrypting a provider key, which the
 * gateway does on every request. ECB without padding is the bare block function D_K, with no state
 * between calls, so a single instance serves every call.
 */
const blockDeciphers = new WeakMap<FernetKey, Decipher>();

function blockDecipher(key: FernetKey): Decipher {
  let decipher = blockDeciphers.get(key);
  if (decipher === undefined) {
    decipher = createDecipheriv('aes-128-ecb', key.encryptionKey, null);
    decipher.setAutoPadding(false);
    blockDeciphers.set(key, decipher);
  }
  return decipher;
}

/**
 * Decrypts a token verified earlier by MultiFernet.verify(): AES-CBC only, no HMAC. CBC decryption
 * is P_i = D_K(C_i) XOR C_(i-1) with C_0 = IV, then PKCS7 padding comes off; verify() already
 * checked MAC and padding, and the padding is checked again here all the same.
 */
export function decryptVerified(token: VerifiedToken): Buffer {
  const { iv, ciphertext } = token;
  const out = blockDecipher(token.key).update(ciphertext);
  if (out.length !== ciphertext.length || out.length === 0) {
    // Cannot happen for whole blocks without padding; if it ever did, the instance holds state.
    blockDeciphers.delete(token.key);
    throw new InvalidToken();
  }
  for (let i = 0; i < out.length; i++) {
    out[i] = (out[i] as number) ^ (i < BLOCK ? (iv[i] as number) : (ciphertext[i - BLOCK] as number));
  }
  const pad = out[out.length - 1] as number;
  let padOk = pad >= 1 && pad <= BLOCK;
  for (let i = out.length - pad; padOk && i < out.length; i++) padOk = out[i] === pad;
  if (!padOk) {
    out.fill(0);
    throw new InvalidToken();
  }
  return out.subarray(0, out.length - pad);
}

/** Key rotation: the first key encrypts, every key is tried (in order) to decrypt. */
export class MultiFernet {
  readonly #keys: readonly FernetKey[];
  readonly #current: FernetKey;

  constructor(keys: readonly FernetKey[]) {
    const [first] = keys;
    if (!first) throw new RangeError('MultiFernet needs at least one key');
    this.#keys = Object.freeze([...keys]); // a copy: later edits to the caller's array do not apply
    this.#current = first;
  }

  /** Encrypts under the first (current) key. */
  encrypt(plaintext: Uint8Array): string {
    return encrypt(this.#current, plaintext);
  }

  /** Decrypts with the first key that works; the TTL applies whichever key it is. */
  decrypt(token: string, options?: DecryptOptions): Buffer {
    const { data, timestamp } = parseToken(token);
    checkTime(timestamp, options); // key-independent, so once is enough
    return this.#openAny(data);
  }

  /**
   * Authenticates a token (MAC, then a full decrypt to check the padding; no time checks) and
   * returns its verified form for decryptVerified(). The plaintext of the check is zeroed, not kept.
   */
  verify(token: string): VerifiedToken {
    const { data } = parseToken(token);
    for (const key of this.#keys) {
      let plaintext: Buffer;
      try {
        plaintext = open(key, data);
      } catch (err) {
        if (!(err instanceof InvalidToken)) throw err;
        continue;
      }
      plaintext.fill(0);
      return Object.freeze({
        key,
        iv: Buffer.from(data.subarray(9, HEADER_LEN)),
        ciphertext: Buffer.from(data.subarray(HEADER_LEN, data.length - MAC_LEN)),
      });
    }
    throw new InvalidToken();
  }

  /** Re-keys under the first key, fresh IV, ORIGINAL timestamp; ignores TTL so expired tokens rotate. */
  rotate(token: string): string {
    const { data, timestamp } = parseToken(token);
    const plaintext = this.#openAny(data);
    return seal(this.#current, plaintext, timestamp, randomBytes(BLOCK));
  }

  /** true when the token already verifies under the first (current) key — lets a rotation job skip it */
  isCurrent(token: string): boolean {
    try {
      // A full open (MAC and padding), so "current" implies rotate() would have nothing to fix.
      open(this.#current, parseToken(token).data);
      return true;
    } catch (err) {
      if (err instanceof InvalidToken) return false;
      throw err;
    }
  }

  #openAny(data: Buffer): Buffer {
    for (const key of this.#keys) {
      try {
        return open(key, data);
      } catch (err) {
        if (!(err instanceof InvalidToken)) throw err;
      }
    }
    throw new InvalidToken();
  }
}
