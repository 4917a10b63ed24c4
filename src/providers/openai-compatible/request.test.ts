import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from '../../openai/types.js';
import type { ChatCallInput } from '../provider.js';
import { buildChatCall, upstreamHeaders, upstreamUrl } from './request.js';

function input(request: Partial<ChatCompletionRequest>, stream = false): ChatCallInput {
  return {
    request: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...request },
    upstreamModel: 'gpt-4o-mini',
    publicModel: 'openai/gpt-4o-mini',
    stream,
    includeUsage: false,
    maxOutputTokens: undefined,
  };
}

const credentials = { baseUrl: 'https://api.openai.com/v1/', apiKey: 'sk-test' };

describe('upstreamUrl', () => {
  it('upstreamUrl() appends the path to the SDK-style base, trailing slashes removed', () => {
    expect(upstreamUrl('https://api.openai.com/v1', '/chat/completions')).toBe('https://api.openai.com/v1/chat/completions');
    expect(upstreamUrl('http://localhost:11434/v1//', '/models')).toBe('http://localhost:11434/v1/models');
    expect(upstreamUrl('https://api.fireworks.ai/inference/v1', '/embeddings')).toBe(
      'https://api.fireworks.ai/inference/v1/embeddings',
    );
  });
});

describe('upstreamHeaders', () => {
  it('upstreamHeaders() omits authorization for an empty key', () => {
    expect(upstreamHeaders('', 'application/json', true)).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
    });
    expect(upstreamHeaders('k', 'application/json', false)).toEqual({ accept: 'application/json', authorization: 'Bearer k' });
  });
});

describe('buildChatCall', () => {
  it('buildChatCall() posts the client request with the upstream model', () => {
    const { call, warnings } = buildChatCall('openai', input({ temperature: 0.5, metadata: { a: '1' } }), credentials);
    expect(call).toEqual({
      method: 'POST',
      url: 'https://api.openai.com/v1/chat/completions',
      headers: { accept: 'application/json', 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        temperature: 0.5,
        metadata: { a: '1' },
      }),
    });
    expect(warnings).toEqual([]);
  });

  it('buildChatCall() edits the client’s own text when it has it, to the same upstream body', () => {
    const cases: Array<[Partial<ChatCompletionRequest>, boolean]> = [
      [{ temperature: 0.5 }, false],
      [{ stream: false, stream_options: { include_usage: true } }, false],
      [{ stream: true }, true],
      [{ stream: true, stream_options: { include_usage: false, include_obfuscation: false } }, true],
    ];
    for (const [request, stream] of cases) {
      const plain = input(request, stream);
      // As a client writes it: its own layout, the public model.
      const requestText = JSON.stringify(plain.request, null, 1);
      const serialised = buildChatCall('openai', plain, credentials).call.body ?? '';
      const edited = buildChatCall('openai', { ...plain, requestText }, credentials).call.body ?? '';
      expect(JSON.parse(edited)).toStrictEqual(JSON.parse(serialised));
      // Not serialised again: the client's layout is still there.
      expect(edited).toContain('"messages": [');
    }
  });

  it('buildChatCall() serialises the request when a quirk changed it, or its text has a key twice', () => {
    // Groq's quirks that find nothing to change leave the request the client's: its text is edited.
    const plainGroq = input({ temperature: 0.5 });
    const plainText = JSON.stringify(plainGroq.request, null, 1);
    expect(buildChatCall('groq', { ...plainGroq, requestText: plainText }, credentials).call.body).toContain('"messages": [');
    // Groq refuses `logprobs`: the quirk drops it, so the text is not what goes upstream.
    const changed = input({ logprobs: true, temperature: 0.5 });
    const requestText = JSON.stringify(changed.request, null, 1);
    const quirked = buildChatCall('groq', { ...changed, requestText }, credentials);
    expect(quirked.call.body).toBe(buildChatCall('groq', changed, credentials).call.body);
    // A second `model` in the text (JSON.parse kept the last) never reaches the upstream.
    const twice = input({});
    const body = buildChatCall(
      'openai',
      { ...twice, requestText: `{"model":"openai/o3-pro",${JSON.stringify(twice.request).slice(1)}` },
      credentials,
    ).call.body;
    expect(body).toBe(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
  });

  it('buildChatCall() removes stream and stream_options when not streaming', () => {
    const { call } = buildChatCall('openai', input({ stream: false, stream_options: { include_usage: true } }), credentials);
    expect(JSON.parse(call.body ?? '')).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  });

  it("buildChatCall() always asks a stream for usage, keeping the client's other stream options", () => {
    const { call } = buildChatCall(
      'openai',
      input({ stream: true, stream_options: { include_usage: false, include_obfuscation: false } }, true),
      credentials,
    );
    expect(call.headers.accept).toBe('text/event-stream');
    expect(JSON.parse(call.body ?? '')).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true, include_obfuscation: false },
    });
  });

  it('buildChatCall() adds stream_options when the client sent none', () => {
    const { call } = buildChatCall('groq', input({ stream: true }, true), credentials);
    expect(JSON.parse(call.body ?? '')).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('buildChatCall() does not mutate the client request', () => {
    const request = input({ stream: true, stream_options: { include_usage: false }, seed: 3 }, true);
    const snapshot = structuredClone(request);
    buildChatCall('mistral', request, credentials);
    expect(request).toEqual(snapshot);
  });

  it('buildChatCall() sends no authorization header to a keyless server', () => {
    const { call } = buildChatCall('custom', input({}), { baseUrl: 'http://localhost:11434/v1', apiKey: '' });
    expect(call.url).toBe('http://localhost:11434/v1/chat/completions');
    expect(call.headers).not.toHaveProperty('authorization');
  });
});
