import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { ChatCompletionRequest, ChatMessage } from '../../openai/types.js';
import type { ChatCallInput, ProviderCredentials } from '../provider.js';
import { loadJson } from '../../../test/helpers/recording.js';
import { buildGeminiChatCall } from './request.js';
import { createToolCallId } from './tool-call-id.js';
import type { GeminiRequest } from './wire.js';

const credentials: ProviderCredentials = { baseUrl: 'https://generativelanguage.googleapis.com', apiKey: 'AIzaTestKey123' };

function input(request: ChatCompletionRequest, stream = false, upstreamModel = 'gemini-2.5-flash'): ChatCallInput {
  return {
    request,
    upstreamModel,
    publicModel: `gemini/${upstreamModel}`,
    stream,
    includeUsage: stream,
    maxOutputTokens: undefined,
  };
}

function chat(messages: ChatMessage[], extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest {
  return { model: 'gemini/gemini-2.5-flash', messages, ...extra };
}

/** The body sent upstream, read back from the call (what Gemini would receive). */
function sentBody(request: ChatCompletionRequest, upstreamModel?: string): GeminiRequest {
  return JSON.parse(buildGeminiChatCall(input(request, false, upstreamModel), credentials).call.body ?? '') as GeminiRequest;
}

function rejection(request: ChatCompletionRequest): GatewayError {
  try {
    buildGeminiChatCall(input(request), credentials);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

const hello: ChatMessage = { role: 'user', content: 'Hello' };

describe('buildGeminiChatCall()', () => {
  it('buildGeminiChatCall() sends tools, images, system prompt and generation config as Gemini expects', () => {
    const request = loadJson<ChatCompletionRequest>(new URL('./__fixtures__/chat-tools.openai.json', import.meta.url));
    const { call, warnings } = buildGeminiChatCall(input(request, true), credentials);

    expect(call.method).toBe('POST');
    expect(call.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
    expect(call.headers).toEqual({ 'x-goog-api-key': 'AIzaTestKey123', 'content-type': 'application/json' });
    expect(JSON.parse(call.body ?? '')).toEqual(loadJson(new URL('./__fixtures__/chat-tools.gemini.json', import.meta.url)));
    expect(warnings).toEqual(['parallel_tool_calls', 'user', 'logit_bias']);
  });

  it('buildGeminiChatCall() calls generateContent without streaming and never puts the key in the URL', () => {
    const { call } = buildGeminiChatCall(input(chat([hello])), credentials);
    expect(call.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
    expect(call.url).not.toContain('AIza');
    expect(JSON.parse(call.body ?? '')).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] });
  });

  it('buildGeminiChatCall() does not double the API version of a base URL that already has one', () => {
    for (const baseUrl of ['https://generativelanguage.googleapis.com/', 'https://generativelanguage.googleapis.com/v1beta/']) {
      const { call } = buildGeminiChatCall(input(chat([hello])), { ...credentials, baseUrl });
      expect(call.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
    }
  });

  it('buildGeminiChatCall() hoists system and developer messages and merges consecutive same-role turns', () => {
    const body = sentBody(
      chat([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'One' },
        { role: 'user', content: [{ type: 'text', text: 'Two' }] },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
        { role: 'assistant', content: 'Three' },
        { role: 'assistant', content: '' },
        { role: 'assistant', content: [{ type: 'text', text: 'Four' }] },
        { role: 'user', content: 'Five' },
      ]),
    );
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Use metric units.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'One' }, { text: 'Two' }] },
        { role: 'model', parts: [{ text: 'Three' }, { text: 'Four' }] },
        { role: 'user', parts: [{ text: 'Five' }] },
      ],
    });
  });

  it('buildGeminiChatCall() marks the first unsigned replayed function call with the skip signature', () => {
    const body = sentBody(
      chat([
        hello,
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } },
            { id: 'b', type: 'function', function: { name: 'lookup', arguments: '' } },
          ],
        },
        {
          role: 'tool',
          tool_call_id: 'b',
          content: [
            { type: 'text', text: '[1,' },
            { type: 'text', text: '2]' },
          ],
        },
        { role: 'tool', tool_call_id: 'a', content: 'not json' },
        { role: 'user', content: 'Thanks' },
      ]),
    );
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hello' }] },
      {
        role: 'model',
        parts: [
          { text: 'Let me check.' },
          { functionCall: { id: 'a', name: 'lookup', args: { q: 1 } }, thoughtSignature: 'skip_thought_signature_validator' },
          { functionCall: { id: 'b', name: 'lookup', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'b', name: 'lookup', response: { content: '[1,2]' } } },
          { functionResponse: { id: 'a', name: 'lookup', response: { content: 'not json' } } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  it("buildGeminiChatCall() echoes Gemini's call ids in functionCall and functionResponse, never the ones it minted", () => {
    const minted = createToolCallId();
    const body = sentBody(
      chat([
        hello,
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'fc-gemini-1', type: 'function', function: { name: 'lookup', arguments: '{}' } },
            { id: minted, type: 'function', function: { name: 'lookup', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'fc-gemini-1', content: '{"a":1}' },
        { role: 'tool', tool_call_id: minted, content: '{"b":2}' },
      ]),
    );
    const [, model, results] = body.contents;
    expect(model?.parts.map((p) => p.functionCall?.id)).toEqual(['fc-gemini-1', undefined]);
    expect(results?.parts.map((p) => p.functionResponse?.id)).toEqual(['fc-gemini-1', undefined]);
  });

  it('buildGeminiChatCall() asks for thoughts with a thinking budget (2.x) or level (3+) from reasoning_effort', () => {
    const config = (effort: string, model = 'gemini-2.5-flash') =>
      (
        sentBody({ model: `gemini/${model}`, messages: [hello], reasoning_effort: effort }, model) as {
          generationConfig?: { thinkingConfig?: unknown };
        }
      ).generationConfig?.thinkingConfig;
    expect(config('low')).toEqual({ includeThoughts: true, thinkingBudget: 1024 });
    expect(config('high')).toEqual({ includeThoughts: true, thinkingBudget: 24_576 });
    expect(config('none')).toEqual({ thinkingBudget: 0 });
    expect(config('none', 'gemini-2.5-pro')).toBeUndefined();
    expect(config('low', 'gemini-flash-latest')).toEqual({ includeThoughts: true, thinkingBudget: 1024 });
    expect(config('medium', 'gemini-3-pro-preview')).toEqual({ includeThoughts: true, thinkingLevel: 'medium' });
    expect(config('none', 'gemini-3-pro-preview')).toBeUndefined();
    expect(rejection({ model: 'gemini/gemini-2.5-flash', messages: [hello], reasoning_effort: 'max' })).toMatchObject({
      status: 400,
      param: 'reasoning_effort',
    });
  });

  it('buildGeminiChatCall() rejects a tool result whose call id no assistant message made', () => {
    const error = rejection(chat([hello, { role: 'tool', tool_call_id: 'call_unknown', content: '{}' }]));
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages[1].tool_call_id');
    expect(error.message).toContain('call_unknown');
  });

  it('buildGeminiChatCall() rejects http(s) image URLs because the gateway fetches nothing', () => {
    const error = rejection(
      chat([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }]),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages[0].content[0].image_url.url');
    expect(error.message).toContain('data: URL');
  });

  it('buildGeminiChatCall() rejects a data URL that is not base64', () => {
    const error = rejection(
      chat([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png,rawbytes' } }] }]),
    );
    expect(error.status).toBe(400);
  });

  it('buildGeminiChatCall() sends audio and inline files as inlineData and warns about image detail', () => {
    const { call, warnings } = buildGeminiChatCall(
      input(
        chat([
          {
            role: 'user',
            content: [
              { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
              { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
              { type: 'image_url', image_url: { url: 'data:image/JPEG;base64,/9j/4AAQ', detail: 'high' } },
            ],
          },
        ]),
      ),
      credentials,
    );
    expect(JSON.parse(call.body ?? '')).toEqual({
      contents: [
        {
          role: 'user',
          parts: [
            { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
            { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
            { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
          ],
        },
      ],
    });
    expect(warnings).toEqual(['image_url.detail']);
  });

  it('buildGeminiChatCall() rejects unknown content part types', () => {
    const error = rejection(chat([{ role: 'user', content: [{ type: 'video_url', video_url: 'x' }] }]));
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages[0].content[0].type');
  });

  it('buildGeminiChatCall() sends json_schema as responseJsonSchema with n and a single stop string', () => {
    expect(sentBody(loadJson<ChatCompletionRequest>(new URL('./__fixtures__/json-schema.openai.json', import.meta.url)))).toEqual(
      loadJson(new URL('./__fixtures__/json-schema.gemini.json', import.meta.url)),
    );
  });

  it('buildGeminiChatCall() asks for JSON for json_object and nothing for text', () => {
    expect(sentBody(chat([hello], { response_format: { type: 'json_object' } })).generationConfig).toEqual({
      responseMimeType: 'application/json',
    });
    expect(sentBody(chat([hello], { response_format: { type: 'text' } })).generationConfig).toBeUndefined();
  });

  it('buildGeminiChatCall() maps every tool_choice to a function calling mode', () => {
    const cases: Array<[ChatCompletionRequest['tool_choice'], unknown]> = [
      ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
      ['none', { functionCallingConfig: { mode: 'NONE' } }],
      ['required', { functionCallingConfig: { mode: 'ANY' } }],
      [
        { type: 'function', function: { name: 'get_weather' } },
        { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      ],
    ];
    for (const [toolChoice, expected] of cases) {
      expect(sentBody(chat([hello], { tool_choice: toolChoice })).toolConfig).toEqual(expected);
    }
  });

  it('buildGeminiChatCall() warns about parameters it drops and rejects the deprecated functions API', () => {
    const { warnings } = buildGeminiChatCall(
      input(
        chat([hello], { logprobs: true, top_logprobs: 2, metadata: { a: 'b' }, parallel_tool_calls: true, service_tier: null }),
      ),
      credentials,
    );
    expect(warnings).toEqual(['logprobs', 'top_logprobs', 'metadata']);
    expect(rejection(chat([hello], { functions: [{ name: 'f' }] })).param).toBe('functions');
  });

  it('buildGeminiChatCall() leaves at least half of max_tokens to the answer when thinking', () => {
    expect(sentBody(chat([hello], { reasoning_effort: 'high', max_tokens: 1000 })).generationConfig).toEqual({
      maxOutputTokens: 1000,
      thinkingConfig: { thinkingBudget: 500, includeThoughts: true },
    });
    expect(sentBody(chat([hello], { reasoning_effort: 'low', max_tokens: 100 })).generationConfig).toEqual({
      maxOutputTokens: 100,
      thinkingConfig: { thinkingBudget: 128, includeThoughts: true },
    });
  });

  it('buildGeminiChatCall() rejects a conversation with only a system prompt', () => {
    expect(rejection(chat([{ role: 'system', content: 'Be brief.' }])).param).toBe('messages');
  });

  it('buildGeminiChatCall() rejects tool call arguments that are not a JSON object', () => {
    const error = rejection(
      chat([
        hello,
        { role: 'assistant', tool_calls: [{ id: 'x', type: 'function', function: { name: 'f', arguments: '[1]' } }] },
      ]),
    );
    expect(error.param).toBe('messages[1].tool_calls[0].function.arguments');
  });
});
