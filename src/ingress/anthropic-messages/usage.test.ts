import { describe, expect, it } from 'vitest';
import { MEDIA_TOKENS_ESTIMATE, estimateInputTokens, toMessageUsage } from './usage.js';

describe('toMessageUsage', () => {
  it('reports cached tokens apart from the uncached input', () => {
    expect(toMessageUsage({ promptTokens: 120, completionTokens: 7, cachedTokens: 100 })).toEqual({
      input_tokens: 20,
      output_tokens: 7,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 100,
    });
    // A host that reports more cached than prompt tokens never yields a negative input.
    expect(toMessageUsage({ promptTokens: 5, completionTokens: 1, cachedTokens: 9 }).input_tokens).toBe(0);
  });
});

describe('estimateInputTokens', () => {
  it('counts text at four bytes a token, a little per message, and a fixed allowance per image', () => {
    const text = estimateInputTokens({ messages: [{ role: 'user', content: 'x'.repeat(400) }] });
    expect(text).toBe(100 + 4);
    const withImage = estimateInputTokens({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'x'.repeat(400) },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(100_000) } },
          ],
        },
      ],
    });
    expect(withImage).toBe(text + MEDIA_TOKENS_ESTIMATE);
  });

  it('counts the system prompt, tool calls as JSON and tool definitions, but not block types or cache hints', () => {
    const base = estimateInputTokens({ messages: [{ role: 'user', content: 'Hi' }] });
    expect(estimateInputTokens({ system: 'y'.repeat(40), messages: [{ role: 'user', content: 'Hi' }] })).toBe(base + 10);
    const call = estimateInputTokens({
      messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'read', input: { path: '/a/b' } }] }],
    });
    // 'read' + '{"path":"/a/b"}' = 19 bytes → 5 tokens, + 4 for the message.
    expect(call).toBe(9);
    const cached = estimateInputTokens({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] }],
    });
    expect(cached).toBe(base);
    expect(
      estimateInputTokens({ messages: [{ role: 'user', content: 'Hi' }], tools: [{ type: 'custom', name: 'a' }] }),
    ).toBeGreaterThan(base);
  });
});
