import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidToken, MultiFernet, decrypt, decryptVerified, encrypt, generateFernetKey, parseFernetKey } from './fernet.js';

const newKey = () => parseFernetKey(generateFernetKey());

describe('MultiFernet.verify() + decryptVerified()', () => {
  it('verifies once and decrypts with AES only, under whichever key matches', () => {
    const [a, b] = [newKey(), newKey()];
    const multi = new MultiFernet([a, b]);
    const token = encrypt(b, Buffer.from('sk-plain-1'));
    const verified = multi.verify(token);
    expect(verified.key).toBe(b);
    expect(verified.iv).toHaveLength(16);
    expect(verified.ciphertext.length % 16).toBe(0);
    // The verified form holds no plaintext.
    expect(Buffer.concat([verified.iv, verified.ciphertext]).includes(Buffer.from('sk-plain-1'))).toBe(false);
    expect(Object.values(verified).some((v) => typeof v === 'string')).toBe(false);
    expect(decryptVerified(verified).toString()).toBe('sk-plain-1');
    expect(decryptVerified(verified).toString()).toBe('sk-plain-1');
  });

  it('refuses tampered, foreign and malformed tokens', () => {
    const key = newKey();
    const multi = new MultiFernet([key]);
    const token = encrypt(key, Buffer.from('x'));
    const bytes = Buffer.from(token, 'base64url');
    bytes[30] = (bytes[30] ?? 0) ^ 1;
    const tampered = bytes.toString('base64url') + '='.repeat((4 - (bytes.toString('base64url').length % 4)) % 4);
    for (const bad of [tampered, encrypt(newKey(), Buffer.from('x')), 'not-a-token', '']) {
      expect(() => multi.verify(bad)).toThrow(InvalidToken);
    }
  });

  it("keeps exactly the token's IV and ciphertext, frozen", () => {
    const key = newKey();
    const multi = new MultiFernet([key]);
    const token = encrypt(key, Buffer.from('hello'));
    const data = Buffer.from(token, 'base64url');
    const verified = multi.verify(token);
    expect(verified.iv.equals(data.subarray(9, 25))).toBe(true);
    expect(verified.ciphertext.equals(data.subarray(25, data.length - 32))).toBe(true);
    expect(Object.isFrozen(verified)).toBe(true);
  });

  it("decrypts the spec's vectors to their plaintext", () => {
    const cases = JSON.parse(
      readFileSync(new URL('../../test/fixtures/fernet/generate.json', import.meta.url), 'utf8'),
    ) as Array<{ token: string; src: string; secret: string }>;
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const verified = new MultiFernet([parseFernetKey(c.secret)]).verify(c.token);
      expect(decryptVerified(verified).toString('utf8')).toBe(c.src);
    }
  });

  it('agrees with the full decrypt for every length and any interleaving of keys (the block decipher keeps no state)', () => {
    const keys = [newKey(), newKey(), newKey()];
    const multi = new MultiFernet(keys);
    const tokens: Array<{ token: string; plaintext: Buffer }> = [];
    for (let length = 0; length <= 80; length++) {
      const plaintext = randomBytes(length);
      tokens.push({ token: encrypt(keys[length % keys.length]!, plaintext), plaintext });
    }
    const verified = tokens.map(({ token }) => multi.verify(token));
    for (let round = 0; round < 3; round++) {
      for (const [i, { token, plaintext }] of tokens.entries()) {
        const out = decryptVerified(verified[i]!);
        expect(out.equals(plaintext)).toBe(true);
        expect(out.equals(multi.decrypt(token))).toBe(true);
      }
    }
    expect(decrypt(keys[0]!, tokens[0]!.token).equals(tokens[0]!.plaintext)).toBe(true);
  });

  it('refuses bad padding even in a token that got past verify() (defence in depth)', () => {
    const key = newKey();
    const verified = new MultiFernet([key]).verify(encrypt(key, Buffer.from('sk-abc')));
    // Flipping a bit of the IV flips the same bit of the first plaintext block, padding included.
    const iv = Buffer.from(verified.iv);
    iv[15] = (iv[15] ?? 0) ^ 0xff;
    expect(() => decryptVerified({ ...verified, iv })).toThrow(InvalidToken);
  });
});
