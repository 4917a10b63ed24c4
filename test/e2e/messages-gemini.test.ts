/**
 * The Anthropic Messages ingress on Gemini, end to end: the official `@anthropic-ai/sdk` against
 * the real Z-AI server, which translates through the Gemini adapter to a fake Gemini speaking the
 * real generateContent protocol (`x-goog-api-key`, `:streamGenerateContent?alt=sse` with
 * cumulative usageMetadata and no end sentinel, Google error bodies).
 */
import type http from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grammarErrors, readEvents, type Json } from '../helpers/anthropic-wire.js';
import { accountWithKey, startZai, type Zai } from '../helpers/harness.js';
import { bodyOf, json, startFakeServer, writeFrames, type FakeServer, type RecordedRequest } from '../helpers/fake-upstream.js';

// Random-looking, like a real key: the gateway scrubs every 5-character run of the key from error messages.
const GEMINI_KEY = 'AIzaSyQ7vX2kLp9ZtR4wNcB8mJh3Ud6Ye1Fa0Gs';
const MODEL = 'gemini/gemini-2.5-flash';

let zai: Zai;
let fake: FakeServer;
let key: string;
let client: Anthropic;

type Behaviour = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;
const behaviours = new Map<string, Behaviour>();

const CALL_PATH = /^\/v1beta\/models\/([^/:?]+):(generateContent|streamGenerateContent)(\?alt=sse)?$/;

function lastCall(model: string): RecordedRequest {
  const found = fake.requests.filter((r) => CALL_PATH.exec(r.path)?.[1] === model).at(-1);
  if (found === undefined) throw new Error(`the fake never received a call for ${model}`);
  return found;
}

function chunk(parts: Json[], usage: Json, finishReason?: string): string {
  const value = {
    candidates: [{ content: { role: 'model', parts }, ...(finishReason ? { finishReason } : {}), index: 0 }],
    usageMetadata: usage,
    modelVersion: 'gemini-2.5-flash',
    responseId: 'strm-01',
  };
  return `data: ${JSON.stringify(value)}\r\n\r\n`;
}

function response(parts: Json[], usage: Json, finishReason = 'STOP'): Json {
  return {
    candidates: [{ content: { role: 'model', parts }, finishReason, index: 0 }],
    usageMetadata: usage,
    modelVersion: 'gemini-2.5-flash',
    responseId: 'resp-01',
  };
}

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object' as const,
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
};

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(async (req, res) => {
    if (req.headers['x-goog-api-key'] !== GEMINI_KEY) {
      return json(res, 400, { error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT' } });
    }
    const match = req.method === 'POST' ? CALL_PATH.exec(req.path) : null;
    if (match === null) return json(res, 404, { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } });
    const behaviour = behaviours.get(decodeURIComponent(match[1] ?? ''));
    if (behaviour) return behaviour(req, res);
    if (match[2] === 'streamGenerateContent') {
      return writeFrames(res, [
        chunk([{ text: 'Hello' }], { promptTokenCount: 8, candidatesTokenCount: 1, totalTokenCount: 9 }),
        chunk([{ text: ' from Gemini.' }], { promptTokenCount: 8, candidatesTokenCount: 4, totalTokenCount: 12 }, 'STOP'),
      ]);
    }
    return json(
      res,
      200,
      response([{ text: 'Hello from Gemini.' }], { promptTokenCount: 8, candidatesTokenCount: 4, totalTokenCount: 12 }),
    );
  });
  const account = await accountWithKey(zai, { provider: 'gemini', apiKey: GEMINI_KEY, baseUrl: fake.url });
  key = account.key;
  client = new Anthropic({ apiKey: key, baseURL: zai.url, maxRetries: 0 });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

describe('Gemini behind /v1/messages', () => {
  it('merges the system prompt and system messages from inside the list into systemInstruction', async () => {
    const message = await client.messages.create({
      model: MODEL,
      // Above gemini-2.5-flash's limit; the SDK itself refuses non-streaming requests above ~21,000.
      max_tokens: 20_000,
      system: 'You are terse.',
      messages: [
        { role: 'user', content: 'Say hello' },
        { role: 'system', content: 'Answer in English.' } as never,
        { role: 'assistant', content: 'Hi.' },
        { role: 'user', content: 'Again.' },
      ],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from Gemini.' }]);
    expect(message.model).toBe(MODEL);
    expect(message.usage).toMatchObject({ input_tokens: 8, output_tokens: 4 });
    const sent = bodyOf(lastCall('gemini-2.5-flash'));
    expect(sent).toEqual({
      systemInstruction: { parts: [{ text: 'You are terse.' }, { text: 'Answer in English.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Say hello' }] },
        { role: 'model', parts: [{ text: 'Hi.' }] },
        { role: 'user', parts: [{ text: 'Again.' }] },
      ],
      generationConfig: { maxOutputTokens: 20000 },
    });
  });

  it('streams in Anthropic’s grammar although Gemini sends no end marker, with the final usageMetadata', async () => {
    const res = await fetch(`${zai.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ model: MODEL, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const events = readEvents(await res.text());
    expect(grammarErrors(events)).toEqual([]);
    expect(events.at(-2)?.data).toMatchObject({
      delta: { stop_reason: 'end_turn' },
      usage: { input_tokens: 8, output_tokens: 4 },
    });
  });

  it('asks Gemini for thought summaries when thinking is on, and streams them as a thinking block before the text', async () => {
    behaviours.set('gemini-2.5-pro', (_req, res) =>
      writeFrames(res, [
        chunk([{ text: 'The user wants a greeting.', thought: true }], { promptTokenCount: 8, thoughtsTokenCount: 6 }),
        chunk([{ text: 'Hello!' }], { promptTokenCount: 8, candidatesTokenCount: 2, thoughtsTokenCount: 6 }, 'STOP'),
      ]),
    );
    const message = await client.messages
      .stream({
        model: 'gemini/gemini-2.5-pro',
        max_tokens: 1000,
        thinking: { type: 'adaptive' },
        output_config: { effort: 'high' },
        messages: [{ role: 'user', content: 'Greet me.' }],
      })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'The user wants a greeting.', signature: '' },
      { type: 'text', text: 'Hello!' },
    ]);
    // Gemini bills thoughts as output.
    expect(message.usage).toMatchObject({ input_tokens: 8, output_tokens: 8 });
    expect(bodyOf(lastCall('gemini-2.5-pro')).generationConfig).toEqual({
      maxOutputTokens: 1000,
      // Thoughts count against the output limit: half of it is left for the answer.
      thinkingConfig: { thinkingBudget: 500, includeThoughts: true },
    });
  });

  it('round-trips a streamed tool call: tool_use to the client, tool_result back to Gemini as a functionResponse', async () => {
    behaviours.set('gemini-tools', (req, res) => {
      const contents = bodyOf(req).contents as Array<{ parts: Json[] }>;
      if (contents.some((c) => c.parts.some((p) => p.functionResponse !== undefined))) {
        return writeFrames(res, [chunk([{ text: '18°C in Lyon.' }], { promptTokenCount: 60, candidatesTokenCount: 5 }, 'STOP')]);
      }
      return writeFrames(res, [
        chunk(
          [{ functionCall: { name: 'get_weather', args: { city: 'Lyon' } }, thoughtSignature: 'c2lnLWx5b24=' }],
          {
            promptTokenCount: 40,
            candidatesTokenCount: 9,
          },
          'STOP',
        ),
      ]);
    });
    const first = await client.messages
      .stream({
        model: 'gemini/gemini-tools',
        max_tokens: 500,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Lyon?' }],
      })
      .finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const toolUse = first.content[0] as Anthropic.ToolUseBlock;
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Lyon' } });
    expect(toolUse.id).toMatch(/^call_/);
    const declared = (bodyOf(lastCall('gemini-tools')).tools as Array<{ functionDeclarations: Json[] }>)[0]?.functionDeclarations;
    expect(declared).toEqual([
      {
        name: 'get_weather',
        description: 'Current weather for a city',
        parametersJsonSchema: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
          additionalProperties: false,
        },
      },
    ]);

    const second = await client.messages
      .stream({
        model: 'gemini/gemini-tools',
        max_tokens: 500,
        tools: [weatherTool],
        messages: [
          { role: 'user', content: 'Lyon?' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '{"temp_c":18}' }] },
        ],
      })
      .finalMessage();
    expect(second.content).toEqual([{ type: 'text', text: '18°C in Lyon.' }]);
    expect((bodyOf(lastCall('gemini-tools')).contents as Json[]).slice(1)).toEqual([
      {
        role: 'model',
        // The client's history has no thought signature: Google's documented placeholder goes in its place.
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Lyon' } }, thoughtSignature: 'skip_thought_signature_validator' },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp_c: 18 } } }] },
    ]);
  });

  it('sends a base64 image inline, and refuses a URL image with a 400 that names the block', async () => {
    const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });
    expect((bodyOf(lastCall('gemini-2.5-flash')).contents as Json[])[0]).toEqual({
      role: 'user',
      parts: [{ inlineData: { mimeType: 'image/png', data: PNG } }, { text: 'What is this?' }],
    });
    const err = await client.messages
      .create({
        model: MODEL,
        max_tokens: 100,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }] }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining('base64 data: URL') },
    });
  });

  it('answers 529 overloaded_error when Gemini is unavailable', async () => {
    behaviours.set('gemini-down', (_req, res) =>
      json(res, 503, { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }),
    );
    const err = await client.messages
      .create({ model: 'gemini/gemini-down', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.OverloadedError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      error: { type: 'overloaded_error', message: 'The model is overloaded.' },
    });
  });
});
