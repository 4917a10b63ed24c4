import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

describe('newId', () => {
  it('makes ids in OpenAI’s prefix_hex form that do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId('fc')));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^fc_[0-9a-f]{32}$/);
    expect(newId('resp')).toMatch(/^resp_[0-9a-f]{32}$/);
  });
});
