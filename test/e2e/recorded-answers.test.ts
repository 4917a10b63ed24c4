/**
 * Real provider answers, replayed: each recording in test/fixtures/recorded (one file per answer,
 * its source named in it) is served by a fake upstream exactly as recorded, through the real
 * Z-AI server, and read back with the official `openai` SDK — `chat.completions.create()` for
 * whole answers, `chat.completions.stream()` and its `finalChatCompletion()` for streams. What the
 * client gets is compared with what the recording says: text, reasoning (`reasoning_content`),
 * tool calls (arguments parsed), finish reason and usage.
 */
import type http from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startZai, type Zai } from '../helpers/harness.js';
import { startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-upstream.js';
import { loadRecording, serveRecording, type Recording } from '../helpers/recording.js';
import { RECORDED_CASES } from './recorded-cases.js';

/** The provider each recording folder is, and a key in its format. */
const PROVIDER_KEYS: Record<string, string> = {
  openai: 'sk-proj-canaryRECORDED-0123456789abcdefghij',
  anthropic: 'sk-ant-api03-canaryRECORDED-0123456789abcdefghij',
  gemini: 'AIzaSycanaryRECORDED-0123456789abcdefghijklm',
  groq: 'gsk_canaryRECORDED0123456789abcdefghijklmnop',
  mistral: 'canaryRECORDEDMistral0123456789abcdef',
  together: 'canaryRECORDEDtogether-0123456789abcdef',
  fireworks: 'fw_canaryRECORDED0123456789abcdefghij',
};

/** The upstream model a case is served under: unique per recording, so the fake knows which to send. */
const modelOf = (recording: string): string => `rec-${recording.replaceAll('/', '-').replaceAll('.', '-')}`;

const recordings = new Map<string, Recording>(
  RECORDED_CASES.map((c) => [
    modelOf(c.recording),
    loadRecording(new URL(`../fixtures/recorded/${c.recording}.http`, import.meta.url)),
  ]),
);

let zai: Zai;
let fake: FakeServer;
let client: OpenAI;
let api: ApiClient;
const providerIds = new Map<string, string>();

/** The upstream model a request names: in the body, or (Gemini) in the path. */
function requestedModel(req: RecordedRequest): string | undefined {
  const gemini = /\/models\/([^/:?]+):/.exec(req.path);
  if (gemini?.[1] !== undefined) return decodeURIComponent(gemini[1]);
  const body = req.json as { model?: unknown } | undefined;
  return typeof body?.model === 'string' ? body.model : undefined;
}

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(async (req: RecordedRequest, res: http.ServerResponse) => {
    const recording = recordings.get(requestedModel(req) ?? '');
    if (recording === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no recording for this model"}}');
      return;
    }
    await serveRecording(res, recording);
  });
  api = new ApiClient(zai.url);
  expect((await api.signup(`recorded-${Date.now()}@example.com`)).status).toBe(201);
  for (const [provider, key] of Object.entries(PROVIDER_KEYS)) {
    const base = provider === 'anthropic' || provider === 'gemini' ? `${fake.url}/${provider}` : `${fake.url}/${provider}/v1`;
    const created = await api.post('/api/providers', { provider, api_key: key, base_url: base });
    expect(created.status, created.text).toBe(201);
    providerIds.set(provider, String(created.body.id));
  }
  const key = await api.post('/api/keys', { name: 'recorded' });
  expect(key.status).toBe(201);
  client = new OpenAI({ apiKey: String(key.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await zai?.close();
  await fake?.close();
});

interface Answer {
  text: string | null | undefined;
  reasoning: string | undefined;
  toolCalls: Array<{ name: string; arguments: unknown; id: string }>;
  finish: string | null | undefined;
  usage: unknown;
}

function toolCallsOf(message: OpenAI.Chat.ChatCompletionMessage): Answer['toolCalls'] {
  return (message.tool_calls ?? []).map((call) => {
    if (call.type !== 'function') throw new Error(`unexpected tool call type ${call.type}`);
    return { name: call.function.name, arguments: JSON.parse(call.function.arguments) as unknown, id: call.id };
  });
}

function usageOf(usage: OpenAI.CompletionUsage | undefined): unknown {
  return usage === undefined
    ? undefined
    : { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.total_tokens };
}

/** A streamed answer through the SDK's stream helper; reasoning is joined from the chunks (the helper keeps only the last piece of fields it does not know). */
async function streamed(model: string, extra: Record<string, unknown>): Promise<Answer> {
  const stream = client.chat.completions.stream({
    model,
    messages: [{ role: 'user', content: 'Go.' }],
    stream_options: { include_usage: true },
    ...extra,
  } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
  let reasoning: string | undefined;
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      const piece = (choice.delta as { reasoning_content?: unknown }).reasoning_content;
      if (typeof piece === 'string') reasoning = (reasoning ?? '') + piece;
    }
  }
  const final = await stream.finalChatCompletion();
  const choice = final.choices[0];
  if (choice === undefined) throw new Error('no choice');
  return {
    text: choice.message.content,
    reasoning,
    toolCalls: toolCallsOf(choice.message),
    finish: choice.finish_reason,
    usage: usageOf(final.usage),
  };
}

async function whole(model: string, extra: Record<string, unknown>): Promise<Answer> {
  const completion = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'Go.' }],
    ...extra,
  } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
  const choice = completion.choices[0];
  if (choice === undefined) throw new Error('no choice');
  const reasoning = (choice.message as { reasoning_content?: unknown }).reasoning_content;
  return {
    text: choice.message.content,
    reasoning: typeof reasoning === 'string' ? reasoning : undefined,
    toolCalls: toolCallsOf(choice.message),
    finish: choice.finish_reason,
    usage: usageOf(completion.usage),
  };
}

describe('recorded provider answers through Z-AI, read with the openai SDK', () => {
  it('covers a text stream, a tool-call stream and a whole answer for every built-in provider', () => {
    for (const provider of Object.keys(PROVIDER_KEYS)) {
      for (const kind of ['text.stream', 'tool-call.stream', '.response']) {
        expect(
          RECORDED_CASES.some((c) => c.recording.startsWith(`${provider}/`) && c.recording.includes(kind)),
          `${provider} ${kind}`,
        ).toBe(true);
      }
    }
  });

  it.each(RECORDED_CASES.map((c) => [c.recording, c] as const))('%s', async (_name, testCase) => {
    const provider = testCase.recording.slice(0, testCase.recording.indexOf('/'));
    const model = `${provider}/${modelOf(testCase.recording)}`;
    const extra = testCase.request ?? {};
    const answer = testCase.recording.includes('.stream') ? await streamed(model, extra) : await whole(model, extra);
    const expected = testCase.expect;
    expect(answer.text ?? null).toBe(expected.text);
    expect(answer.reasoning).toBe(expected.reasoning);
    expect(answer.toolCalls.map(({ name, arguments: args }) => ({ name, arguments: args }))).toEqual(
      (expected.toolCalls ?? []).map(({ name, arguments: args }) => ({ name, arguments: args })),
    );
    for (const [i, call] of (expected.toolCalls ?? []).entries()) {
      if (call.id !== undefined) expect(answer.toolCalls[i]?.id).toBe(call.id);
      else expect(answer.toolCalls[i]?.id).toMatch(/^call_/);
    }
    expect(answer.finish).toBe(expected.finish);
    expect(answer.usage).toEqual(expected.usage);
  });

  it('reasoning_effort "none" turns reasoning off: the same recordings come back without reasoning_content', async () => {
    const off = { reasoning_effort: 'none' };
    expect((await whole(`mistral/${modelOf('mistral/thinking.response')}`, off)).reasoning).toBeUndefined();
    const stream = await streamed(`mistral/${modelOf('mistral/thinking.stream')}`, off);
    expect(stream).toMatchObject({ text: '2 + 2 = **4**.', reasoning: undefined });
    expect((await whole(`groq/${modelOf('groq/reasoning.response')}`, off)).reasoning).toBeUndefined();
    expect((await whole(`anthropic/${modelOf('anthropic/thinking.response')}`, off)).reasoning).toBeUndefined();
    expect((await streamed(`gemini/${modelOf('gemini/thinking.stream')}`, off)).reasoning).toBeUndefined();
  });

  it("Gemini's 400 for a bad key is a 401 in chat and in the provider Test", async () => {
    const bad = loadRecording(new URL('../fixtures/recorded/gemini/api-key-invalid.error.http', import.meta.url));
    fake.handle(async (req, res) => {
      if (requestedModel(req) === 'rec-bad-key' || (req.method === 'GET' && req.path.startsWith('/gemini/v1beta/models'))) {
        await serveRecording(res, bad);
        return;
      }
      const recording = recordings.get(requestedModel(req) ?? '');
      if (recording === undefined) res.writeHead(404).end();
      else await serveRecording(res, recording);
    });
    const err = await client.chat.completions
      .create({ model: 'gemini/rec-bad-key', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    const test = await api.post<{ ok: boolean; status: number | null; message: string }>(
      `/api/providers/${providerIds.get('gemini') ?? ''}/test`,
    );
    expect(test.body).toMatchObject({ ok: false, status: 401, message: 'API key not valid. Please pass a valid API key.' });
  });
});
