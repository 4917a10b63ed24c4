import { describe, expect, it } from 'vitest';
import { toThinkingConfig } from './thinking.js';

describe('toThinkingConfig()', () => {
  it('toThinkingConfig() gives Gemini 2.5 a budget and Gemini 3 a level, with thought summaries on', () => {
    expect(toThinkingConfig('low', 'gemini-2.5-flash', undefined)).toEqual({ thinkingBudget: 1024, includeThoughts: true });
    expect(toThinkingConfig('medium', 'gemini-2.5-pro', 65536)).toEqual({ thinkingBudget: 8192, includeThoughts: true });
    expect(toThinkingConfig('high', 'gemini-2.5-flash-lite', undefined)).toEqual({
      thinkingBudget: 24576,
      includeThoughts: true,
    });
    expect(toThinkingConfig('low', 'gemini-3.1-pro-preview', 100)).toEqual({ thinkingLevel: 'low', includeThoughts: true });
    expect(toThinkingConfig('medium', 'gemini-3.8-flash', undefined)).toEqual({ thinkingLevel: 'high', includeThoughts: true });
  });

  it('toThinkingConfig() leaves half of a small output limit to the answer, never going under 512', () => {
    expect(toThinkingConfig('high', 'gemini-2.5-pro', 4000)).toEqual({ thinkingBudget: 2000, includeThoughts: true });
    expect(toThinkingConfig('high', 'gemini-2.5-pro', 300)).toEqual({ thinkingBudget: 512, includeThoughts: true });
  });

  it('toThinkingConfig() has nothing for efforts Gemini cannot match', () => {
    expect(toThinkingConfig('minimal', 'gemini-2.5-flash', undefined)).toBeUndefined();
    expect(toThinkingConfig('xhigh', 'gemini-3.8-flash', undefined)).toBeUndefined();
    expect(toThinkingConfig(3, 'gemini-2.5-flash', undefined)).toBeUndefined();
  });
});
