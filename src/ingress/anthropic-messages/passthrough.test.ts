import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { leadingMessages } from '../../gateway/leading-messages.js';
import { loadSseFixture, parseSse } from './__fixtures__/load-fixture.js';
import { anthropicPassthrough } from './passthrough.js';
import { validateMessagesRequest } from './validate-request.js';

const request = validateMessagesRequest({
  max_tokens: 1024,
  model: 'claude-sonnet-4-5',
  system: [{ type: 'text', text: 'Be terse.', cache_control: { type: 'ephemeral' } }],
  messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 'sig==' }] }],
  stream: true,
});

function relay(): ReturnType<ReturnType<typeof anthropicPassthrough>['createStream']> {
  return anthropicPassthrough(request, '/v1/messages', {}).createStream('anthropic/claude-sonnet-4-5');
}

describe('anthropicPassthrough', () => {
  it('sends the client’s body with only the model replaced, in place', () => {
    const native = anthropicPassthrough(request, '/v1/messages', { 'anthropic-beta': 'x-2025' });
    expect(native).toMatchObject({
      path: '/v1/messages',
      stream: true,
      headers: { 'anthropic-beta': 'x-2025' },
      maxOutputTokens: 1024,
    });
    expect(native.body('claude-sonnet-4-5-20250929')).toBe(JSON.stringify({ ...request, model: 'claude-sonnet-4-5-20250929' }));
    expect(Object.keys(JSON.parse(native.body('m')) as object)).toEqual(['max_tokens', 'model', 'system', 'messages', 'stream']);
    expect(request.model).toBe('claude-sonnet-4-5');
  });

  it('bounds the prompt for a capped key, system prompt included', () => {
    const withoutSystem = anthropicPassthrough({ ...request, system: undefined }, '/v1/messages', {});
    const withSystem = anthropicPassthrough(request, '/v1/messages', {});
    expect(withSystem.promptTokensUpperBound()).toBeGreaterThan(withoutSystem.promptTokensUpperBound());
  });

  it('names the conversation for affinity by the system prompt and the first user message, as chat does', () => {
    const terse = [{ type: 'text', text: 'Be terse.', cache_control: { type: 'ephemeral' } }];
    const turn = (messages: unknown[], system: unknown = terse) =>
      anthropicPassthrough(
        validateMessagesRequest({ model: 'claude-sonnet-4-5', max_tokens: 64, messages, ...(system === null ? {} : { system }) }),
        '/v1/messages',
        {},
      );
    const hello = { role: 'user', content: [{ type: 'text', text: 'Hello', cache_control: { type: 'ephemeral' } }] };
    const first = turn([hello]);
    const leading = first.leading?.();
    expect(leading).toBe(
      leadingMessages([
        { role: 'system', content: [{ type: 'text', text: 'Be terse.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
      ]),
    );
    // A later turn: the breakpoint moved to the newest message, the opening is the same.
    const later = turn([
      { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
      { role: 'assistant', content: 'Hi.' },
      { role: 'user', content: [{ type: 'text', text: 'More', cache_control: { type: 'ephemeral' } }] },
    ]);
    expect(later.leading?.()).toBe(leading);
    expect(turn([{ role: 'user', content: 'Goodbye' }]).leading?.()).not.toBe(leading);
    expect(turn([hello], 'Be verbose.').leading?.()).not.toBe(leading);
    // No system prompt: the first user message alone.
    expect(turn([hello], null).leading?.()).toBe(leadingMessages([{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]));
  });

  it('answers a Message with only the model changed and bills its usage', () => {
    const message = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'thinking', thinking: 'x', signature: 'sig' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      container: null,
      usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 3, cache_read_input_tokens: 100 },
    };
    const answer = anthropicPassthrough(request, '/v1/messages', {}).answer(
      structuredClone(message),
      'anthropic/claude-sonnet-4-5',
    );
    expect(JSON.parse(answer.body)).toEqual({ ...message, model: 'anthropic/claude-sonnet-4-5' });
    expect(answer.usage).toEqual({ promptTokens: 113, completionTokens: 5, cachedTokens: 100, cacheWrite5mTokens: 3 });
    expect(() => anthropicPassthrough(request, '/v1/messages', {}).answer({ error: 'nope' }, 'm')).toThrow(GatewayError);
  });

  it('relays every event unchanged but message_start’s model, and reads the running usage', () => {
    const stream = relay();
    const fixture = loadSseFixture('anthropic-thinking.sse');
    let out = '';
    for (const event of fixture) out += stream.push(event);
    expect(stream.complete).toBe(true);
    const relayed = parseSse(out);
    expect(relayed.map((e) => e.event)).toEqual(fixture.map((e) => e.event));
    expect(relayed.slice(1).map((e) => e.data)).toEqual(fixture.slice(1).map((e) => e.data));
    const start = JSON.parse(relayed[0]?.data ?? '') as { message: Record<string, unknown> };
    const original = JSON.parse(fixture[0]?.data ?? '') as { message: Record<string, unknown> };
    expect(start.message).toEqual({ ...original.message, model: 'anthropic/claude-sonnet-4-5' });
    // message_delta reports only output_tokens: the input counts of message_start stand.
    expect(stream.usage()).toEqual({
      promptTokens: 2112,
      completionTokens: 61,
      cachedTokens: 2000,
      cacheWrite5mTokens: 60,
      cacheWrite1hTokens: 40,
    });
    expect(stream.end()).toBe('');
    expect(stream.close()).toBe('');
  });

  it('throws the upstream’s error event, and a stream that ends before message_stop, as retryable failures', () => {
    const errored = relay();
    errored.push(loadSseFixture('anthropic-thinking.sse')[0]!);
    let thrown: unknown;
    try {
      errored.push({
        event: 'error',
        data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
        id: undefined,
      });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ status: 503, message: 'Overloaded', retryable: true });

    const cut = relay();
    cut.push(loadSseFixture('anthropic-thinking.sse')[0]!);
    expect(() => cut.end()).toThrow(/ended before it was complete/);
    expect(() => relay().push({ event: 'message_delta', data: 'not json', id: undefined })).toThrow(/not JSON/);
  });

  it('writes pings and errors as Anthropic events', () => {
    const stream = relay();
    expect(stream.keepAlive).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    expect(stream.error(new GatewayError({ status: 502, message: 'Lost.' }))).toContain('"type":"api_error"');
  });
});
