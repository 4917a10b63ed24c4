import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { inputToMessages } from './input-items.js';
import type { DeclaredFunction } from './types.js';

const noNames = new Map<string, DeclaredFunction>();

function badRequest(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('inputToMessages', () => {
  it('turns a string input into one user message', () => {
    expect(inputToMessages('Hi there', noNames)).toEqual([{ role: 'user', content: 'Hi there' }]);
  });

  it('keeps message roles and maps content parts (text, image, file, audio)', () => {
    const messages = inputToMessages(
      [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Be brief.' }] },
        { role: 'system', content: 'Answer in French.' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' },
            { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'original' },
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' },
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          ],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'A picture.', annotations: [] }] },
      ],
      noNames,
    );
    expect(messages).toEqual([
      { role: 'developer', content: 'Be brief.' },
      { role: 'system', content: 'Answer in French.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
        ],
      },
      { role: 'assistant', content: 'A picture.' },
    ]);
  });

  it('joins an assistant message and the function calls after it into one assistant turn, and outputs into tool messages', () => {
    const messages = inputToMessages(
      [
        { role: 'user', content: 'Weather in Paris and Lyon?' },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA' },
        { type: 'message', role: 'assistant', id: 'msg_1', content: [{ type: 'output_text', text: 'Checking.' }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', id: 'fc_2', call_id: 'call_b', name: 'get_weather', arguments: '{"city":"Lyon"}' },
        { type: 'function_call_output', call_id: 'call_a', output: '18C' },
        { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: '20C' }] },
        { type: 'function_call', call_id: 'call_c', name: 'get_weather', arguments: '{}' },
      ],
      noNames,
    );
    expect(messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Lyon?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: '18C' },
      { role: 'tool', tool_call_id: 'call_b', content: '20C' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_c', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
      },
    ]);
  });

  it('sends images a tool returned after the turn’s tool messages, in one user message', () => {
    const messages = inputToMessages(
      [
        { type: 'function_call', call_id: 'c1', name: 'view_image', arguments: '{}' },
        { type: 'function_call', call_id: 'c2', name: 'ls', arguments: '{}' },
        {
          type: 'function_call_output',
          call_id: 'c1',
          output: [
            { type: 'input_text', text: 'the image' },
            { type: 'input_image', image_url: 'data:image/png;base64,AA==' },
          ],
        },
        { type: 'function_call_output', call_id: 'c2', output: 'a.txt' },
        { role: 'user', content: 'go on' },
      ],
      noNames,
    );
    expect(messages.map((m) => m.role)).toEqual(['assistant', 'tool', 'tool', 'user', 'user']);
    expect(messages[1]).toEqual({ role: 'tool', tool_call_id: 'c1', content: 'the image' });
    expect(messages[3]?.content).toEqual([
      { type: 'text', text: 'Images returned by the tool calls above:' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } },
    ]);
  });

  it('maps a namespaced call in the history to the flattened name the tools got', () => {
    const names = new Map<string, DeclaredFunction>([
      ['multi_agent_v1__spawn_agent', { name: 'spawn_agent', namespace: 'multi_agent_v1' }],
    ]);
    const messages = inputToMessages(
      [{ type: 'function_call', call_id: 'c', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '{}' }],
      names,
    );
    expect(messages[0]?.tool_calls?.[0]?.function.name).toBe('multi_agent_v1__spawn_agent');
  });

  it('refuses items that need state stored at OpenAI, and item types it cannot translate', () => {
    expect(badRequest(() => inputToMessages([{ type: 'item_reference', id: 'msg_1' }], noNames)).message).toMatch(
      /stored at OpenAI/,
    );
    expect(
      badRequest(() => inputToMessages([{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }], noNames)).param,
    ).toBe('input[0].content[0].file_id');
    const other = badRequest(() => inputToMessages([{ type: 'web_search_call', id: 'ws_1' }], noNames));
    expect(other.param).toBe('input[0].type');
    expect(other.message).toMatch(/web_search_call/);
  });

  it('refuses malformed items with the offending field', () => {
    expect(badRequest(() => inputToMessages(42, noNames)).param).toBe('input');
    expect(badRequest(() => inputToMessages([{ role: 'tool', content: 'x' }], noNames)).param).toBe('input[0].role');
    expect(badRequest(() => inputToMessages([{ type: 'function_call', call_id: 'c', name: 'f' }], noNames)).param).toBe(
      'input[0].arguments',
    );
    expect(
      badRequest(() =>
        inputToMessages([{ role: 'assistant', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }], noNames),
      ).param,
    ).toBe('input[0].content');
    expect(badRequest(() => inputToMessages([{ role: 'user', content: [{ type: 'video' }] }], noNames)).param).toBe(
      'input[0].content[0].type',
    );
  });
});
