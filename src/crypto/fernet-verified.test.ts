import { describe, expect, it } from 'vitest';
import { InvalidToken, MultiFernet, decryptVerified, encrypt, generateFernetKey, parseFernetKey } from './fernet.js';

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

  it('keeps exactly the token\'s IV and ciphertext, frozen', () => {
    const key = newKey();
    const multi = new MultiFernet([key]);
    const token = encrypt(key, Buffer.from('hello'));
    const data = Buffer.from(token, 'base64url');
    const verified = multi.verify(token);
    expect(verified.iv.equals(data.subarray(9, 25))).toBe(true);
    expect(verified.ciphertext.equals(data.subarray(25, data.length - 32))).toBe(true);
    expect(Object.isFrozen(verified)).toBe(true);
  });
});
