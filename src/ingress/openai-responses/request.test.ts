import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { translateRequest } from './request.js';

function badRequest(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

/** The shape of what Codex sends: developer prompt as a message, namespace and built-in tools, stateless. */
const codexLike = {
  model: 'anthropic/claude-sonnet-4-5',
  input: [
    { type: 'message', role: 'developer', id: 'msg_dev', content: [{ type: 'input_text', text: 'You are Codex.' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'List the files.' }] },
  ],
  tools: [
    { type: 'function', name: 'exec_command', description: 'Run', parameters: { type: 'object', properties: {} }, strict: false },
    { type: 'namespace', name: 'multi_agent_v1', description: 'Agents', tools: [{ type: 'function', name: 'spawn_agent' }] },
    { type: 'web_search' },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  reasoning: { effort: 'medium', summary: 'auto' },
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: 'abc',
  client_metadata: { session: 'x' },
};

describe('translateRequest', () => {
  it('translates a Codex-style request to a streaming chat request with usage', () => {
    const t = translateRequest(codexLike);
    expect(t.stream).toBe(true);
    expect(t.chat).toEqual({
      model: 'anthropic/claude-sonnet-4-5',
      messages: [
        { role: 'developer', content: 'You are Codex.' },
        { role: 'user', content: [{ type: 'text', text: 'List the files.' }] },
      ],
      stream: true,
      stream_options: { include_usage: true },
      tools: [
        {
          type: 'function',
          function: { name: 'exec_command', description: 'Run', parameters: { type: 'object', properties: {} }, strict: false },
        },
        { type: 'function', function: { name: 'multi_agent_v1__spawn_agent' } },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      reasoning_effort: 'medium',
    });
    // Only what was really dropped is named: the built-in tool (not include, cache keys, store: false).
    expect(t.warnings).toEqual(['tools.web_search']);
    expect(t.echo).toMatchObject({
      model: 'anthropic/claude-sonnet-4-5',
      tool_choice: 'auto',
      tools: codexLike.tools,
      parallel_tool_calls: true,
      reasoning: { effort: 'medium', summary: 'auto' },
      text: { format: { type: 'text' } },
      truncation: 'disabled',
      instructions: null,
      max_output_tokens: null,
    });
  });

  it('puts instructions first as a system message and maps sampling and limits', () => {
    const t = translateRequest({
      model: 'groq/llama-3.3-70b-versatile',
      instructions: 'Answer in one word.',
      input: 'Capital of France?',
      max_output_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      user: 'u-1',
    });
    expect(t.stream).toBe(false);
    expect(t.chat).toEqual({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [
        { role: 'system', content: 'Answer in one word.' },
        { role: 'user', content: 'Capital of France?' },
      ],
      max_completion_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      user: 'u-1',
    });
    expect(t.echo).toMatchObject({
      instructions: 'Answer in one word.',
      max_output_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      user: 'u-1',
    });
  });

  it('maps text.format json_schema and json_object to response_format', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const t = translateRequest({
      model: 'gemini/gemini-2.5-flash',
      input: 'x',
      text: { format: { type: 'json_schema', name: 'city', schema, strict: true, description: 'A city' } },
    });
    expect(t.chat.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'city', schema, strict: true, description: 'A city' },
    });
    expect(t.echo.text).toEqual({ format: { type: 'json_schema', name: 'city', schema, strict: true, description: 'A city' } });
    expect(
      translateRequest({ model: 'a/b', input: 'x', text: { format: { type: 'json_object' } } }).chat.response_format,
    ).toEqual({
      type: 'json_object',
    });
    expect(
      translateRequest({ model: 'a/b', input: 'x', text: { format: { type: 'text' } } }).chat.response_format,
    ).toBeUndefined();
  });

  it('refuses previous_response_id (and other stored state) with a 400 that says to send the whole input', () => {
    const error = badRequest(() =>
      translateRequest({ model: 'anthropic/claude-sonnet-4-5', input: 'x', previous_response_id: 'resp_1' }),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe('previous_response_id');
    expect(error.message).toMatch(/whole conversation in input/);
    expect(badRequest(() => translateRequest({ model: 'a/b', input: 'x', conversation: 'conv_1' })).param).toBe('conversation');
    expect(badRequest(() => translateRequest({ model: 'a/b', input: 'x', background: true })).param).toBe('background');
    expect(badRequest(() => translateRequest({ model: 'a/b', prompt: { id: 'pmpt_1' } })).param).toBe('prompt');
  });

  it('treats store as false, and names what it cannot honour in the warnings', () => {
    const t = translateRequest({
      model: 'a/b',
      input: 'x',
      store: true,
      truncation: 'auto',
      text: { verbosity: 'low' },
      top_logprobs: 3,
      max_tool_calls: 2,
      service_tier: 'flex',
    });
    expect(t.warnings.sort()).toEqual([
      'max_tool_calls',
      'service_tier',
      'store',
      'text.verbosity',
      'top_logprobs',
      'truncation',
    ]);
    expect(t.chat).toEqual({ model: 'a/b', messages: [{ role: 'user', content: 'x' }] });
  });

  it('refuses malformed fields with the field named', () => {
    expect(badRequest(() => translateRequest([])).status).toBe(400);
    expect(badRequest(() => translateRequest({ input: 'x' })).param).toBe('model');
    expect(badRequest(() => translateRequest({ model: 'a/b' })).param).toBe('input');
    expect(badRequest(() => translateRequest({ model: 'a/b', input: [] })).param).toBe('input');
    expect(badRequest(() => translateRequest({ model: 'a/b', input: 'x', max_output_tokens: 0 })).param).toBe(
      'max_output_tokens',
    );
    expect(badRequest(() => translateRequest({ model: 'a/b', input: 'x', temperature: 3 })).param).toBe('temperature');
    expect(badRequest(() => translateRequest({ model: 'a/b', input: 'x', stream: 'yes' })).param).toBe('stream');
    expect(badRequest(() => translateRequest({ model: 'a/b', input: 'x', text: { format: { type: 'yaml' } } })).param).toBe(
      'text.format.type',
    );
    expect(
      badRequest(() => translateRequest({ model: 'a/b', input: 'x', text: { format: { type: 'json_schema', name: 'n' } } }))
        .param,
    ).toBe('text.format.schema');
  });
});
