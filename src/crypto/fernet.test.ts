import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  InvalidFernetKey,
  InvalidToken,
  MultiFernet,
  decrypt,
  encrypt,
  encryptAt,
  extractTimestamp,
  generateFernetKey,
  parseFernetKey,
} from './fernet.js';
import type { FernetKey } from './fernet.js';

// The specification's official vectors, vendored in test/fixtures/fernet (source named in its README).
function loadVectors<T>(name: string): T[] {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/fernet/${name}`, import.meta.url), 'utf8')) as T[];
}

interface GenerateCase {
  token: string;
  now: string;
  iv: number[];
  src: string;
  secret: string;
}
interface VerifyCase {
  token: string;
  now: string;
  ttl_sec: number;
  src: string;
  secret: string;
}
interface InvalidCase extends Omit<VerifyCase, 'src'> {
  desc: string;
}

const generateCases = loadVectors<GenerateCase>('generate.json');
const verifyCases = loadVectors<VerifyCase>('verify.json');
const invalidCases = loadVectors<InvalidCase>('invalid.json');

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
const VECTOR_SECRET = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const newKey = (): FernetKey => parseFernetKey(generateFernetKey());

/** Python-compatible padded base64url. */
function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
const toUrl = (s: string): string => s.replace(/\+/g, '-').replace(/\//g, '_');
const encodeToken = (bytes: Uint8Array): string => toUrl(b64(bytes));
const decodeToken = (token: string): Buffer => Buffer.from(token, 'base64url');

function expectInvalid(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InvalidToken);
  expect((caught as Error).message).toBe('Invalid Fernet token');
}

describe('official vectors', () => {
  it('loads every vector file', () => {
    expect(generateCases.length).toBeGreaterThan(0);
    expect(verifyCases.length).toBeGreaterThan(0);
    expect(invalidCases.length).toBe(8);
  });

  for (const [i, c] of generateCases.entries()) {
    it(`encryptAt() reproduces generate.json #${i} (${c.src}) exactly`, () => {
      const token = encryptAt(parseFernetKey(c.secret), utf8(c.src), seconds(c.now), Uint8Array.from(c.iv));
      expect(token).toBe(c.token);
    });
  }

  for (const [i, c] of verifyCases.entries()) {
    it(`decrypt() accepts verify.json #${i} (${c.src}) with ttl and injected now`, () => {
      const plain = decrypt(parseFernetKey(c.secret), c.token, { ttlSec: c.ttl_sec, nowSec: seconds(c.now) });
      expect(plain).toEqual(utf8(c.src));
    });
  }

  for (const c of invalidCases) {
    it(`decrypt() rejects invalid.json: ${c.desc}`, () => {
      expectInvalid(() => decrypt(parseFernetKey(c.secret), c.token, { ttlSec: c.ttl_sec, nowSec: seconds(c.now) }));
    });
  }
});

describe('round trips and token format', () => {
  const key = newKey();
  const plaintexts: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['binary (all 256 byte values)', Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
    ['10 KiB', Buffer.from(Array.from({ length: 10 * 1024 }, (_, i) => (i * 31 + 7) & 0xff))],
    ['exactly one block', Buffer.alloc(16, 0x41)],
  ];
  for (const [name, plain] of plaintexts) {
    it(`encrypt()/decrypt() round-trips a ${name} plaintext`, () => {
      const token = encrypt(key, plain);
      const out = decrypt(key, token);
      expect(Buffer.isBuffer(out)).toBe(true);
      expect(out.equals(plain)).toBe(true);
      // PKCS7 always adds 1..16 bytes, so the token length is fully determined by the plaintext.
      const padded = (Math.floor(plain.length / 16) + 1) * 16;
      expect(decodeToken(token).length).toBe(57 + padded);
    });
  }

  it('encrypt() emits padded url-safe base64 with version 0x80, the current time and a random IV', () => {
    const before = Math.floor(Date.now() / 1000);
    const a = encrypt(key, utf8('secret'));
    const b = encrypt(key, utf8('secret'));
    const after = Math.floor(Date.now() / 1000);
    for (const token of [a, b]) {
      expect(token).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
      expect(token.length % 4).toBe(0);
      expect(token.length).toBe(100);
      expect(token.endsWith('=')).toBe(true); // 73 bytes never fills the last base64 quantum
      expect(decodeToken(token)[0]).toBe(0x80);
      const ts = extractTimestamp(key, token);
      expect(ts).toBeGreaterThanOrEqual(before);
      expect(ts).toBeLessThanOrEqual(after);
    }
    expect(decodeToken(a).subarray(9, 25).equals(decodeToken(b).subarray(9, 25))).toBe(false);
  });

  it('generateFernetKey() returns 44-char padded url-safe base64 of 32 random bytes', () => {
    const k1 = generateFernetKey();
    const k2 = generateFernetKey();
    for (const k of [k1, k2]) {
      expect(k).toMatch(/^[A-Za-z0-9_-]{43}=$/);
      expect(Buffer.from(k, 'base64url').length).toBe(32);
      expect(() => parseFernetKey(k)).not.toThrow();
    }
    expect(k1).not.toBe(k2);
  });

  it('parseFernetKey() splits signing key (first 16 bytes) and encryption key (last 16)', () => {
    const raw = Buffer.from(VECTOR_SECRET, 'base64url');
    const key2 = parseFernetKey(VECTOR_SECRET);
    expect(key2.signingKey.equals(raw.subarray(0, 16))).toBe(true);
    expect(key2.encryptionKey.equals(raw.subarray(16))).toBe(true);
    const swapped = parseFernetKey(encodeToken(Buffer.concat([raw.subarray(16), raw.subarray(0, 16)])));
    const c = verifyCases[0]!;
    expectInvalid(() => decrypt(swapped, c.token));
  });

  it('parseFernetKey() trims surrounding whitespace such as a trailing newline', () => {
    expect(parseFernetKey(`  ${VECTOR_SECRET}\n`).signingKey.equals(parseFernetKey(VECTOR_SECRET).signingKey)).toBe(true);
  });

  it('encryptAt() refuses an IV that is not 16 bytes and a bad timestamp', () => {
    expect(() => encryptAt(key, utf8('x'), 0, new Uint8Array(15))).toThrow(RangeError);
    expect(() => encryptAt(key, utf8('x'), -1, new Uint8Array(16))).toThrow(RangeError);
    expect(() => encryptAt(key, utf8('x'), 1.5, new Uint8Array(16))).toThrow(RangeError);
  });
});

describe('parseFernetKey() refuses malformed keys without echoing them', () => {
  const raw = Buffer.from(VECTOR_SECRET, 'base64url');
  const bad: Array<[string, string]> = [
    ['an unpadded key', VECTOR_SECRET.slice(0, -1)],
    ['a 31-byte key', encodeToken(raw.subarray(0, 31))],
    ['a 33-byte key', encodeToken(Buffer.concat([raw, Buffer.from([1])]))],
    ['a key with inner whitespace', `${VECTOR_SECRET.slice(0, 20)} ${VECTOR_SECRET.slice(20)}`],
    ['a key with inner newline', `${VECTOR_SECRET.slice(0, 20)}\n${VECTOR_SECRET.slice(20)}`],
    ['a key in standard base64 (+ and /)', b64(raw)],
    ['a key with non-canonical trailing bits', `${VECTOR_SECRET.slice(0, 42)}f=`],
    ['an empty string', ''],
  ];
  it('has standard-alphabet fixtures that really contain + or /', () => {
    expect(b64(raw)).toMatch(/[+/]/);
  });
  for (const [name, text] of bad) {
    it(`parseFernetKey() rejects ${name}`, () => {
      let caught: unknown;
      try {
        parseFernetKey(text);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(InvalidFernetKey);
      const message = (caught as Error).message;
      expect(message).toContain("44 characters ending in '='");
      expect(message).toContain('zai keygen');
      if (text.trim().length > 0) expect(message).not.toContain(text.trim());
      expect(message).not.toContain(VECTOR_SECRET.slice(0, 12));
    });
  }
});

describe('tampering', () => {
  const key = newKey();
  const token = encrypt(key, utf8('a provider api key that is longer than one block'));
  const bytes = decodeToken(token);

  it('decrypt() rejects a token where any single byte is flipped (every position)', () => {
    for (let pos = 0; pos < bytes.length; pos++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const copy = Buffer.from(bytes);
        copy[pos] = copy[pos]! ^ mask;
        expectInvalid(() => decrypt(key, encodeToken(copy)));
      }
    }
  });

  it('decrypt() rejects unpadded, whitespace-wrapped and standard-alphabet tokens', () => {
    expect(decrypt(key, token).toString('utf8')).toContain('provider');
    expectInvalid(() => decrypt(key, token.replace(/=+$/, '')));
    expectInvalid(() => decrypt(key, `${token}\n`));
    expectInvalid(() => decrypt(key, ` ${token}`));
    expectInvalid(() => decrypt(key, b64(bytes)));
  });

  it('decrypt() rejects truncated and extended tokens and the empty string', () => {
    expectInvalid(() => decrypt(key, ''));
    expectInvalid(() => decrypt(key, encodeToken(bytes.subarray(0, bytes.length - 16))));
    expectInvalid(() => decrypt(key, encodeToken(bytes.subarray(0, 72))));
    expectInvalid(() => decrypt(key, encodeToken(Buffer.concat([bytes, Buffer.alloc(16)]))));
  });

  // Re-sign a modified body so the MAC is valid and only the format/time checks can catch it.
  const resign = (body: Buffer): string =>
    encodeToken(Buffer.concat([body, createHmac('sha256', key.signingKey).update(body).digest()]));
  const body = bytes.subarray(0, bytes.length - 32);

  it('decrypt() accepts a re-signed unmodified body (sanity check for the forging helper)', () => {
    expect(decrypt(key, resign(Buffer.from(body))).toString()).toContain('provider');
  });

  it('decrypt() rejects a correctly signed token with a version byte other than 0x80', () => {
    for (const version of [0x00, 0x7f, 0x81, 0xff]) {
      const copy = Buffer.from(body);
      copy[0] = version;
      expectInvalid(() => decrypt(key, resign(copy)));
    }
  });

  it('decrypt() rejects correctly signed tokens with no or a partial ciphertext block', () => {
    expectInvalid(() => decrypt(key, resign(body.subarray(0, 25))));
    expectInvalid(() => decrypt(key, resign(body.subarray(0, 25 + 15))));
    expectInvalid(() => decrypt(key, resign(body.subarray(0, body.length - 1))));
  });

  it('decrypt() reads all 64 timestamp bits (a 2^32-offset timestamp is far in the future)', () => {
    const T = 1_700_000_000;
    const forged = Buffer.from(body);
    forged.writeBigUInt64BE(2n ** 32n + BigInt(T), 1);
    const token2 = resign(forged);
    expectInvalid(() => decrypt(key, token2, { ttlSec: 60, nowSec: T }));
    expect(decrypt(key, token2).toString()).toContain('provider'); // no TTL: no time checks, like Python
    expect(extractTimestamp(key, token2)).toBe(2 ** 32 + T);
  });

  it('extractTimestamp() refuses a signed timestamp beyond Number.MAX_SAFE_INTEGER', () => {
    const forged = Buffer.from(body);
    forged.writeBigUInt64BE(2n ** 63n, 1);
    expectInvalid(() => extractTimestamp(key, resign(forged)));
  });

  it('decrypt() rejects a token under another key', () => {
    expectInvalid(() => decrypt(newKey(), token));
  });

  it('extractTimestamp() returns the vector timestamp and verifies the MAC first', () => {
    const c = generateCases[0]!;
    const vkey = parseFernetKey(c.secret);
    expect(extractTimestamp(vkey, c.token)).toBe(seconds(c.now));
    expect(seconds(c.now)).toBe(499162800);
    expectInvalid(() => extractTimestamp(newKey(), c.token));
    expectInvalid(() => extractTimestamp(vkey, invalidCases.find((x) => x.desc === 'incorrect mac')!.token));
  });
});

describe('TTL and clock skew', () => {
  const key = newKey();
  const T = 1_700_000_000;
  const token = encryptAt(key, utf8('ttl'), T, new Uint8Array(16).fill(7));

  it('decrypt() accepts a token whose age equals the TTL', () => {
    expect(decrypt(key, token, { ttlSec: 100, nowSec: T + 100 }).toString()).toBe('ttl');
  });
  it('decrypt() rejects a token one second older than the TTL', () => {
    expectInvalid(() => decrypt(key, token, { ttlSec: 100, nowSec: T + 101 }));
  });
  it('decrypt() accepts a timestamp 60 s in the future when a TTL is given', () => {
    expect(decrypt(key, token, { ttlSec: 100, nowSec: T - 60 }).toString()).toBe('ttl');
  });
  it('decrypt() rejects a timestamp 61 s in the future when a TTL is given', () => {
    expectInvalid(() => decrypt(key, token, { ttlSec: 100, nowSec: T - 61 }));
  });
  it('decrypt() does no time checks without a TTL (even with nowSec given)', () => {
    expect(decrypt(key, token, { nowSec: T + 10 ** 9 }).toString()).toBe('ttl');
    expect(decrypt(key, token, { nowSec: 0 }).toString()).toBe('ttl');
    expect(decrypt(key, token).toString()).toBe('ttl');
  });
  it('decrypt() with ttl 0 accepts the same second only (past side)', () => {
    expect(decrypt(key, token, { ttlSec: 0, nowSec: T }).toString()).toBe('ttl');
    expectInvalid(() => decrypt(key, token, { ttlSec: 0, nowSec: T + 1 }));
    // Like Python, the future side is still bounded by the 60 s skew, not by the TTL.
    expect(decrypt(key, token, { ttlSec: 0, nowSec: T - 60 }).toString()).toBe('ttl');
  });
  it('decrypt() with a TTL uses the wall clock when nowSec is omitted', () => {
    expectInvalid(() => decrypt(key, token, { ttlSec: 60 })); // T is long past
    expect(decrypt(key, encrypt(key, utf8('fresh')), { ttlSec: 60 }).toString()).toBe('fresh');
  });
  it('decrypt() refuses nonsensical TTL options as a caller error', () => {
    expect(() => decrypt(key, token, { ttlSec: -1, nowSec: T })).toThrow(RangeError);
    expect(() => decrypt(key, token, { ttlSec: Number.NaN, nowSec: T })).toThrow(RangeError);
  });
});

describe('MultiFernet', () => {
  const oldKey = newKey();
  const newerKey = newKey();
  const multi = new MultiFernet([newerKey, oldKey]);

  it('throws on an empty key list', () => {
    expect(() => new MultiFernet([])).toThrow();
  });

  it('decrypts tokens of old keys', () => {
    expect(multi.decrypt(encrypt(oldKey, utf8('old'))).toString()).toBe('old');
    expect(multi.decrypt(encrypt(newerKey, utf8('new'))).toString()).toBe('new');
  });

  it('encrypts with the first key', () => {
    const token = multi.encrypt(utf8('hi'));
    expect(decrypt(newerKey, token).toString()).toBe('hi');
    expectInvalid(() => decrypt(oldKey, token));
  });

  it('rotate() keeps the timestamp, changes the IV and re-keys under the first key', () => {
    const ts = 1_600_000_000;
    const iv = new Uint8Array(16).fill(9);
    const token = encryptAt(oldKey, utf8('rotate me'), ts, iv);
    const rotated = multi.rotate(token);
    expect(extractTimestamp(newerKey, rotated)).toBe(ts);
    expect(decodeToken(rotated).subarray(9, 25).equals(Buffer.from(iv))).toBe(false);
    expect(decrypt(newerKey, rotated).toString()).toBe('rotate me');
    expectInvalid(() => decrypt(oldKey, rotated));
  });

  it('rotate() works on an expired token, which stays expired relative to its original time', () => {
    const ts = 1_000_000_000;
    const token = encryptAt(oldKey, utf8('expired'), ts, new Uint8Array(16));
    expectInvalid(() => multi.decrypt(token, { ttlSec: 60 }));
    const rotated = multi.rotate(token);
    expect(multi.decrypt(rotated).toString()).toBe('expired');
    expectInvalid(() => multi.decrypt(rotated, { ttlSec: 60 }));
    expect(multi.decrypt(rotated, { ttlSec: 60, nowSec: ts + 60 }).toString()).toBe('expired');
  });

  it('decrypt() and rotate() reject a token under an unknown key', () => {
    const stranger = encrypt(newKey(), utf8('x'));
    expectInvalid(() => multi.decrypt(stranger));
    expectInvalid(() => multi.rotate(stranger));
    expectInvalid(() => multi.rotate('not a token'));
  });

  it('decrypt() applies the TTL under every key', () => {
    const token = encryptAt(oldKey, utf8('x'), 1_000, new Uint8Array(16));
    expectInvalid(() => multi.decrypt(token, { ttlSec: 60, nowSec: 2_000 }));
    expect(multi.decrypt(token, { ttlSec: 60, nowSec: 1_030 }).toString()).toBe('x');
  });

  it('isCurrent() is true only for tokens that verify under the first key', () => {
    const oldToken = encrypt(oldKey, utf8('x'));
    expect(multi.isCurrent(multi.encrypt(utf8('x')))).toBe(true);
    expect(multi.isCurrent(oldToken)).toBe(false);
    expect(multi.isCurrent(multi.rotate(oldToken))).toBe(true);
    expect(multi.isCurrent(encrypt(newKey(), utf8('x')))).toBe(false);
    expect(multi.isCurrent('garbage')).toBe(false);
  });

  it('is not affected by later changes to the caller key array', () => {
    const keys = [newerKey];
    const m = new MultiFernet(keys);
    keys.push(oldKey);
    expectInvalid(() => m.decrypt(encrypt(oldKey, utf8('x'))));
  });
});
