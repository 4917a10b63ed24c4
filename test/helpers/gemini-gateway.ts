/**
 * The real Z-AI server in front of a fake Gemini speaking the real generateContent protocol over
 * HTTP (`x-goog-api-key`, `models/{id}:generateContent`, `:streamGenerateContent?alt=sse`,
 * embedContent / batchEmbedContents, `GET /v1beta/models`, Google error bodies), with one account
 * whose Z-AI key reaches it, for the test files of Gemini behind the OpenAI API.
 */
import type http from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';
import { accountWithKey, startZai, type ApiClient, type Zai } from './harness.js';
import { bodyOf, json, startFakeServer, writeFrames, type FakeServer, type RecordedRequest } from './fake-upstream.js';
import { chunk, dataEvent, geminiResponse, googleError } from './gemini-wire.js';

export const GEMINI_KEY = 'AIzaSycanaryGEMINI-fakeKey-0123456789abcd';
export const CATALOG_MODEL = 'gemini/gemini-2.5-flash';
export const EMBEDDING_MODEL = 'gemini/gemini-embedding-001';

export type Behaviour = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;

export interface GeminiGateway {
  zai: Zai;
  fake: FakeServer;
  /** The management API, signed in as the account that owns the Gemini provider. */
  api: ApiClient;
  providerId: string;
  /** The openai SDK with the account's Z-AI key, against Z-AI's /v1. */
  client: OpenAI;
  zaiKey: string;
  /** Per `<model>:<method>` (e.g. `gemini-e2e-tools:generateContent`): how the fake answers. */
  behaviours: Map<string, Behaviour>;
  /** The last call the fake received for a model and method. */
  lastCall(model: string, method: string): RecordedRequest;
}

const CALL_PATH = /^\/v1beta\/models\/([^/:?]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)(\?.*)?$/;

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

/** The fake's answer when no behaviour is set for the call: like the real API for a known key. */
function answer(behaviours: Map<string, Behaviour>): Behaviour {
  return async (req, res) => {
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
        const requests = (bodyOf(req).requests as unknown[]) ?? [];
        return json(res, 200, { embeddings: requests.map((_, i) => ({ values: [0.5 * (i + 1), -0.25, 0.125] })) });
      }
      default:
        return googleError(res, 404, 'NOT_FOUND', 'unknown method');
    }
  };
}

/**
 * Starts the server, the fake and the account in the calling file's beforeAll (and closes them in
 * its afterAll). The returned object's fields are there once beforeAll has run.
 */
export function useGeminiGateway(): GeminiGateway {
  const behaviours = new Map<string, Behaviour>();
  let zai: Zai | undefined;
  let fake: FakeServer | undefined;
  let started: Omit<GeminiGateway, 'behaviours' | 'lastCall'> | undefined;
  const get = () => {
    if (started === undefined) throw new Error('the Gemini gateway is used before its beforeAll ran');
    return started;
  };

  beforeAll(async () => {
    zai = await startZai();
    fake = await startFakeServer(answer(behaviours));
    const account = await accountWithKey(zai, {
      provider: 'gemini',
      apiKey: GEMINI_KEY,
      baseUrl: fake.url,
      key: { allowed_models: ['gemini/*'] },
    });
    started = {
      zai,
      fake,
      api: account.api,
      providerId: account.providerId,
      zaiKey: account.key,
      client: new OpenAI({ apiKey: account.key, baseURL: `${zai.url}/v1`, maxRetries: 0 }),
    };
  });

  afterAll(async () => {
    await zai?.close();
    await fake?.close();
  });

  return {
    behaviours,
    get zai() {
      return get().zai;
    },
    get fake() {
      return get().fake;
    },
    get api() {
      return get().api;
    },
    get providerId() {
      return get().providerId;
    },
    get client() {
      return get().client;
    },
    get zaiKey() {
      return get().zaiKey;
    },
    lastCall(model, method) {
      const found = get()
        .fake.requests.filter((r) => {
          const m = CALL_PATH.exec(r.path);
          return m !== null && decodeURIComponent(m[1]!) === model && m[2] === method;
        })
        .at(-1);
      if (found === undefined) throw new Error(`the fake never received ${model}:${method}`);
      return found;
    },
  };
}
