/**
 * The server the request-fuzzing suites send their bodies to: the real Z-AI, with OpenAI, Anthropic
 * and Gemini providers pointing at a fake upstream that answers every call normally, a plain and a
 * capped key, and a management session on an account of its own.
 */
import type http from 'node:http';
import { ApiClient, accountWithKey, startZai, type Zai } from './harness.js';
import {
  json,
  openAICompletion,
  openAIStreamEvents,
  startFakeServer,
  writeSse,
  type FakeServer,
  type RecordedRequest,
} from './fake-upstream.js';

export const ANTHROPIC_KEY = 'sk-ant-api03-canaryFUZZ-0123456789abcdefghijklmnop';
export const GEMINI_KEY = 'AIzaSycanaryFUZZ-GeminiKey-0123456789abcd';

export interface FuzzServer {
  zai: Zai;
  fake: FakeServer;
  plainKey: string;
  cappedKey: string;
  admin: ApiClient;
  existingKeyId: string;
  existingProviderId: string;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The fake upstream: every protocol answered normally

function bodyOf(req: RecordedRequest): Record<string, unknown> {
  return typeof req.json === 'object' && req.json !== null && !Array.isArray(req.json)
    ? (req.json as Record<string, unknown>)
    : {};
}

function anthropicStream(res: http.ServerResponse): Promise<void> {
  const events = [
    {
      type: 'message_start',
      message: { id: 'msg_fuzz', type: 'message', role: 'assistant', content: [], usage: { input_tokens: 9, output_tokens: 1 } },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello from the fake.' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5 } },
    { type: 'message_stop' },
  ];
  return writeSse(
    res,
    events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`),
  );
}

function geminiAnswer(candidates: number): Record<string, unknown> {
  return {
    candidates: Array.from({ length: candidates }, (_, index) => ({
      content: { role: 'model', parts: [{ text: 'Hello from the fake.' }] },
      finishReason: 'STOP',
      index,
    })),
    usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 5, totalTokenCount: 14 },
    responseId: 'fuzzResp',
  };
}

const GEMINI_CALL =
  /^\/v1beta\/models\/([^/:?]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)(\?.*)?$/;

async function upstream(req: RecordedRequest, res: http.ServerResponse): Promise<void> {
  const body = bodyOf(req);
  const path = req.path.split('?')[0] ?? '';
  if (req.method === 'GET') return json(res, 200, { object: 'list', data: [], models: [] });
  if (path === '/v1/chat/completions') {
    if (body.stream === true) return writeSse(res, openAIStreamEvents(['Hel', 'lo']));
    return json(res, 200, openAICompletion());
  }
  if (path === '/v1/embeddings') {
    const n = Array.isArray(body.input) ? body.input.length : 1;
    const vector = [0.5, -0.25, 0.125];
    const embedding =
      body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return json(res, 200, {
      object: 'list',
      model: 'text-embedding-3-small',
      data: Array.from({ length: n }, (_, index) => ({ object: 'embedding', index, embedding })),
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
  }
  if (path === '/v1/messages') {
    if (body.stream === true) return anthropicStream(res);
    return json(res, 200, {
      id: 'msg_fuzz',
      type: 'message',
      role: 'assistant',
      model: String(body.model),
      content: [{ type: 'text', text: 'Hello from the fake.' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 9, output_tokens: 5 },
    });
  }
  const gemini = GEMINI_CALL.exec(req.path);
  if (gemini?.[1] === 'gemini-fractional-code') {
    // A Google error whose numeric code is not an integer HTTP status, in a 200 stream and as a 400.
    const error = { error: { code: 450.5, message: 'odd upstream code' } };
    if (gemini[2] === 'streamGenerateContent') return writeSse(res, [`data: ${JSON.stringify(error)}\r\n\r\n`]);
    return json(res, 400, error);
  }
  if (gemini !== null) {
    const config = (body.generationConfig ?? {}) as Record<string, unknown>;
    const candidates =
      typeof config.candidateCount === 'number' && config.candidateCount > 0 ? Math.min(config.candidateCount, 8) : 1;
    switch (gemini[2]) {
      case 'generateContent':
        return json(res, 200, geminiAnswer(candidates));
      case 'streamGenerateContent':
        return writeSse(res, [`data: ${JSON.stringify(geminiAnswer(candidates))}\r\n\r\n`]);
      case 'embedContent':
        return json(res, 200, { embedding: { values: [0.5, -0.25, 0.125] } });
      default: {
        const requests = Array.isArray(body.requests) ? body.requests : [];
        return json(res, 200, { embeddings: requests.map(() => ({ values: [0.5, -0.25, 0.125] })) });
      }
    }
  }
  return json(res, 404, { error: { message: `fake: no route for ${req.method} ${req.path}` } });
}

// ---------------------------------------------------------------------------------------------

/** Starts the server and the fake upstream and creates the keys and the session; `close` stops both. */
export async function startFuzzServer(): Promise<FuzzServer> {
  const zai = await startZai();
  const fake = await startFakeServer(upstream).catch(async (error: unknown) => {
    await zai.close();
    throw error;
  });
  const close = async (): Promise<void> => {
    await zai.close();
    await fake.close();
  };
  try {
    const account = await accountWithKey(zai, { baseUrl: `${fake.url}/v1`, apiKey: 'sk-fuzz-0123456789abcdefghij' });
    for (const [provider, apiKey] of [
      ['anthropic', ANTHROPIC_KEY],
      ['gemini', GEMINI_KEY],
    ] as const) {
      const added = await account.api.post('/api/providers', { provider, api_key: apiKey, base_url: fake.url });
      if (added.status !== 201) throw new Error(`adding ${provider} failed: ${added.text}`);
    }
    const capped = await account.api.post('/api/keys', { name: 'capped', spend_cap_micro_usd: 50_000_000 });
    if (capped.status !== 201) throw new Error(`capped key failed: ${capped.text}`);

    // The management API is fuzzed on an account of its own, so what it creates cannot disturb the gateway runs.
    const admin = new ApiClient(zai.url);
    const signup = await admin.signup(`fuzz-admin-${Date.now()}@example.com`);
    if (signup.status !== 201) throw new Error(`signup failed: ${signup.text}`);
    const key = await admin.post('/api/keys', { name: 'target' });
    const provider = await admin.post('/api/providers', {
      provider: 'openai',
      api_key: 'sk-fuzz-0123456789abcdefghij',
      base_url: `${fake.url}/v1`,
    });
    return {
      zai,
      fake,
      plainKey: account.key,
      cappedKey: String(capped.body.key),
      admin,
      existingKeyId: String(key.body.id),
      existingProviderId: String(provider.body.id),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
