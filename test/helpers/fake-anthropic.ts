/**
 * Anthropic behind the OpenAI API, the fixture of its end-to-end suites: the real Z-AI server, a
 * fake Anthropic speaking the real Messages protocol over HTTP (it requires `x-api-key` and
 * `anthropic-version` like the real API, lists three models, answers `POST /v1/messages` per
 * upstream model id) and an `openai` SDK client on a key of an account with that provider.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';
import { anthropicError, anthropicMessage } from './anthropic-wire.js';
import { bodyOf, json, startFakeServer, type FakeHandler, type FakeServer, type RecordedRequest } from './fake-upstream.js';
import { accountWithKey, startZai, type ApiClient, type Zai } from './harness.js';

export const ANTHROPIC_KEY = 'sk-ant-api03-canaryANTHROPIC-0123456789abcdefghijklmnop';
export const CATALOG_MODEL = 'anthropic/claude-sonnet-4-5';

export interface FakeAnthropic {
  zai: Zai;
  fake: FakeServer;
  /** The management API, logged in as the account that owns the provider. */
  api: ApiClient;
  providerId: string;
  client: OpenAI;
  /** Per upstream model id: how the fake answers `POST /v1/messages` (otherwise with `anthropicMessage()`). */
  behaviours: Map<string, FakeHandler>;
  /** The last `POST /v1/messages` the fake received for an upstream model id. */
  lastMessagesCall(model: string): RecordedRequest;
}

/** Starts the server and the fake before the file's tests and closes them after; the fields are set once started. */
export function useFakeAnthropic(): FakeAnthropic {
  const behaviours = new Map<string, FakeHandler>();
  // Filled in by beforeAll, before any test reads it.
  const suite = {
    behaviours,
    lastMessagesCall(model: string): RecordedRequest {
      const found = suite.fake.requests.filter((r) => r.path === '/v1/messages' && bodyOf(r)?.model === model).at(-1);
      if (found === undefined) throw new Error(`the fake never received a request for ${model}`);
      return found;
    },
  } as FakeAnthropic;

  beforeAll(async () => {
    suite.zai = await startZai();
    suite.fake = await startFakeServer(async (req, res) => {
      // Like the real API: the key and the version header are required on every call.
      if (req.headers['x-api-key'] !== ANTHROPIC_KEY)
        return anthropicError(res, 401, 'authentication_error', 'invalid x-api-key');
      if (req.headers['anthropic-version'] !== '2023-06-01')
        return anthropicError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
      if (req.method === 'GET' && req.path.split('?')[0] === '/v1/models') {
        return json(res, 200, {
          data: [
            {
              type: 'model',
              id: 'claude-sonnet-4-5-20250929',
              display_name: 'Claude Sonnet 4.5',
              created_at: '2025-09-29T00:00:00Z',
            },
            {
              type: 'model',
              id: 'claude-haiku-4-5-20251001',
              display_name: 'Claude Haiku 4.5',
              created_at: '2025-10-01T00:00:00Z',
            },
            {
              type: 'model',
              id: 'claude-opus-4-5-20251101',
              display_name: 'Claude Opus 4.5',
              created_at: '2025-11-01T00:00:00Z',
            },
          ],
          has_more: false,
          first_id: 'claude-sonnet-4-5-20250929',
          last_id: 'claude-opus-4-5-20251101',
        });
      }
      if (req.method !== 'POST' || req.path !== '/v1/messages')
        return anthropicError(res, 404, 'not_found_error', `Not found: ${req.method} ${req.path}`);
      const behaviour = behaviours.get(String(bodyOf(req).model));
      if (behaviour) return behaviour(req, res);
      return json(res, 200, anthropicMessage(), { 'request-id': 'req_011Default' });
    });
    const account = await accountWithKey(suite.zai, {
      provider: 'anthropic',
      apiKey: ANTHROPIC_KEY,
      baseUrl: suite.fake.url,
      key: { allowed_models: ['anthropic/*'] },
    });
    suite.api = account.api;
    suite.providerId = account.providerId;
    suite.client = new OpenAI({ apiKey: account.key, baseURL: `${suite.zai.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await suite.zai.close();
    await suite.fake.close();
  });

  return suite;
}
