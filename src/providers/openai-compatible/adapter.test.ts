import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from '../../openai/types.js';
import type { ChatCallInput } from '../provider.js';
import {
  GROQ_EXPECTED_CHUNKS,
  GROQ_REQUEST,
  GROQ_STREAM,
  GROQ_UPSTREAM_BODY,
  GROQ_WARNINGS,
} from './__fixtures__/groq-stream.js';
import {
  MISTRAL_EXPECTED_CHUNKS,
  MISTRAL_EXPECTED_COMPLETION,
  MISTRAL_REQUEST,
  MISTRAL_RESPONSE,
  MISTRAL_STREAM,
  MISTRAL_UPSTREAM_BODY,
  MISTRAL_WARNINGS,
} from './__fixtures__/mistral-tool-call.js';
import { OLLAMA_EXPECTED_CHUNKS, OLLAMA_REQUEST, OLLAMA_STREAM, OLLAMA_UPSTREAM_BODY } from './__fixtures__/ollama-stream.js';
import { replayStream } from './__fixtures__/replay.js';
import {
  TOGETHER_EXPECTED_CHUNKS,
  TOGETHER_REQUEST,
  TOGETHER_STREAM,
  TOGETHER_UPSTREAM_BODY,
} from './__fixtures__/together-stream.js';
import { createOpenAICompatibleAdapter } from './adapter.js';
import { OPENAI_COMPATIBLE_PROVIDER_IDS } from '../provider.js';

/** The gateway's view of a request: public model `provider/model`, split at the first slash. */
function chatInput(request: ChatCompletionRequest): ChatCallInput {
  const slash = request.model.indexOf('/');
  return {
    request,
    upstreamModel: request.model.slice(slash + 1),
    publicModel: request.model,
    stream: request.stream === true,
    includeUsage: request.stream === true && request.stream_options?.include_usage === true,
    maxOutputTokens: undefined,
  };
}

describe('createOpenAICompatibleAdapter', () => {
  it('createOpenAICompatibleAdapter() round-trips a Groq stream with x_groq usage', () => {
    const translation = createOpenAICompatibleAdapter('groq').chat(chatInput(GROQ_REQUEST), {
      baseUrl: 'https://api.groq.com/openai/v1',
      apiKey: 'gsk_test',
    });
    expect(translation.call.url).toBe('https://api.groq.com/openai/v1/chat/completions');
    expect(translation.call.headers).toEqual({
      accept: 'text/event-stream',
      'content-type': 'application/json',
      authorization: 'Bearer gsk_test',
    });
    expect(JSON.parse(translation.call.body ?? '')).toEqual(GROQ_UPSTREAM_BODY);
    expect(translation.warnings).toEqual(GROQ_WARNINGS);
    expect(replayStream(GROQ_STREAM, translation.createStream(true))).toEqual(GROQ_EXPECTED_CHUNKS);
  });

  it('createOpenAICompatibleAdapter() round-trips Mistral tool-call ids in a completion', () => {
    const translation = createOpenAICompatibleAdapter('mistral').chat(chatInput(MISTRAL_REQUEST), {
      baseUrl: 'https://api.mistral.ai/v1',
      apiKey: 'mistral-key',
    });
    expect(JSON.parse(translation.call.body ?? '')).toEqual(MISTRAL_UPSTREAM_BODY);
    expect(translation.call.headers.accept).toBe('application/json');
    expect(translation.warnings).toEqual(MISTRAL_WARNINGS);
    expect(translation.parseResponse(structuredClone(MISTRAL_RESPONSE))).toEqual(MISTRAL_EXPECTED_COMPLETION);
  });

  it('createOpenAICompatibleAdapter() round-trips Mistral tool-call ids in a stream, without stream_options', () => {
    const request = { ...MISTRAL_REQUEST, stream: true };
    const translation = createOpenAICompatibleAdapter('mistral').chat(chatInput(request), {
      baseUrl: 'https://api.mistral.ai/v1',
      apiKey: 'mistral-key',
    });
    expect(JSON.parse(translation.call.body ?? '')).toEqual({ ...MISTRAL_UPSTREAM_BODY, stream: true });
    expect(replayStream(MISTRAL_STREAM, translation.createStream(true))).toEqual(MISTRAL_EXPECTED_CHUNKS);
  });

  it('createOpenAICompatibleAdapter() round-trips a Together stream ending in eos', () => {
    const translation = createOpenAICompatibleAdapter('together').chat(chatInput(TOGETHER_REQUEST), {
      baseUrl: 'https://api.together.ai/v1',
      apiKey: 'tgp_x',
    });
    expect(JSON.parse(translation.call.body ?? '')).toEqual(TOGETHER_UPSTREAM_BODY);
    expect(translation.warnings).toEqual([]);
    expect(replayStream(TOGETHER_STREAM, translation.createStream(true))).toEqual(TOGETHER_EXPECTED_CHUNKS);
  });

  it('createOpenAICompatibleAdapter() round-trips a keyless Ollama stream with empty finish reasons', () => {
    const translation = createOpenAICompatibleAdapter('custom').chat(chatInput(OLLAMA_REQUEST), {
      baseUrl: 'http://localhost:11434/v1/',
      apiKey: '',
    });
    expect(translation.call.url).toBe('http://localhost:11434/v1/chat/completions');
    expect(translation.call.headers).toEqual({ accept: 'text/event-stream', 'content-type': 'application/json' });
    expect(JSON.parse(translation.call.body ?? '')).toEqual(OLLAMA_UPSTREAM_BODY);
    const transform = translation.createStream(true);
    expect(replayStream(OLLAMA_STREAM, transform)).toEqual(OLLAMA_EXPECTED_CHUNKS);
    expect(transform.usage()).toEqual({ promptTokens: 27, completionTokens: 4, cachedTokens: 0 });
  });

  it('createOpenAICompatibleAdapter() gives each stream its own state', () => {
    const translation = createOpenAICompatibleAdapter('groq').chat(chatInput(GROQ_REQUEST), {
      baseUrl: 'https://h/v1',
      apiKey: 'k',
    });
    expect(replayStream(GROQ_STREAM, translation.createStream(true))).toEqual(
      replayStream(GROQ_STREAM, translation.createStream(true)),
    );
  });

  it('createOpenAICompatibleAdapter() offers embeddings everywhere but on Groq', () => {
    const withEmbeddings = OPENAI_COMPATIBLE_PROVIDER_IDS.filter(
      (id) => createOpenAICompatibleAdapter(id).embeddings !== undefined,
    );
    expect(withEmbeddings).toEqual(['openai', 'mistral', 'together', 'fireworks', 'custom']);
  });

  it('createOpenAICompatibleAdapter() wires model listing and error mapping', () => {
    const adapter = createOpenAICompatibleAdapter('fireworks');
    expect(adapter.listModels({ baseUrl: 'https://api.fireworks.ai/inference/v1', apiKey: 'fw_x' }).call.url).toBe(
      'https://api.fireworks.ai/inference/v1/models',
    );
    expect(adapter.mapError({ status: 500, body: '{"error":{"message":"oops"}}', headers: {} })).toMatchObject({
      status: 502,
      message: 'Upstream returned 500: oops',
    });
  });

  it('createOpenAICompatibleAdapter().nativeCall() sends the body as is to the path under the base URL, with our key', () => {
    const adapter = createOpenAICompatibleAdapter('openai');
    const call = adapter.nativeCall?.(
      { path: '/responses', body: '{"model":"gpt-5.4"}', headers: { authorization: 'Bearer client' }, stream: false },
      { baseUrl: 'https://api.openai.com/v1/', apiKey: 'sk-test' },
    );
    expect(call).toEqual({
      method: 'POST',
      url: 'https://api.openai.com/v1/responses',
      headers: { authorization: 'Bearer sk-test', accept: 'application/json', 'content-type': 'application/json' },
      body: '{"model":"gpt-5.4"}',
    });
  });
});
