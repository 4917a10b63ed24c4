import { describe, expect, it } from 'vitest';
import { responsesCodec } from './codec.js';
import { translateRequest } from './request.js';

describe('responsesCodec', () => {
  const t = translateRequest({ model: 'groq/llama-3.3-70b-versatile', input: 'Hi', stream: true });
  const codec = responsesCodec(t.echo, t.names);

  it('writes a complete answer as a response object', () => {
    const body = JSON.parse(
      codec.completion({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'groq/llama-3.3-70b-versatile',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
      }),
    ) as Record<string, unknown>;
    expect(body).toMatchObject({ object: 'response', status: 'completed', model: 'groq/llama-3.3-70b-versatile' });
  });

  it('gives every stream its own encoder, taking chunk objects', () => {
    const first = codec.createStream();
    const second = codec.createStream();
    expect(first).not.toBe(second);
    expect(first.acceptsEncoded).toBe(false);
    expect(first.encode([])).toContain('event: response.created');
  });
});
