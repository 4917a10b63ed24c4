import { describe, expect, it } from 'vitest';
import type { ChatCompletion } from '../../openai/types.js';
import { translateRequest } from './request.js';
import { toResponse } from './response.js';

function completion(
  message: ChatCompletion['choices'][number]['message'],
  finish: ChatCompletion['choices'][number]['finish_reason'],
): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1767225600,
    model: 'anthropic/claude-sonnet-4-5',
    choices: [{ index: 0, message, finish_reason: finish }],
    usage: {
      prompt_tokens: 100,
      completion_tokens: 20,
      total_tokens: 120,
      prompt_tokens_details: { cached_tokens: 60 },
      completion_tokens_details: { reasoning_tokens: 5 },
    },
  };
}

const request = translateRequest({
  model: 'anthropic/claude-sonnet-4-5',
  instructions: 'Be brief.',
  input: 'Weather?',
  tools: [
    { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } },
    { type: 'namespace', name: 'multi_agent_v1', description: 'd', tools: [{ type: 'function', name: 'spawn_agent' }] },
  ],
  max_output_tokens: 300,
});

describe('toResponse', () => {
  it('makes a completed response with a message item, the echoed settings and usage details', () => {
    const response = toResponse(completion({ role: 'assistant', content: 'Sunny.' }, 'stop'), request.echo, request.names);
    expect(response.id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(response).toMatchObject({
      object: 'response',
      created_at: 1767225600,
      status: 'completed',
      error: null,
      incomplete_details: null,
      instructions: 'Be brief.',
      max_output_tokens: 300,
      model: 'anthropic/claude-sonnet-4-5',
      store: false,
      previous_response_id: null,
      output: [
        {
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Sunny.', annotations: [], logprobs: [] }],
        },
      ],
      usage: {
        input_tokens: 100,
        input_tokens_details: { cached_tokens: 60 },
        output_tokens: 20,
        output_tokens_details: { reasoning_tokens: 5 },
        total_tokens: 120,
      },
    });
    expect(response.output[0]?.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(response.tools).toHaveLength(2);
    expect(typeof response.completed_at).toBe('number');
  });

  it('makes one function_call item per tool call, each with its own id, the call id, and the declared name and namespace', () => {
    const response = toResponse(
      completion(
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'multi_agent_v1__spawn_agent', arguments: '{}' } },
          ],
        },
        'tool_calls',
      ),
      request.echo,
      request.names,
    );
    expect(response.status).toBe('completed');
    const [message, first, second] = response.output;
    expect(message?.type).toBe('message');
    expect(first).toMatchObject({
      type: 'function_call',
      status: 'completed',
      call_id: 'toolu_1',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    });
    expect(first).not.toHaveProperty('namespace');
    expect(second).toMatchObject({
      type: 'function_call',
      call_id: 'toolu_2',
      name: 'spawn_agent',
      namespace: 'multi_agent_v1',
      arguments: '{}',
    });
    expect(first?.id).toMatch(/^fc_/);
    expect(new Set(response.output.map((item) => item.id)).size).toBe(3);
  });

  it('reports a completion cut by the token limit as incomplete, with the reason', () => {
    const response = toResponse(
      completion({ role: 'assistant', content: 'The weather in Par' }, 'length'),
      request.echo,
      request.names,
    );
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
    expect(response.completed_at).toBeUndefined();
  });

  it('puts reasoning text first as a reasoning item with a summary, and a refusal as a refusal part', () => {
    const response = toResponse(
      completion(
        { role: 'assistant', content: null, refusal: 'I cannot help with that.', reasoning_content: 'The user asks…' },
        'stop',
      ),
      request.echo,
      request.names,
    );
    expect(response.output).toMatchObject([
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'The user asks…' }] },
      { type: 'message', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] },
    ]);
    expect(response.output[0]?.id).toMatch(/^rs_/);
  });
});
