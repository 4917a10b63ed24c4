import { describe, expect, it } from 'vitest';
import { toChatTools } from './tools.js';
import type { MessagesRequest } from './wire.js';

function tools(extra: Partial<MessagesRequest>): { result: ReturnType<typeof toChatTools>; warnings: string[] } {
  const warnings = new Set<string>();
  const result = toChatTools({ model: 'openai/m', max_tokens: 1, messages: [], ...extra }, warnings);
  return { result, warnings: [...warnings] };
}

const read = {
  name: 'Read',
  description: 'Reads a file',
  input_schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { path: { type: 'string' } },
  },
  cache_control: { type: 'ephemeral' },
};

describe('toChatTools', () => {
  it('turns client tools into functions without $schema, leaving the client’s schema untouched', () => {
    const { result, warnings } = tools({
      tools: [read, { name: 'Later', input_schema: { type: 'object' }, defer_loading: true, type: 'custom', strict: true }],
    });
    expect(result.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'Read',
          description: 'Reads a file',
          parameters: { type: 'object', properties: { path: { type: 'string' } } },
        },
      },
      { type: 'function', function: { name: 'Later', parameters: { type: 'object' }, strict: true } },
    ]);
    expect(read.input_schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(warnings).toEqual([]);
  });

  it('maps tool_choice auto / any / tool / none, and disable_parallel_tool_use', () => {
    const choice = (tool_choice: Record<string, unknown>) => tools({ tools: [read], tool_choice: tool_choice as never }).result;
    expect(choice({ type: 'auto' })).toMatchObject({ tool_choice: 'auto', parallel_tool_calls: undefined });
    expect(choice({ type: 'any', disable_parallel_tool_use: true })).toMatchObject({
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
    expect(choice({ type: 'tool', name: 'Read' })).toMatchObject({
      tool_choice: { type: 'function', function: { name: 'Read' } },
    });
    expect(choice({ type: 'none', disable_parallel_tool_use: true })).toMatchObject({
      tool_choice: 'none',
      parallel_tool_calls: undefined,
    });
  });

  it('drops server tools by type, and sends no choice when no tool is left', () => {
    const { result, warnings } = tools({
      tools: [
        { type: 'web_search_20250305', name: 'web_search' },
        { type: 'bash_20250124', name: 'bash' },
      ],
      tool_choice: { type: 'any' },
    });
    expect(result).toEqual({ tools: undefined, tool_choice: undefined, parallel_tool_calls: undefined });
    expect(warnings).toEqual(['tools.web_search_20250305', 'tools.bash_20250124']);
  });
});
