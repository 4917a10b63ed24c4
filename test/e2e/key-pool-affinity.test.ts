/**
 * Prompt-cache affinity on requests passed through natively: Claude Code's `/v1/messages` to an
 * `anthropic/*` model and Codex's `/v1/responses` to an `openai/*` model. Each entry pools keys A
 * and B with affinity on; the fake provider answers naming the key that was sent, so the official
 * SDKs show which pool key served each turn of a conversation.
 */
import type http from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startZai, type Zai } from '../helpers/harness.js';
import { json, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-upstream.js';
import { answerAnthropic } from '../helpers/provider-answers.js';

let zai: Zai;
let fake: FakeServer;
let anthropic: Anthropic;
let openai: OpenAI;
const tag = Math.random().toString(36).slice(2, 10);
/** Pool key → the name the fake answers with. */
const names = new Map([
  [`sk-ant-api03-${tag}-A-0123456789abcdefghij`, 'key A'],
  [`sk-ant-api03-${tag}-B-0123456789abcdefghij`, 'key B'],
  [`sk-proj-${tag}-A-0123456789abcdef`, 'key A'],
  [`sk-proj-${tag}-B-0123456789abcdef`, 'key B'],
]);

function responseObject(model: string, text: string): Record<string, unknown> {
  return {
    id: 'resp_affinity',
    object: 'response',
    created_at: 1767225600,
    status: 'completed',
    error: null,
    incomplete_details: null,
    instructions: null,
    model,
    output: [
      {
        id: 'msg_affinity',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [] }],
      },
    ],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage: { input_tokens: 20, input_tokens_details: { cached_tokens: 0 }, output_tokens: 2, total_tokens: 22 },
  };
}

function answer(req: RecordedRequest, res: http.ServerResponse): void | Promise<void> {
  const body = req.json as { model: string; stream?: boolean };
  if (req.path === '/v1/messages') {
    const name = names.get(String(req.headers['x-api-key']));
    if (name === undefined) return json(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'no' } });
    return answerAnthropic(res, { text: name, finish: 'stop', usage: { input: 20, output: 2 } }, body.stream === true);
  }
  const name = names.get(String(req.headers.authorization).replace(/^Bearer /, ''));
  if (name === undefined) return json(res, 401, { error: { message: 'no', type: 'invalid_request_error' } });
  return json(res, 200, responseObject(body.model, name));
}

/** A provider entry with affinity whose pool holds the two keys of `prefix`. */
async function pooledEntry(api: ApiClient, provider: string, prefix: string, baseUrl: string): Promise<void> {
  const [a, b] = [...names.keys()].filter((k) => k.startsWith(prefix));
  const created = await api.post('/api/providers', { provider, api_key: a, base_url: baseUrl, affinity: true });
  expect(created.status).toBe(201);
  expect((await api.post(`/api/providers/${String(created.body.id)}/keys`, { api_key: b, label: 'B' })).status).toBe(201);
}

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(answer);
  const api = new ApiClient(zai.url);
  await api.signup(`affinity-${tag}@example.com`);
  await pooledEntry(api, 'anthropic', 'sk-ant-', fake.url);
  await pooledEntry(api, 'openai', 'sk-proj-', `${fake.url}/v1`);
  const key = String((await api.post('/api/keys', { name: 'agents' })).body.key);
  anthropic = new Anthropic({ apiKey: key, baseURL: zai.url, maxRetries: 0 });
  openai = new OpenAI({ apiKey: key, baseURL: `${zai.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

const CONVERSATIONS = 16;
const TURNS = 5;

/** Runs every conversation turn by turn; per conversation, the keys that answered. */
async function servedBy(turn: (conversation: number, turn: number) => Promise<string>): Promise<Set<string>[]> {
  const out: Set<string>[] = [];
  for (let c = 0; c < CONVERSATIONS; c++) {
    const keys = new Set<string>();
    for (let t = 0; t < TURNS; t++) keys.add(await turn(c, t));
    out.push(keys);
  }
  return out;
}

describe('prompt-cache affinity on native passthroughs', () => {
  it('/v1/messages to anthropic/*: each conversation stays on one pool key, different ones spread', async () => {
    const since = fake.requests.length;
    const perConversation = await servedBy(async (c, t) => {
      // As Claude Code sends it: the cache breakpoint sits on the newest user message.
      const messages: Anthropic.MessageParam[] = [];
      for (let i = 0; i <= t; i++) {
        const newest = i === t;
        messages.push({
          role: 'user',
          content: [
            {
              type: 'text',
              text: i === 0 ? `Fix the bug in module ${c}.` : `Turn ${i}.`,
              ...(newest ? { cache_control: { type: 'ephemeral' as const } } : {}),
            },
          ],
        });
        if (!newest) messages.push({ role: 'assistant', content: 'Done.' });
      }
      const request = {
        model: 'anthropic/claude-sonnet-4-5',
        max_tokens: 256,
        system: [{ type: 'text' as const, text: 'You are a coding agent.', cache_control: { type: 'ephemeral' as const } }],
        messages,
      };
      const message =
        t % 2 === 0 ? await anthropic.messages.create(request) : await anthropic.messages.stream(request).finalMessage();
      const block = message.content[0];
      return block?.type === 'text' ? block.text : '';
    });
    expect(fake.requests.slice(since).every((r) => r.path === '/v1/messages')).toBe(true);
    expect(perConversation.map((keys) => keys.size)).toEqual(Array.from({ length: CONVERSATIONS }, () => 1));
    expect(new Set(perConversation.flatMap((keys) => [...keys]))).toEqual(new Set(['key A', 'key B']));
  });

  it('/v1/responses to openai/*: each conversation stays on one pool key, different ones spread', async () => {
    const since = fake.requests.length;
    const perConversation = await servedBy(async (c, t) => {
      // As Codex sends it: instructions, the context as a first user item, then the growing tail.
      const input: OpenAI.Responses.ResponseInputItem[] = [
        {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: `<environment_context>repo ${c}</environment_context>` }],
        },
      ];
      for (let i = 1; i <= t; i++) {
        input.push({ type: 'function_call', call_id: `call_${i}`, name: 'shell', arguments: '{"command":["ls"]}' });
        input.push({ type: 'function_call_output', call_id: `call_${i}`, output: 'README.md' });
        input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: `Turn ${i}.` }] });
      }
      const response = await openai.responses.create({
        model: 'openai/gpt-5-codex',
        instructions: 'You are Codex, a coding agent.',
        input,
        store: false,
      });
      return response.output_text;
    });
    expect(fake.requests.slice(since).every((r) => r.path === '/v1/responses')).toBe(true);
    expect(perConversation.map((keys) => keys.size)).toEqual(Array.from({ length: CONVERSATIONS }, () => 1));
    expect(new Set(perConversation.flatMap((keys) => [...keys]))).toEqual(new Set(['key A', 'key B']));
  });
});
