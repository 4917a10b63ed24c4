import { describe, expect, it } from 'vitest';
import { SCRUBBED, scrubSecret } from './scrub-secret.js';

const KEY = 'sk-canary-1234567890abcdefXYZ';

describe('scrubSecret()', () => {
  it('removes the whole key', () => {
    expect(scrubSecret(`Incorrect API key provided: ${KEY}.`, KEY)).toBe(`Incorrect API key provided: ${SCRUBBED}.`);
  });

  it('removes masked fragments of the key', () => {
    const out = scrubSecret('Incorrect API key provided: sk-canary-12***XYZ.', KEY);
    expect(out).not.toContain('sk-canary');
    expect(out).toContain('Incorrect API key provided');
  });

  it('removes every occurrence, also inside JSON', () => {
    const body = JSON.stringify({ error: { message: `bad ${KEY}`, key: KEY.slice(3, 20) } });
    const out = scrubSecret(body, KEY);
    for (let i = 0; i + 5 <= KEY.length; i++) expect(out).not.toContain(KEY.slice(i, i + 5));
  });

  it('leaves text without key material alone', () => {
    expect(scrubSecret('Rate limit reached for requests', KEY)).toBe('Rate limit reached for requests');
  });

  it('does nothing for an empty key', () => {
    expect(scrubSecret('anything at all', '')).toBe('anything at all');
  });
});
