import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { base64ToFloats, floatsToBase64 } from './embedding-encoding.js';

describe('floatsToBase64', () => {
  it('floatsToBase64() writes little-endian float32 bytes', () => {
    // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0 (little-endian)
    expect(Buffer.from(floatsToBase64([1, -2]), 'base64')).toEqual(Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]));
    expect(floatsToBase64([1, -2])).toBe('AACAPwAAAMA=');
  });

  it('floatsToBase64() encodes an empty vector as an empty string', () => {
    expect(floatsToBase64([])).toBe('');
  });
});

describe('base64ToFloats', () => {
  it('base64ToFloats() decodes what floatsToBase64() wrote, at float32 precision', () => {
    const values = [0.0023, -0.0118, 0.0311, 1e-8, 12345.678];
    expect(base64ToFloats(floatsToBase64(values))).toEqual(values.map((value) => Math.fround(value)));
  });

  it('base64ToFloats() decodes known bytes', () => {
    expect(base64ToFloats('AACAPwAAAMA=')).toEqual([1, -2]);
  });

  it('base64ToFloats() throws a 502 protocol error when the length is not a multiple of 4', () => {
    const error = (() => {
      try {
        base64ToFloats(Buffer.from([1, 2, 3]).toString('base64'));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_error', failure: 'protocol' });
  });
});
