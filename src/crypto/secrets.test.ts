import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { randomBase62, sha256Hex, timingSafeEqualText } from './secrets.js';

describe('secrets', () => {
  it('timingSafeEqualText() compares fixed-length digests, so unequal lengths neither throw nor short-cut', () => {
    expect(timingSafeEqualText('metrics-secret', 'metrics-secret')).toBe(true);
    expect(timingSafeEqualText('metrics-secret', 'metrics-secreT')).toBe(false);
    expect(timingSafeEqualText('metrics-secret', 'm')).toBe(false);
    expect(timingSafeEqualText('', '')).toBe(true);
    expect(timingSafeEqualText('a'.repeat(10_000), 'a'.repeat(9_999))).toBe(false);
  });

  it('sha256Hex() is the lowercase hex SHA-256 that keys and session tokens are stored as', () => {
    expect(sha256Hex('zai-abc')).toBe(crypto.createHash('sha256').update('zai-abc').digest('hex'));
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('randomBase62() carries the entropy asked for, with no character favoured', () => {
    expect(randomBase62(32)).toMatch(/^[0-9A-Za-z]{43}$/);
    const counts = new Map<string, number>();
    for (const char of randomBase62(48_000)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // A modulo bias (byte % 62 without rejection) would make '0'…'7' come 25 % more often than the rest.
    const mean = (chars: string[]): number => chars.reduce((sum, c) => sum + (counts.get(c) ?? 0), 0) / chars.length;
    const alphabet = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'];
    const ratio = mean(alphabet.slice(0, 8)) / mean(alphabet.slice(8));
    expect(ratio).toBeGreaterThan(0.92);
    expect(ratio).toBeLessThan(1.08);
  });
});
