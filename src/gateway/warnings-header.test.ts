import { describe, expect, it } from 'vitest';
import { warningsHeader } from './warnings-header.js';

describe('warningsHeader', () => {
  it('joins parameter names with a comma and a space, each once', () => {
    expect(warningsHeader(['logit_bias', 'messages[].name', 'logit_bias', 'tools.web_search'])).toBe(
      'logit_bias, messages[].name, tools.web_search',
    );
  });

  it('replaces what a header cannot carry (control characters, non-Latin text) and the separators', () => {
    const value = warningsHeader(['x€\u0001y', 'a,b c', '\r\nset-cookie: z=1']);
    expect(value).toBe('x__y, a_b_c, __set-cookie:_z=1');
    expect(value).toMatch(/^[\x20-\x7e]*$/);
  });

  it('cuts long names and leaves out empty ones', () => {
    expect(warningsHeader(['', 'n'.repeat(500)])).toBe('n'.repeat(100));
  });
});
