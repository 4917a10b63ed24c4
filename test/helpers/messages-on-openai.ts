/**
 * The Anthropic Messages ingress on an OpenAI-compatible provider, the fixture of its end-to-end
 * suites: the real Z-AI server (256 KiB body limit), a fake OpenAI speaking the real Chat
 * Completions protocol, answering per upstream model id, and an `@anthropic-ai/sdk` client on a key
 * of an account with that provider.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll } from 'vitest';
import {
  bodyOf,
  json,
  openAICompletion,
  openAIStreamEvents,
  startFakeServer,
  writeSse,
  type FakeHandler,
  type FakeServer,
  type RecordedRequest,
} from './fake-upstream.js';
import { accountWithKey, startZai, type ApiClient, type Zai } from './harness.js';

export const MODEL = 'openai/gpt-4o-mini';

export interface MessagesOnOpenAI {
  zai: Zai;
  fake: FakeServer;
  /** The management API, logged in as the account that owns the provider. */
  api: ApiClient;
  /** The Z-AI key the client uses. */
  key: string;
  client: Anthropic;
  /**
   * Per upstream model id: how the fake answers `POST /v1/chat/completions` (otherwise "Hello from
   * GPT.", or "Hello there." streamed).
   */
  behaviours: Map<string, FakeHandler>;
  /** The last `POST /v1/chat/completions` the fake received for an upstream model id. */
  lastCall(model: string): RecordedRequest;
}

/** Starts the server and the fake before the file's tests and closes them after; the fields are set once started. */
export function useMessagesOnOpenAI(): MessagesOnOpenAI {
  const behaviours = new Map<string, FakeHandler>();
  // Filled in by beforeAll, before any test reads it.
  const suite = {
    behaviours,
    lastCall(model: string): RecordedRequest {
      const found = suite.fake.requests.filter((r) => r.path === '/v1/chat/completions' && bodyOf(r).model === model).at(-1);
      if (found === undefined) throw new Error(`the fake never received a request for ${model}`);
      return found;
    },
  } as MessagesOnOpenAI;

  beforeAll(async () => {
    suite.zai = await startZai({ ZAI_MAX_BODY_BYTES: String(256 * 1024) });
    suite.fake = await startFakeServer(async (req, res) => {
      const behaviour = behaviours.get(String(bodyOf(req)?.model));
      if (behaviour) return behaviour(req, res);
      if (bodyOf(req)?.stream)
        return writeSse(res, openAIStreamEvents(['Hello', ' there.'], { prompt_tokens: 30, completion_tokens: 4 }));
      return json(res, 200, openAICompletion({ content: 'Hello from GPT.', usage: { prompt_tokens: 30, completion_tokens: 4 } }));
    });
    const account = await accountWithKey(suite.zai, { baseUrl: `${suite.fake.url}/v1`, key: { allowed_models: ['openai/*'] } });
    suite.api = account.api;
    suite.key = account.key;
    suite.client = new Anthropic({ apiKey: suite.key, baseURL: suite.zai.url, maxRetries: 0 });
  });

  afterAll(async () => {
    await suite.zai.close();
    await suite.fake.close();
  });

  return suite;
}
