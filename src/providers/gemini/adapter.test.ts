import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from '../../openai/types.js';
import { eventsOf, jsonOf, recordingsIn } from '../../../test/helpers/recording.js';
import { geminiAdapter } from './adapter.js';
import { pushAll } from '../../../test/helpers/stream-chunks.js';

const recorded = recordingsIn(new URL('./__fixtures__/', import.meta.url));

const credentials = { baseUrl: 'https://generativelanguage.googleapis.com', apiKey: 'AIzaTestKey123' };

describe('geminiAdapter', () => {
  it('geminiAdapter.chat() round-trips tool calls: the returned ids name the function on replay', () => {
    const base: ChatCompletionRequest = {
      model: 'gemini/gemini-2.5-flash',
      messages: [{ role: 'user', content: 'Weather in Paris and Lyon?' }],
    };
    const input = {
      upstreamModel: 'gemini-2.5-flash',
      publicModel: 'gemini/gemini-2.5-flash',
      stream: false,
      includeUsage: false,
      maxOutputTokens: undefined,
    };
    const first = geminiAdapter.chat({ ...input, request: base }, credentials);
    const message = first.parseResponse(jsonOf(recorded('tool-calls.response.http'))).choices[0]?.message;
    const calls = message?.tool_calls ?? [];

    // The client appends the assistant message as it got it, then answers each call by id.
    const replay: ChatCompletionRequest = {
      ...base,
      messages: [
        ...base.messages,
        { ...message, role: 'assistant' },
        ...calls.map((call, i) => ({ role: 'tool' as const, tool_call_id: call.id, content: `{"result":${i}}` })),
      ],
    };
    const second = geminiAdapter.chat({ ...input, request: replay }, credentials);
    expect(JSON.parse(second.call.body ?? '').contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Lyon?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Checking both cities.' },
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CtQBAdHtim9kR2yWq0Zs' },
          { functionCall: { name: 'get_weather', args: { city: 'Lyon' } } },
          { functionCall: { name: 'get_time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { result: 0 } } },
          { functionResponse: { name: 'get_weather', response: { result: 1 } } },
          { functionResponse: { name: 'get_time', response: { result: 2 } } },
        ],
      },
    ]);
  });

  it('geminiAdapter.chat() gives each stream its own transform with the public model', () => {
    const translation = geminiAdapter.chat(
      {
        request: { model: 'gemini/gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }], stream: true },
        upstreamModel: 'gemini-2.5-flash',
        publicModel: 'gemini/gemini-2.5-flash',
        stream: true,
        includeUsage: true,
        maxOutputTokens: undefined,
      },
      credentials,
    );
    const stream = translation.createStream(true);
    const chunks = pushAll(stream, eventsOf(recorded('text.stream.http')));
    chunks.push(...stream.end());
    expect(chunks.map((c) => c.model)).toEqual(Array<string>(chunks.length).fill('gemini/gemini-2.5-flash'));
    expect(chunks.at(-1)?.usage?.total_tokens).toBe(289);
    expect(translation.createStream(true)).not.toBe(stream);
  });

  it('geminiAdapter exposes embeddings, model listing and error mapping', () => {
    expect(geminiAdapter.embeddings).toBeTypeOf('function');
    expect(geminiAdapter.listModels(credentials).call.method).toBe('GET');
    expect(
      geminiAdapter.mapError({ status: 503, body: '{"error":{"code":503,"status":"UNAVAILABLE","message":"x"}}', headers: {} })
        .status,
    ).toBe(503);
  });
});
