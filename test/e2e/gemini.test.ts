/**
 * Gemini behind the OpenAI API, end to end: the official `openai` SDK against the real Z-AI
 * server, which talks to a fake Gemini speaking the real generateContent protocol over HTTP
 * (`x-goog-api-key`, `models/{id}:generateContent`, `:streamGenerateContent?alt=sse` with
 * cumulative usageMetadata and no end sentinel, embedContent / batchEmbedContents, `GET
 * /v1beta/models`, Google error bodies with canonical statuses and details).
 */
import type http from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, startZai, type ApiClient, type Zai } from '../helpers/harness.js';
import {
  json,
  sleep,
  startFakeServer,
  type FakeServer,
  type RecordedRequest,
  writeFrames,
  drainStream,
} from '../helpers/fake-upstream.js';

const GEMINI_KEY = 'AIzaSyE2E-fakeGeminiKey-0123456789abcd';
const CATALOG_MODEL = 'gemini/gemini-2.5-flash';
const EMBEDDING_MODEL = 'gemini/gemini-embedding-001';

let zai: Zai;
let fake: FakeServer;
let api: ApiClient;
let providerId: string;
let client: OpenAI;
let zaiKey: string;

type Json = Record<string, unknown>;
type Behaviour = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;
/** Per `<model>:<method>` (e.g. `gemini-e2e-tools:generateContent`): how the fake answers. */
const behaviours = new Map<string, Behaviour>();

function body(req: RecordedRequest): Json {
  return req.json as Json;
}

const CALL_PATH = /^\/v1beta\/models\/([^/:?]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)(\?.*)?$/;

/** The last call the fake received for a model and method. */
function lastCall(model: string, method: string): RecordedRequest {
  const found = fake.requests
    .filter((r) => {
      const m = CALL_PATH.exec(r.path);
      return m !== null && decodeURIComponent(m[1]!) === model && m[2] === method;
    })
    .at(-1);
  if (found === undefined) throw new Error(`the fake never received ${model}:${method}`);
  return found;
}

function geminiResponse(opts: { parts?: Json[]; finishReason?: string; usage?: Json; responseId?: string } = {}): Json {
  return {
    candidates: [
      {
        content: { role: 'model', parts: opts.parts ?? [{ text: 'Hello from Gemini.' }] },
        finishReason: opts.finishReason ?? 'STOP',
        index: 0,
        safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' }],
      },
    ],
    usageMetadata: opts.usage ?? { promptTokenCount: 12, candidatesTokenCount: 5, totalTokenCount: 17 },
    modelVersion: 'gemini-2.5-flash',
    responseId: opts.responseId ?? 'x3a9Z8mQ',
  };
}

/** One streamed chunk: a whole GenerateContentResponse holding only the new parts. */
function chunk(parts: Json[] | undefined, usage: Json, finishReason?: string): Json {
  return {
    candidates: [{ content: { role: 'model', parts: parts ?? [] }, ...(finishReason ? { finishReason } : {}), index: 0 }],
    usageMetadata: usage,
    modelVersion: 'gemini-2.5-flash',
    responseId: 'strm-01',
  };
}

function dataEvent(value: Json, eol = '\n'): string {
  return `data: ${JSON.stringify(value)}${eol}${eol}`;
}

function googleError(res: http.ServerResponse, code: number, status: string, message: string, details: Json[] = []): void {
  json(res, code, { error: { code, message, status, ...(details.length > 0 ? { details } : {}) } });
}

const API_KEY_INVALID_DETAILS = [
  {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'API_KEY_INVALID',
    domain: 'googleapis.com',
    metadata: { service: 'generativelanguage.googleapis.com' },
  },
  {
    '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
    locale: 'en-US',
    message: 'API key not valid. Please pass a valid API key.',
  },
];

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(async (req, res) => {
    // Like the real API: an unknown key is a 400 INVALID_ARGUMENT with reason API_KEY_INVALID.
    if (req.headers['x-goog-api-key'] !== GEMINI_KEY) {
      return googleError(
        res,
        400,
        'INVALID_ARGUMENT',
        'API key not valid. Please pass a valid API key.',
        API_KEY_INVALID_DETAILS,
      );
    }
    if (req.method === 'GET' && req.path.split('?')[0] === '/v1beta/models') {
      return json(res, 200, {
        models: [
          {
            name: 'models/gemini-2.5-flash',
            version: '001',
            displayName: 'Gemini 2.5 Flash',
            inputTokenLimit: 1048576,
            outputTokenLimit: 65536,
            supportedGenerationMethods: ['generateContent', 'countTokens'],
          },
          {
            name: 'models/gemini-2.5-pro',
            version: '2.5',
            displayName: 'Gemini 2.5 Pro',
            supportedGenerationMethods: ['generateContent'],
          },
          {
            name: 'models/gemini-embedding-001',
            displayName: 'Gemini Embedding 001',
            supportedGenerationMethods: ['embedContent'],
          },
        ],
      });
    }
    const match = req.method === 'POST' ? CALL_PATH.exec(req.path) : null;
    if (match === null) return googleError(res, 404, 'NOT_FOUND', `Method not found: ${req.method} ${req.path}`);
    const model = decodeURIComponent(match[1]!);
    const method = match[2]!;
    if (method === 'streamGenerateContent' && match[3] !== '?alt=sse') {
      return googleError(res, 400, 'INVALID_ARGUMENT', 'the fake only streams with alt=sse');
    }
    const behaviour = behaviours.get(`${model}:${method}`);
    if (behaviour) return behaviour(req, res);
    switch (method) {
      case 'generateContent':
        return json(res, 200, geminiResponse());
      case 'streamGenerateContent':
        return writeFrames(res, [
          dataEvent(chunk([{ text: 'Hello' }], { promptTokenCount: 8, candidatesTokenCount: 1, totalTokenCount: 9 })),
          dataEvent(chunk([{ text: ' there.' }], { promptTokenCount: 8, candidatesTokenCount: 3, totalTokenCount: 11 }, 'STOP')),
        ]);
      case 'embedContent':
        return json(res, 200, { embedding: { values: [0.5, -0.25, 0.125] } });
      case 'batchEmbedContents': {
        const requests = (body(req).requests as unknown[]) ?? [];
        return json(res, 200, { embeddings: requests.map((_, i) => ({ values: [0.5 * (i + 1), -0.25, 0.125] })) });
      }
      default:
        return googleError(res, 404, 'NOT_FOUND', 'unknown method');
    }
  });
  const account = await accountWithKey(zai, {
    provider: 'gemini',
    apiKey: GEMINI_KEY,
    baseUrl: fake.url,
    key: { allowed_models: ['gemini/*'] },
  });
  api = account.api;
  providerId = account.providerId;
  zaiKey = account.key;
  client = new OpenAI({ apiKey: account.key, baseURL: `${zai.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

describe('text', () => {
  it('sends the system prompt as systemInstruction to models/{id}:generateContent with x-goog-api-key', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: CATALOG_MODEL,
        messages: [
          { role: 'system', content: 'Answer in one sentence.' },
          { role: 'user', content: 'Say hello' },
        ],
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello from Gemini.');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.model).toBe(CATALOG_MODEL);
    expect(data.id).toBe('chatcmpl-x3a9Z8mQ');
    expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(response.headers.get('x-zai-model')).toBe(CATALOG_MODEL);

    const sent = lastCall('gemini-2.5-flash', 'generateContent');
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(sent.headers['content-type']).toMatch(/^application\/json/);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.path).not.toContain('key=');
    expect(body(sent)).toEqual({
      systemInstruction: { parts: [{ text: 'Answer in one sentence.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }],
    });
  });

  it('maps roles (assistant → model, merged turns), generationConfig and response_format', async () => {
    await client.chat.completions.create({
      model: CATALOG_MODEL,
      messages: [
        { role: 'developer', content: 'Be terse.' },
        { role: 'user', content: 'First.' },
        { role: 'user', content: [{ type: 'text', text: 'Second.' }] },
        { role: 'assistant', content: 'Noted.' },
        { role: 'system', content: 'Use French.' },
        { role: 'user', content: 'Third.' },
      ],
      temperature: 1.4,
      top_p: 0.95,
      max_tokens: 300,
      stop: '###',
      seed: 7,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'answer',
          schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false },
        },
      },
    });
    expect(body(lastCall('gemini-2.5-flash', 'generateContent'))).toEqual({
      systemInstruction: { parts: [{ text: 'Be terse.' }, { text: 'Use French.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'First.' }, { text: 'Second.' }] },
        { role: 'model', parts: [{ text: 'Noted.' }] },
        { role: 'user', parts: [{ text: 'Third.' }] },
      ],
      generationConfig: {
        temperature: 1.4,
        topP: 0.95,
        maxOutputTokens: 300,
        stopSequences: ['###'],
        seed: 7,
        responseMimeType: 'application/json',
        responseJsonSchema: {
          type: 'object',
          properties: { a: { type: 'string' } },
          required: ['a'],
          additionalProperties: false,
        },
      },
    });
  });

  it('json_object → responseMimeType application/json', async () => {
    await client.chat.completions.create({
      model: CATALOG_MODEL,
      messages: [{ role: 'user', content: 'JSON please' }],
      response_format: { type: 'json_object' },
    });
    expect(body(lastCall('gemini-2.5-flash', 'generateContent')).generationConfig).toEqual({
      responseMimeType: 'application/json',
    });
  });

  it('names dropped parameters in x-zai-warnings and never forwards OpenAI-only fields', async () => {
    const { response } = await client.chat.completions
      .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], user: 'u-1', logit_bias: { '50256': -100 } })
      .withResponse();
    const warnings = response.headers.get('x-zai-warnings') ?? '';
    expect(warnings).toContain('user');
    expect(warnings).toContain('logit_bias');
    expect(body(lastCall('gemini-2.5-flash', 'generateContent'))).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'x' }] }],
    });
  });

  it('a blocked prompt (no candidates) is a content_filter answer', async () => {
    behaviours.set('gemini-e2e-blocked:generateContent', (_req, res) =>
      json(res, 200, {
        promptFeedback: { blockReason: 'SAFETY' },
        usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 },
        responseId: 'blk1',
      }),
    );
    const res = await client.chat.completions.create({
      model: 'gemini/gemini-e2e-blocked',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(res.choices[0]?.finish_reason).toBe('content_filter');
  });
});

describe('streaming', () => {
  it('streams from :streamGenerateContent?alt=sse (CRLF, split events), the SDK text equals what was streamed, usage is the last cumulative value', async () => {
    const pieces = ['Paris is', ' cloudy,', ' 18°C — ', 'ünïcødé ✓'];
    let upstreamDone = 0;
    behaviours.set('gemini-e2e-stream:streamGenerateContent', async (_req, res) => {
      const frames = pieces.map((text, i) =>
        dataEvent(
          chunk(
            [{ text }],
            // Cumulative counts on every chunk; the last one is the total.
            {
              promptTokenCount: 260,
              candidatesTokenCount: 2 * (i + 1),
              thoughtsTokenCount: 4,
              totalTokenCount: 264 + 2 * (i + 1),
            },
            i === pieces.length - 1 ? 'STOP' : undefined,
          ),
          '\r\n',
        ),
      );
      await writeFrames(res, frames, { pauseMs: 80 });
      upstreamDone = performance.now();
    });

    const stream = await client.chat.completions.create({
      model: 'gemini/gemini-e2e-stream',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    let text = '';
    let firstContentAt = 0;
    for await (const c of stream) {
      chunks.push(c);
      const piece = c.choices[0]?.delta.content ?? '';
      if (piece !== '' && firstContentAt === 0) firstContentAt = performance.now();
      text += piece;
    }
    expect(text).toBe(pieces.join(''));
    expect(firstContentAt).toBeLessThan(upstreamDone - 200);
    expect(chunks.every((c) => c.model === 'gemini/gemini-e2e-stream')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((f) => f !== null)).toEqual(['stop']);
    expect(chunks.filter((c) => c.usage)).toHaveLength(1);
    expect(chunks.at(-1)?.choices).toEqual([]);
    // Thoughts count as completion (OpenAI's reasoning tokens): 8 + 4.
    expect(chunks.at(-1)?.usage).toMatchObject({
      prompt_tokens: 260,
      completion_tokens: 12,
      total_tokens: 272,
      completion_tokens_details: { reasoning_tokens: 4 },
    });

    const sent = lastCall('gemini-e2e-stream', 'streamGenerateContent');
    expect(sent.path).toBe('/v1beta/models/gemini-e2e-stream:streamGenerateContent?alt=sse');
    expect(sent.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(body(sent)).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }],
    });
  });

  it('sends no usage chunk unless include_usage was asked for', async () => {
    const stream = await client.chat.completions.create({
      model: CATALOG_MODEL,
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello there.');
    expect(chunks.some((c) => c.usage)).toBe(false);
  });
});

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const timeTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_time', description: 'Current time' },
};

type GeminiContentBody = { role: string; parts: Array<Json & { functionResponse?: { name: string; response: Json } }> };

describe('tools', () => {
  it('non-streamed: functionCall parts become tool_calls with minted ids; results go back as functionResponse with the NAME recovered', async () => {
    behaviours.set('gemini-e2e-tools:generateContent', (req, res) => {
      const contents = body(req).contents as GeminiContentBody[];
      if (contents.some((c) => c.parts.some((p) => p.functionResponse))) {
        return json(res, 200, geminiResponse({ parts: [{ text: 'Paris: 18°C; it is noon.' }] }));
      }
      return json(
        res,
        200,
        geminiResponse({
          parts: [
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CtQBAdHtim9kR2yWq0Zs' },
            { functionCall: { name: 'get_time', args: {} } },
          ],
          usage: { promptTokenCount: 80, candidatesTokenCount: 20, totalTokenCount: 100 },
        }),
      );
    });
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather in Paris, and the time?' },
    ];
    const first = await client.chat.completions.create({
      model: 'gemini/gemini-e2e-tools',
      messages,
      tools: [weatherTool, timeTool],
      tool_choice: 'required',
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const calls = choice.message.tool_calls as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall[];
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.function)).toEqual([
      { name: 'get_weather', arguments: '{"city":"Paris"}' },
      { name: 'get_time', arguments: '{}' },
    ]);
    expect(calls.every((c) => c.type === 'function' && /^call_[A-Za-z0-9_-]+$/.test(c.id) && c.id.length <= 40)).toBe(true);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    expect(body(lastCall('gemini-e2e-tools', 'generateContent'))).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Weather in Paris, and the time?' }] }],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Current weather for a city',
              parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            },
            { name: 'get_time', description: 'Current time' },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });

    // The client appends the assistant message as received (with Gemini's thought signature in
    // extra_content) and answers each call by id only.
    messages.push(choice.message as OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam);
    messages.push({ role: 'tool', tool_call_id: calls[1]!.id, content: '12:00' });
    messages.push({ role: 'tool', tool_call_id: calls[0]!.id, content: '{"temp_c":18,"sky":"cloudy"}' });
    const second = await client.chat.completions.create({
      model: 'gemini/gemini-e2e-tools',
      messages,
      tools: [weatherTool, timeTool],
    });
    expect(second.choices[0]?.message.content).toBe('Paris: 18°C; it is noon.');
    expect(second.choices[0]?.finish_reason).toBe('stop');

    const contents = body(lastCall('gemini-e2e-tools', 'generateContent')).contents as GeminiContentBody[];
    expect(contents).toHaveLength(3);
    expect(contents[1]).toEqual({
      role: 'model',
      parts: [
        { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CtQBAdHtim9kR2yWq0Zs' },
        { functionCall: { name: 'get_time', args: {} } },
      ],
    });
    // Both results in one user turn, each addressed by the function name the call id pointed to.
    expect(contents[2]?.role).toBe('user');
    const responses = contents[2]!.parts.map((p) => p.functionResponse!);
    expect(responses.map((r) => r.name)).toEqual(['get_time', 'get_weather']);
    expect(Object.values(responses[0]!.response)).toContain('12:00');
    expect(responses[1]!.response).toEqual({ temp_c: 18, sky: 'cloudy' });
  });

  it("history from a client that dropped the thought signature gets Google's documented placeholder on the first call", async () => {
    await client.chat.completions.create({
      model: 'gemini/gemini-e2e-tools',
      messages: [
        { role: 'user', content: 'Weather in Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_fromElsewhere', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_fromElsewhere', content: 'sunny' },
      ],
      tools: [weatherTool],
    });
    const contents = body(lastCall('gemini-e2e-tools', 'generateContent')).contents as GeminiContentBody[];
    expect(contents[1]).toEqual({
      role: 'model',
      parts: [
        // An id Z-AI did not mint is echoed, with the result's, as Gemini matches them.
        {
          functionCall: { name: 'get_weather', args: { city: 'Rome' }, id: 'call_fromElsewhere' },
          thoughtSignature: 'skip_thought_signature_validator',
        },
      ],
    });
    expect(contents[2]?.parts[0]?.functionResponse).toMatchObject({ name: 'get_weather', id: 'call_fromElsewhere' });
  });

  it('a tool message whose id matches no earlier call is a 400, not a guess', async () => {
    const before = fake.requests.length;
    const err = await client.chat.completions
      .create({
        model: 'gemini/gemini-e2e-tools',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'tool', tool_call_id: 'call_unknown', content: 'y' },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(fake.requests.length).toBe(before);
  });

  it('streamed: the SDK assembles whole function calls (split events), then the results go back by name', async () => {
    behaviours.set('gemini-e2e-stream-tools:streamGenerateContent', (req, res) => {
      const contents = body(req).contents as GeminiContentBody[];
      if (contents.some((c) => c.parts.some((p) => p.functionResponse))) {
        return writeFrames(res, [
          dataEvent(
            chunk(
              [{ text: 'Lyon: 18°C at noon.' }],
              { promptTokenCount: 120, candidatesTokenCount: 8, totalTokenCount: 128 },
              'STOP',
            ),
          ),
        ]);
      }
      return writeFrames(res, [
        dataEvent(chunk([{ text: 'Checking both.' }], { promptTokenCount: 80, candidatesTokenCount: 3, totalTokenCount: 83 })),
        dataEvent(
          chunk([{ functionCall: { name: 'get_weather', args: { city: 'Lyon' } }, thoughtSignature: 'c2lnLWx5b24=' }], {
            promptTokenCount: 80,
            candidatesTokenCount: 12,
            totalTokenCount: 92,
          }),
        ),
        dataEvent(
          chunk(
            [{ functionCall: { name: 'get_time', args: { tz: 'Europe/Paris' } } }],
            { promptTokenCount: 80, candidatesTokenCount: 20, totalTokenCount: 100 },
            'STOP',
          ),
        ),
      ]);
    });
    const final = await client.chat.completions
      .stream({
        model: 'gemini/gemini-e2e-stream-tools',
        messages: [{ role: 'user', content: 'Weather in Lyon and the time?' }],
        tools: [weatherTool, timeTool],
        stream_options: { include_usage: true },
      })
      .finalChatCompletion();
    const choice = final.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Checking both.');
    const calls = choice.message.tool_calls as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall[];
    expect(calls.map((c) => ({ type: c.type, function: c.function }))).toEqual([
      { type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
      { type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' } },
    ]);
    expect(calls.every((c) => c.id.startsWith('call_'))).toBe(true);
    expect(calls[0]!.id).not.toBe(calls[1]!.id);
    expect(final.usage).toMatchObject({ prompt_tokens: 80, completion_tokens: 20, total_tokens: 100 });

    const second = await client.chat.completions
      .stream({
        model: 'gemini/gemini-e2e-stream-tools',
        messages: [
          { role: 'user', content: 'Weather in Lyon and the time?' },
          choice.message as OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam,
          { role: 'tool', tool_call_id: calls[0]!.id, content: '{"temp_c":18}' },
          { role: 'tool', tool_call_id: calls[1]!.id, content: '{"time":"12:00"}' },
        ],
        tools: [weatherTool, timeTool],
      })
      .finalChatCompletion();
    expect(second.choices[0]?.message.content).toBe('Lyon: 18°C at noon.');
    const contents = body(lastCall('gemini-e2e-stream-tools', 'streamGenerateContent')).contents as GeminiContentBody[];
    expect(contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Lyon and the time?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Checking both.' },
          { functionCall: { name: 'get_weather', args: { city: 'Lyon' } }, thoughtSignature: 'c2lnLWx5b24=' },
          { functionCall: { name: 'get_time', args: { tz: 'Europe/Paris' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temp_c: 18 } } },
          { functionResponse: { name: 'get_time', response: { time: '12:00' } } },
        ],
      },
    ]);
  });
});

describe('images', () => {
  it('sends a data URL as inlineData', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    await client.chat.completions.create({
      model: CATALOG_MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
          ],
        },
      ],
    });
    expect(body(lastCall('gemini-2.5-flash', 'generateContent')).contents).toEqual([
      { role: 'user', parts: [{ text: 'What is this?' }, { inlineData: { mimeType: 'image/png', data: png } }] },
    ]);
  });

  it('refuses an http(s) image URL with a 400 and never calls Gemini (the gateway fetches nothing)', async () => {
    const before = fake.requests.length;
    for (const stream of [false, true]) {
      const err = await client.chat.completions
        .create({
          model: CATALOG_MODEL,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is this?' },
                { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
              ],
            },
          ],
          stream,
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      const e = err as InstanceType<typeof OpenAI.BadRequestError>;
      expect(e.status).toBe(400);
      expect(e.param).toBe('messages[0].content[1].image_url.url');
      expect(e.message).toMatch(/data: URL/);
    }
    expect(fake.requests.length).toBe(before);
  });
});

describe('upstream errors', () => {
  it('429 RESOURCE_EXHAUSTED → RateLimitError 429 with retry-after from RetryInfo', async () => {
    behaviours.set('gemini-e2e-429:generateContent', (_req, res) =>
      googleError(
        res,
        429,
        'RESOURCE_EXHAUSTED',
        'You exceeded your current quota, please check your plan and billing details.',
        [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests' }],
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37.4s' },
        ],
      ),
    );
    const err = await client.chat.completions
      .create({ model: 'gemini/gemini-e2e-429', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.message).toContain('exceeded your current quota');
    expect(e.headers?.get('retry-after')).toBe('38');
  });

  it('500 INTERNAL → 502, 503 UNAVAILABLE → 503', async () => {
    behaviours.set('gemini-e2e-500:generateContent', (_req, res) =>
      googleError(res, 500, 'INTERNAL', 'An internal error has occurred.'),
    );
    const err = await client.chat.completions
      .create({ model: 'gemini/gemini-e2e-500', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);

    behaviours.set('gemini-e2e-503:streamGenerateContent', (_req, res) =>
      googleError(res, 503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'),
    );
    const overloaded = await client.chat.completions
      .create({ model: 'gemini/gemini-e2e-503', messages: [{ role: 'user', content: 'x' }], stream: true })
      .catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(OpenAI.InternalServerError);
    expect((overloaded as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });

  it('400 API_KEY_INVALID → AuthenticationError 401 (chat and embeddings), and the key never leaks', async () => {
    const wrongKey = 'AIzaSyWRONGwrongWRONG-000000000000000';
    const other = await accountWithKey(zai, { provider: 'gemini', apiKey: wrongKey, baseUrl: fake.url });
    const otherClient = new OpenAI({ apiKey: other.key, baseURL: `${zai.url}/v1`, maxRetries: 0 });
    const err = await otherClient.chat.completions
      .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    const e = err as InstanceType<typeof OpenAI.AuthenticationError>;
    expect(e.status).toBe(401);
    expect(e.code).toBe('invalid_api_key');
    expect(JSON.stringify(e.error)).not.toContain('WRONGwrong');
    const embedErr = await otherClient.embeddings.create({ model: EMBEDDING_MODEL, input: 'x' }).catch((x: unknown) => x);
    expect((embedErr as InstanceType<typeof OpenAI.APIError>).status).toBe(401);

    const test = await other.api.post<{ ok: boolean; status: number | null; message: string }>(
      `/api/providers/${other.providerId}/test`,
    );
    expect(test.status).toBe(200);
    expect(test.body.ok).toBe(false);
    // The provider test reports the meaning (a bad key: 401), like chat does.
    expect(test.body.status).toBe(401);
    expect(test.body.message).toContain('API key not valid');
  });

  it('404 NOT_FOUND → NotFoundError 404', async () => {
    behaviours.set('gemini-e2e-missing:generateContent', (_req, res) =>
      googleError(
        res,
        404,
        'NOT_FOUND',
        'models/gemini-e2e-missing is not found for API version v1beta, or is not supported for generateContent.',
      ),
    );
    const err = await client.chat.completions
      .create({ model: 'gemini/gemini-e2e-missing', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as Error).message).toContain('is not found');
  });

  it('an unframed Google error object in a 200 stream (no data: prefix) keeps its status and message', async () => {
    // docs/providers.md §3.4 / §5 rule 10: Gemini may write a raw JSON error object into the
    // stream; Google's own SDK tries every network chunk as JSON before SSE parsing.
    const quota = {
      error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' },
    };
    behaviours.set('gemini-e2e-unframed:streamGenerateContent', (_req, res) =>
      writeFrames(res, [`${JSON.stringify(quota, null, 2)}\n`]),
    );
    const early = await client.chat.completions
      .create({ model: 'gemini/gemini-e2e-unframed', messages: [{ role: 'user', content: 'x' }], stream: true })
      .catch((e: unknown) => e);
    expect(early).toBeInstanceOf(OpenAI.APIError);
    expect((early as Error).message).toContain('Resource has been exhausted');
    expect((early as InstanceType<typeof OpenAI.APIError>).status).toBe(429);

    behaviours.set('gemini-e2e-unframed-mid:streamGenerateContent', (_req, res) =>
      writeFrames(res, [
        dataEvent(chunk([{ text: 'Hel' }], { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 })),
        `${JSON.stringify(quota, null, 2)}\n`,
      ]),
    );
    const stream = await client.chat.completions.create({
      model: 'gemini/gemini-e2e-unframed-mid',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const mid = await (async () => {
      for await (const _c of stream) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(mid).toBeInstanceOf(OpenAI.APIError);
    expect((mid as Error).message).toContain('Resource has been exhausted');
  });

  it('a stream cut mid-way raises an error in the SDK iteration, never a clean finish', async () => {
    behaviours.set('gemini-e2e-cut:streamGenerateContent', (_req, res) =>
      writeFrames(
        res,
        [
          dataEvent(chunk([{ text: 'partial ' }], { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 })),
          dataEvent(chunk([{ text: 'answer' }], { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 })),
        ],
        { end: 'destroy' },
      ),
    );
    const stream = await client.chat.completions.create({
      model: 'gemini/gemini-e2e-cut',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const { text, finish, error } = await drainStream(stream);
    expect(text).toBe('partial answer');
    expect(finish).toBeNull();
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/lost|complete/);
  });

  it('a stream that closes cleanly before any finishReason also raises (Gemini has no end sentinel)', async () => {
    behaviours.set('gemini-e2e-short:streamGenerateContent', (_req, res) =>
      writeFrames(res, [
        dataEvent(chunk([{ text: 'half' }], { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 })),
      ]),
    );
    const stream = await client.chat.completions.create({
      model: 'gemini/gemini-e2e-short',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, error } = await drainStream(stream);
    expect(text).toBe('half');
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });

  it('an error inside a 200 stream raises in the SDK with Gemini message', async () => {
    behaviours.set('gemini-e2e-stream-error:streamGenerateContent', (_req, res) =>
      writeFrames(res, [
        dataEvent(chunk([{ text: 'Hel' }], { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 })),
        dataEvent({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }),
      ]),
    );
    const stream = await client.chat.completions.create({
      model: 'gemini/gemini-e2e-stream-error',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const { text, error } = await drainStream(stream);
    expect(text).toBe('Hel');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('overloaded');
  });
});

describe('embeddings', () => {
  it('one string → embedContent, returned as floats when asked for', async () => {
    const res = await client.embeddings.create({
      model: EMBEDDING_MODEL,
      input: 'hello',
      encoding_format: 'float',
      dimensions: 3,
    });
    expect(res.model).toBe(EMBEDDING_MODEL);
    expect(res.data).toEqual([{ object: 'embedding', index: 0, embedding: [0.5, -0.25, 0.125] }]);
    const sent = lastCall('gemini-embedding-001', 'embedContent');
    expect(sent.path).toBe('/v1beta/models/gemini-embedding-001:embedContent');
    expect(sent.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(body(sent)).toEqual({ content: { parts: [{ text: 'hello' }] }, outputDimensionality: 3 });
  });

  it('a list → batchEmbedContents; the SDK default (base64) decodes to the same floats, in input order', async () => {
    const res = await client.embeddings.create({ model: EMBEDDING_MODEL, input: ['a', 'b', 'c'] });
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(res.data.map((d) => d.embedding)).toEqual([
      [0.5, -0.25, 0.125],
      [1, -0.25, 0.125],
      [1.5, -0.25, 0.125],
    ]);
    expect(body(lastCall('gemini-embedding-001', 'batchEmbedContents'))).toEqual({
      requests: ['a', 'b', 'c'].map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] } })),
    });

    // What the SDK asked for and decoded: base64 of little-endian float32.
    const raw = await fetch(`${zai.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${zaiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: EMBEDDING_MODEL, input: ['a'], encoding_format: 'base64' }),
    });
    expect(raw.status).toBe(200);
    const rawBody = (await raw.json()) as { data: Array<{ embedding: unknown }> };
    expect(typeof rawBody.data[0]?.embedding).toBe('string');
    const bytes = Buffer.from(rawBody.data[0]!.embedding as string, 'base64');
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4))).toEqual([0.5, -0.25, 0.125]);
  });
});

describe('models and the provider test', () => {
  it('/v1/models lists the catalog models of the Gemini provider', async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toContain(CATALOG_MODEL);
    expect(ids).toContain(EMBEDDING_MODEL);
    expect(ids.every((id) => id.startsWith('gemini/'))).toBe(true);
  });

  it('POST /api/providers/:id/test calls GET /v1beta/models with x-goog-api-key', async () => {
    const res = await api.post<{ ok: boolean; status: number; models: number }>(`/api/providers/${providerId}/test`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, status: 200, models: 3 });
    const call = fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1beta/models')).at(-1)!;
    expect(call.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(call.path).not.toContain('key=');
  });
});

describe('usage rows', () => {
  type Row = Record<string, unknown> & { id: string };
  async function usageRow(requestId: string): Promise<Row> {
    for (let i = 0; i < 20; i++) {
      const page = await api.get<{ data: Row[] }>('/api/usage?limit=100');
      const row = page.body.data.find((r) => r.id === requestId);
      if (row) return row;
      await sleep(100);
    }
    throw new Error(`no usage row for ${requestId} within 2 s`);
  }

  it('records prompt (cached included), completion (thoughts included) and cached tokens with the catalog cost', async () => {
    behaviours.set('gemini-2.5-flash:generateContent', (_req, res) =>
      json(
        res,
        200,
        geminiResponse({
          parts: [{ text: 'From the cache.' }],
          usage: {
            promptTokenCount: 2000,
            cachedContentTokenCount: 1500,
            candidatesTokenCount: 100,
            thoughtsTokenCount: 20,
            totalTokenCount: 2120,
          },
        }),
      ),
    );
    try {
      const { data, response } = await client.chat.completions
        .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'cached?' }] })
        .withResponse();
      expect(data.usage).toMatchObject({
        prompt_tokens: 2000,
        completion_tokens: 120,
        total_tokens: 2120,
        prompt_tokens_details: { cached_tokens: 1500 },
      });
      const row = await usageRow(response.headers.get('x-zai-request-id')!);
      expect(row).toMatchObject({
        model_requested: CATALOG_MODEL,
        model_served: CATALOG_MODEL,
        provider: 'gemini',
        status: 200,
        prompt_tokens: 2000,
        completion_tokens: 120,
        cached_tokens: 1500,
        stream: false,
      });
      // gemini-2.5-flash: $0.30 in, $0.03 cached, $2.50 out per Mtok → 500×0.3 + 1500×0.03 + 120×2.5 µ$ = 495 µ$.
      expect(row.cost_nano_usd).toBe(495_000);
    } finally {
      behaviours.delete('gemini-2.5-flash:generateContent');
    }
  });

  it('a streamed request records the last cumulative usageMetadata', async () => {
    behaviours.set('gemini-2.5-flash:streamGenerateContent', (_req, res) =>
      writeFrames(res, [
        dataEvent(
          chunk([{ text: 'a' }], {
            promptTokenCount: 1000,
            cachedContentTokenCount: 600,
            candidatesTokenCount: 10,
            totalTokenCount: 1010,
          }),
          '\r\n',
        ),
        dataEvent(
          chunk(
            [{ text: 'b' }],
            { promptTokenCount: 1000, cachedContentTokenCount: 600, candidatesTokenCount: 30, totalTokenCount: 1030 },
            'STOP',
          ),
          '\r\n',
        ),
      ]),
    );
    try {
      const { data: stream, response } = await client.chat.completions
        .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], stream: true })
        .withResponse();
      for await (const _c of stream) {
        // drain
      }
      const row = await usageRow(response.headers.get('x-zai-request-id')!);
      expect(row).toMatchObject({ status: 200, stream: true, prompt_tokens: 1000, completion_tokens: 30, cached_tokens: 600 });
      // 400×0.3 + 600×0.03 + 30×2.5 µ$ = 213 µ$.
      expect(row.cost_nano_usd).toBe(213_000);
    } finally {
      behaviours.delete('gemini-2.5-flash:streamGenerateContent');
    }
  });

  it('the provider key never appears in a log line', () => {
    expect(zai.logs()).not.toContain(GEMINI_KEY);
    expect(zai.logs()).not.toContain(GEMINI_KEY.slice(6, 28));
  });
});
