import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { toChatMessages } from './content.js';
import type { MessagesRequest, RequestMessage } from './wire.js';

function convert(messages: RequestMessage[], system?: MessagesRequest['system']): { messages: unknown[]; warnings: string[] } {
  const warnings = new Set<string>();
  const request: MessagesRequest = { model: 'openai/m', max_tokens: 10, messages, ...(system === undefined ? {} : { system }) };
  return { messages: toChatMessages(request, warnings), warnings: [...warnings] };
}

const PNG = 'iVBORw0KGgo=';

describe('toChatMessages', () => {
  it('puts the top-level system prompt first and keeps system messages where they are', () => {
    expect(
      convert(
        [
          { role: 'user', content: 'A' },
          { role: 'system', content: [{ type: 'text', text: 'B' }] },
        ],
        [
          { type: 'text', text: 'one', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'two' },
        ],
      ).messages,
    ).toEqual([
      { role: 'system', content: 'one\n\ntwo' },
      { role: 'user', content: 'A' },
      { role: 'system', content: 'B' },
    ]);
  });

  it('joins text-only content into a string and keeps parts when there is an image', () => {
    const { messages } = convert([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'see' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
        ],
      },
    ]);
    expect(messages).toEqual([
      { role: 'user', content: 'a\n\nb' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'see' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        ],
      },
    ]);
  });

  it('turns tool results into tool messages first, then the rest of the turn, and flags errors', () => {
    const { messages } = convert([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Calling.' },
          { type: 'tool_use', id: 't1', name: 'read', input: { path: 'a' } },
          { type: 'tool_use', id: 't2', name: 'read', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Here you go.' },
          { type: 'tool_result', tool_use_id: 't1', content: 'file a' },
          { type: 'tool_result', tool_use_id: 't2', is_error: true, content: [{ type: 'text', text: 'no such file' }] },
        ],
      },
    ]);
    expect(messages).toEqual([
      {
        role: 'assistant',
        content: 'Calling.',
        tool_calls: [
          { id: 't1', type: 'function', function: { name: 'read', arguments: '{"path":"a"}' } },
          { id: 't2', type: 'function', function: { name: 'read', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 't1', content: 'file a' },
      { role: 'tool', tool_call_id: 't2', content: 'Error: no such file' },
      { role: 'user', content: 'Here you go.' },
    ]);
  });

  it('moves images a tool returned into a user message after the tool message, and names tool references', () => {
    const { messages } = convert([
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'shot', input: {} }] },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 't1',
            content: [
              { type: 'tool_reference', tool_name: 'WebFetch' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            ],
          },
        ],
      },
    ]);
    expect(messages.slice(1)).toEqual([
      { role: 'tool', tool_call_id: 't1', content: 'Tool available: WebFetch' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
    ]);
  });

  it('moves a system message that sits between tool calls and their results after the results', () => {
    const { messages } = convert([
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'read', input: {} }] },
      { role: 'system', content: 'Reminder.' },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't1', content: 'ok' },
          { type: 'text', text: 'Go on.' },
        ],
      },
    ]);
    expect(messages.slice(1)).toEqual([
      { role: 'tool', tool_call_id: 't1', content: 'ok' },
      { role: 'system', content: 'Reminder.' },
      { role: 'user', content: 'Go on.' },
    ]);
  });

  it('translates documents: PDF as a file part, text with its title, content sources as their blocks', () => {
    const { messages } = convert([
      {
        role: 'user',
        content: [
          { type: 'document', title: 'spec.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
          {
            type: 'document',
            title: 'Notes',
            source: { type: 'text', media_type: 'text/plain', data: 'Line.' },
            citations: { enabled: true },
          },
          { type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'Inner.' }] } },
          { type: 'search_result', title: 'Result', source: 'https://example.com', content: [{ type: 'text', text: 'Found.' }] },
        ],
      },
    ]);
    expect(messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'spec.pdf' } },
          { type: 'text', text: 'Notes\n\nLine.' },
          { type: 'text', text: 'Inner.' },
          { type: 'text', text: 'Result\nhttps://example.com\nFound.' },
        ],
      },
    ]);
  });

  it('drops thinking silently and server-tool blocks with a warning; a turn of only thinking disappears', () => {
    const { messages, warnings } = convert([
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }] },
      {
        role: 'assistant',
        content: [
          { type: 'redacted_thinking', data: 'xyz' },
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
          { type: 'text', text: 'A' },
        ],
      },
    ]);
    expect(messages).toEqual([
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: 'A' },
    ]);
    expect(warnings).toEqual(['messages.content.server_tool_use', 'messages.content.web_search_tool_result']);
  });

  it('refuses what cannot be translated, naming the block', () => {
    const error = (messages: RequestMessage[], system?: MessagesRequest['system']): GatewayError => {
      try {
        convert(messages, system);
      } catch (err) {
        if (err instanceof GatewayError) return err;
      }
      throw new Error('expected a GatewayError');
    };
    expect(error([{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' } }] }]).param).toBe(
      'messages.0.content.0.source.type',
    );
    expect(
      error([{ role: 'user', content: [{ type: 'document', source: { type: 'url', url: 'https://x/a.pdf' } }] }]).message,
    ).toMatch(/fetches no URLs/);
    expect(error([{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'n', input: {} }] }]).status).toBe(400);
    expect(error([{ role: 'user', content: 'x' }], [{ type: 'image', source: {} }]).param).toBe('system.0.type');
    expect(error([{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'n', input: [1] }] }]).param).toBe(
      'messages.0.content.0.input',
    );
  });
});
