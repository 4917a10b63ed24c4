import { describe, expect, it } from 'vitest';
import type { ChatCallInput } from '../provider.js';
import { eventsOf, jsonOf, recordingsIn } from '../../../test/helpers/recording.js';
import { anthropicAdapter } from './adapter.js';
import { pushAll } from '../../../test/helpers/stream-chunks.js';

const recorded = recordingsIn(new URL('./__fixtures__/', import.meta.url));

const credentials = { baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant-test' };

function input(overrides: Partial<ChatCallInput> = {}): ChatCallInput {
  return {
    request: { model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'Report on Lyon.' }], seed: 1 },
    upstreamModel: 'claude-sonnet-4-5',
    publicModel: 'anthropic/claude-sonnet-4-5',
    stream: false,
    includeUsage: false,
    maxOutputTokens: 64000,
    ...overrides,
  };
}

describe('anthropicAdapter', () => {
  it('anthropicAdapter.chat() returns the call, the warnings and mappers bound to the public model', () => {
    const translation = anthropicAdapter.chat(input(), credentials);
    expect(translation.call.url).toBe('https://api.anthropic.com/v1/messages');
    expect(translation.warnings).toEqual(['seed']);
    const completion = translation.parseResponse(jsonOf(recorded('message-text.http')));
    expect(completion.model).toBe('anthropic/claude-sonnet-4-5');
    expect(completion.choices[0]?.message.content).toBe('Paris is cloudy, 18°C.');
  });

  it('anthropicAdapter.chat() unwraps the response_format tool in both the response and the stream', () => {
    const request = {
      model: 'anthropic/claude-sonnet-4-5',
      messages: [{ role: 'user' as const, content: 'Report on Lyon.' }],
      response_format: {
        type: 'json_schema' as const,
        json_schema: { name: 'city_report', schema: { type: 'object', properties: {} } },
      },
    };
    const translation = anthropicAdapter.chat(input({ request, stream: true, includeUsage: true }), credentials);
    expect(translation.parseResponse(jsonOf(recorded('message-answer-tool.http'))).choices[0]?.message.content).toBe(
      '{"city":"Lyon","temp_c":18}',
    );
    const stream = translation.createStream(true);
    const chunks = pushAll(stream, eventsOf(recorded('stream-answer-tool.http')));
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(JSON.parse(content)).toEqual({ city: 'Lyon', temp_c: 18 });
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 95,
      completion_tokens: 24,
      total_tokens: 119,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('anthropicAdapter has no embeddings and maps errors and model lists', () => {
    expect(anthropicAdapter.embeddings).toBeUndefined();
    expect(anthropicAdapter.listModels(credentials).call.url).toBe('https://api.anthropic.com/v1/models?limit=1000');
    expect(anthropicAdapter.mapError({ status: 529, body: '', headers: {} }).status).toBe(503);
  });

  it('anthropicAdapter.nativeCall() sends the body as is, with our key and version over any forwarded header', () => {
    const call = anthropicAdapter.nativeCall?.(
      {
        path: '/v1/messages',
        body: '{"model":"claude-sonnet-4-5"}',
        headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14', 'x-api-key': 'sk-ant-client' },
        stream: true,
      },
      { baseUrl: 'https://anthropic.example/', apiKey: 'sk-ant-test' },
    );
    expect(call).toEqual({
      method: 'POST',
      url: 'https://anthropic.example/v1/messages',
      headers: {
        'anthropic-beta': 'interleaved-thinking-2025-05-14',
        'x-api-key': 'sk-ant-test',
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: '{"model":"claude-sonnet-4-5"}',
    });
  });
});
