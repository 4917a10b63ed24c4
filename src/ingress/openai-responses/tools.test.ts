import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { translateTools } from './tools.js';

const weather = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};

const multiAgent = {
  type: 'namespace',
  name: 'multi_agent_v1',
  description: 'Sub-agents',
  tools: [
    { type: 'function', name: 'spawn_agent', description: 'Start one', parameters: { type: 'object', properties: {} } },
    { type: 'function', name: 'wait_agent', parameters: { type: 'object', properties: {} } },
  ],
};

function badRequest(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('translateTools', () => {
  it('maps function tools to chat function tools with their schema, description and strict flag', () => {
    const result = translateTools([weather], 'auto');
    expect(result.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: weather.parameters,
          strict: true,
        },
      },
    ]);
    expect(result.toolChoice).toBe('auto');
    expect(result.warnings).toEqual([]);
    expect(result.names.get('get_weather')).toEqual({ name: 'get_weather', namespace: undefined });
  });

  it('flattens a namespace into its functions and remembers the declared names', () => {
    const result = translateTools([weather, multiAgent], undefined);
    expect(result.tools?.map((tool) => tool.function.name)).toEqual([
      'get_weather',
      'multi_agent_v1__spawn_agent',
      'multi_agent_v1__wait_agent',
    ]);
    expect(result.tools?.[1]?.function.description).toBe('Start one');
    expect(result.names.get('multi_agent_v1__spawn_agent')).toEqual({ name: 'spawn_agent', namespace: 'multi_agent_v1' });
  });

  it('gives a namespaced function a short hashed name when the plain one is too long or taken, the same every time', () => {
    const longNamespace = 'n'.repeat(40);
    const tools = [
      { type: 'function', name: 'ns__f' },
      { type: 'namespace', name: 'ns', tools: [{ type: 'function', name: 'f' }] },
      { type: 'namespace', name: longNamespace, tools: [{ type: 'function', name: 'g'.repeat(30) }] },
    ];
    const first = translateTools(tools, undefined);
    const names = first.tools?.map((tool) => tool.function.name) ?? [];
    expect(names[0]).toBe('ns__f');
    expect(names[1]).toMatch(/^ns__f_[0-9a-f]{10}$/);
    expect(names[2]?.length).toBeLessThanOrEqual(64);
    expect(names[2]).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(first.names.get(names[1] ?? '')).toEqual({ name: 'f', namespace: 'ns' });
    expect(translateTools(tools, undefined).tools?.map((tool) => tool.function.name)).toEqual(names);
  });

  it('drops built-in tools and names them in the warnings', () => {
    const result = translateTools([weather, { type: 'web_search' }, { type: 'file_search', vector_store_ids: ['vs_1'] }], 'auto');
    expect(result.tools?.map((tool) => tool.function.name)).toEqual(['get_weather']);
    expect(result.warnings).toEqual(['tools.web_search', 'tools.file_search']);
  });

  it('drops custom tools inside a namespace with a warning', () => {
    const result = translateTools(
      [
        {
          type: 'namespace',
          name: 'ns',
          tools: [
            { type: 'custom', name: 'c' },
            { type: 'function', name: 'f' },
          ],
        },
      ],
      undefined,
    );
    expect(result.tools?.map((tool) => tool.function.name)).toEqual(['ns__f']);
    expect(result.warnings).toEqual(['tools.namespace.custom']);
  });

  it('sends no tools and no tool_choice when every tool was a dropped built-in', () => {
    const result = translateTools([{ type: 'web_search' }], 'auto');
    expect(result.tools).toBeUndefined();
    expect(result.toolChoice).toBeUndefined();
  });

  it('maps a forced function choice, also one inside a namespace', () => {
    expect(translateTools([weather], { type: 'function', name: 'get_weather' }).toolChoice).toEqual({
      type: 'function',
      function: { name: 'get_weather' },
    });
    expect(translateTools([multiAgent], { type: 'function', name: 'spawn_agent' }).toolChoice).toEqual({
      type: 'function',
      function: { name: 'multi_agent_v1__spawn_agent' },
    });
  });

  it('refuses a tool_choice that forces a built-in tool, or required with only built-ins', () => {
    const forced = badRequest(() => translateTools([weather, { type: 'web_search' }], { type: 'web_search_preview' }));
    expect(forced.status).toBe(400);
    expect(forced.param).toBe('tool_choice');
    expect(forced.message).toMatch(/web_search_preview/);
    expect(badRequest(() => translateTools([{ type: 'web_search' }], 'required')).message).toMatch(/web_search/);
  });

  it('refuses a forced function that is not declared', () => {
    expect(badRequest(() => translateTools([weather], { type: 'function', name: 'nope' })).message).toMatch(
      /not among the tools/,
    );
  });

  it('cuts the tools down to allowed_tools and uses its mode', () => {
    const result = translateTools([weather, multiAgent, { type: 'web_search' }], {
      type: 'allowed_tools',
      mode: 'required',
      tools: [{ type: 'function', name: 'wait_agent' }, { type: 'web_search' }],
    });
    expect(result.tools?.map((tool) => tool.function.name)).toEqual(['multi_agent_v1__wait_agent']);
    expect(result.toolChoice).toBe('required');
    expect(
      badRequest(() =>
        translateTools([weather, { type: 'web_search' }], {
          type: 'allowed_tools',
          mode: 'required',
          tools: [{ type: 'web_search' }],
        }),
      ).param,
    ).toBe('tool_choice');
  });

  it('refuses malformed tools with the offending field', () => {
    expect(badRequest(() => translateTools({}, undefined)).param).toBe('tools');
    expect(badRequest(() => translateTools([{ type: 'function', name: 'bad name' }], undefined)).param).toBe('tools[0].name');
    expect(badRequest(() => translateTools([weather, weather], undefined)).message).toMatch(/declared twice/);
    expect(badRequest(() => translateTools([{ type: 'function', name: 'f', parameters: 'x' }], undefined)).param).toBe(
      'tools[0]',
    );
    expect(badRequest(() => translateTools([weather], 'sometimes')).param).toBe('tool_choice');
  });
});
