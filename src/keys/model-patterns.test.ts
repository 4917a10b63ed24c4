import { describe, expect, it } from 'vitest';
import { allowsAnyModelOf, isModelAllowed } from './model-patterns.js';

describe('allowsAnyModelOf', () => {
  it('is true for an empty list, a star, or any entry under the provider name', () => {
    expect(allowsAnyModelOf([], 'openai')).toBe(true);
    expect(allowsAnyModelOf(['*'], 'openai')).toBe(true);
    expect(allowsAnyModelOf(['anthropic/*', 'openai/gpt-5'], 'openai')).toBe(true);
    expect(allowsAnyModelOf(['openai/gpt-*'], 'openai')).toBe(true);
  });

  it('is false when every entry is another provider’s, including one whose name starts the same', () => {
    expect(allowsAnyModelOf(['anthropic/*'], 'openai')).toBe(false);
    expect(allowsAnyModelOf(['openai-work/*'], 'openai')).toBe(false);
  });

  it('agrees with isModelAllowed on a model of the provider', () => {
    expect(isModelAllowed(['openai/gpt-5'], 'openai/gpt-5')).toBe(allowsAnyModelOf(['openai/gpt-5'], 'openai'));
  });
});
