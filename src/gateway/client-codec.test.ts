import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import type { ChatCompletionChunk } from '../openai/types.js';
import { EncodedChunk } from '../providers/provider.js';
import { chunkTextBytes, openAIChunks } from './client-codec.js';

const chunk: ChatCompletionChunk = {
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'openai/m',
  choices: [
    { index: 0, delta: { content: 'héllo', tool_calls: [{ index: 0, function: { arguments: '{}' } }] }, finish_reason: null },
  ],
};

describe('openAIChunks', () => {
  it('frames chunk objects and pre-encoded chunks as data lines, ends with [DONE], errors as OpenAI errors', () => {
    const encoder = openAIChunks();
    expect(encoder.acceptsEncoded).toBe(true);
    expect(encoder.encode([chunk, new EncodedChunk('{"id":"c2"}', 0)])).toBe(
      `data: ${JSON.stringify(chunk)}\n\ndata: {"id":"c2"}\n\n`,
    );
    expect(encoder.done(undefined)).toBe('data: [DONE]\n\n');
    expect(encoder.error(new GatewayError({ status: 502, message: 'Lost.', code: 'upstream_error' }))).toBe(
      'data: {"error":{"message":"Lost.","type":"server_error","code":"upstream_error","param":null}}\n\n',
    );
    expect(encoder.keepAlive).toBe(': keep-alive\n\n');
  });
});

describe('chunkTextBytes', () => {
  it('counts UTF-8 bytes of content and tool arguments, or what a pre-encoded chunk says', () => {
    expect(chunkTextBytes(chunk)).toBe(6 + 2);
    expect(chunkTextBytes(new EncodedChunk('{}', 42))).toBe(42);
  });
});
