import { describe, expect, it } from 'vitest';
import { jsonPieces } from './json-pieces.js';

describe('jsonPieces', () => {
  it('joins to exactly what JSON.stringify returns, whatever the members', () => {
    const value = {
      object: 'list',
      model: 'openai/text-embedding-3-small',
      skipped: undefined,
      data: [{ object: 'embedding', index: 0, embedding: [0.1, -2e-7, 3] }, undefined, { text: 'é"\\\n' }],
      usage: { prompt_tokens: 3, total_tokens: 3 },
    };
    expect([...jsonPieces(value, 'data')].join('')).toBe(JSON.stringify(value));
    expect([...jsonPieces({ data: [] }, 'data')].join('')).toBe('{"data":[]}');
    expect([...jsonPieces({ data: 'not an array' }, 'data')].join('')).toBe('{"data":"not an array"}');
  });

  it('cuts a large array into pieces of about 64 KiB, so no piece holds the whole answer', () => {
    const embedding = Array.from({ length: 1536 }, (_, i) => i / 7);
    const value = { object: 'list', data: Array.from({ length: 200 }, (_, index) => ({ index, embedding })) };
    const pieces = [...jsonPieces(value, 'data')];
    const whole = JSON.stringify(value);
    expect(pieces.join('')).toBe(whole);
    expect(pieces.length).toBeGreaterThan(whole.length / (128 * 1024));
    // A piece ends right after the element that took it past 64 KiB.
    for (const piece of pieces) expect(piece.length).toBeLessThan(64 * 1024 + JSON.stringify(value.data[0]).length + 2);
  });
});
