/**
 * What a Z-AI key means on `/v1/responses` for translated models, end to end with the `openai`
 * SDK: authentication and the allow-list, a capped key's 402 (max_output_tokens is the worst case),
 * fallbacks, client aborts, the stateless refusals, and a Codex-style request (developer prompt,
 * a namespace tool, a built-in tool) whose calls come back under the names the client declared.
 */
import type http from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, startZai, type ApiClient, type Zai } from '../helpers/harness.js';
import { json, sleep, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-upstream.js';
import { answerAnthropic, answerOpenAI } from '../helpers/provider-answers.js';

type Json = Record<string, unknown>;
type ApiError = InstanceType<typeof OpenAI.APIError>;

let zai: Zai;
let fake: FakeServer;
let api: ApiClient;
let client: OpenAI;

async function onGroq(req: RecordedRequest, res: http.ServerResponse): Promise<void> {
  const body = req.json as Json;
  const stream = body.stream === true;
  switch (body.model) {
    case 'down':
      return json(res, 503, { error: { message: 'Service unavailable', type: 'internal_server_error' } });
    case 'endless': {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (content: string) =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'endless', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
      for (let i = 0; i < 300 && !res.destroyed; i++) {
        res.write(chunk('tick '));
        await sleep(20);
      }
      res.end();
      return;
    }
    case 'codex':
      // The model calls the namespaced function under the flattened name it was given.
      return answerOpenAI(
        res,
        {
          text: 'Spawning a helper.',
          calls: [{ id: 'call_spawn', name: 'multi_agent_v1__spawn_agent', arguments: '{"task":"ls"}' }],
          finish: 'tool_calls',
          usage: { input: 40, output: 9 },
        },
        stream,
      );
    default:
      return answerOpenAI(res, { text: 'Hello from Groq.', finish: 'stop', usage: { input: 12, output: 4 } }, stream);
  }
}

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(async (req, res) => {
    if (req.path === '/openai/v1/chat/completions') return onGroq(req, res);
    if (req.path === '/v1/messages') {
      const body = req.json as Json;
      return answerAnthropic(
        res,
        { text: 'Hello from Claude.', finish: 'stop', usage: { input: 15, output: 5 } },
        body.stream === true,
      );
    }
    res.writeHead(404).end();
  });
  const account = await accountWithKey(zai, {
    provider: 'groq',
    apiKey: 'gsk_e2eFakeGroqKey0123456789abcdefghijklmnopqrstuvwxyzABCD',
    baseUrl: `${fake.url}/openai/v1`,
  });
  api = account.api;
  const anthropic = await api.post('/api/providers', {
    provider: 'anthropic',
    api_key: 'sk-ant-api03-e2eFAKEkey-0123456789abcdefghijklmnop',
    base_url: fake.url,
  });
  if (anthropic.status !== 201) throw new Error(anthropic.text);
  client = new OpenAI({ apiKey: account.key, baseURL: `${zai.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

async function newKey(fields: Json): Promise<OpenAI> {
  const created = await api.post('/api/keys', { name: 'extra', ...fields });
  if (created.status !== 201) throw new Error(created.text);
  return new OpenAI({ apiKey: String(created.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
}

function lastGroqCall(model: string): Json {
  const found = fake.requests.filter((r) => r.path === '/openai/v1/chat/completions' && (r.json as Json).model === model).at(-1);
  if (found === undefined) throw new Error(`no upstream call for ${model}`);
  return found.json as Json;
}

describe('a Z-AI key on /v1/responses', () => {
  it('refuses a missing or unknown key with 401 in OpenAI’s shape', async () => {
    const anonymous = new OpenAI({ apiKey: 'zai-not-a-key', baseURL: `${zai.url}/v1`, maxRetries: 0 });
    const error = (await anonymous.responses.create({ model: 'groq/x', input: 'Hi' }).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(401);
    expect(error.code).toBe('invalid_api_key');
  });

  it('refuses a model outside the allow-list with 403', async () => {
    const limited = await newKey({ allowed_models: ['anthropic/*'] });
    const error = (await limited.responses.create({ model: 'groq/hello', input: 'Hi' }).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(403);
    expect(error.code).toBe('model_not_allowed');
  });

  it('answers 402 when a capped key cannot cover max_output_tokens, and serves it when it can', async () => {
    const priced = await api.request('PUT', '/api/prices', {
      model: 'groq/priced',
      input_usd_per_mtok: 1,
      output_usd_per_mtok: 10,
    });
    expect(priced.status).toBe(200);
    const capped = await newKey({ spend_cap_micro_usd: 1_000 });
    // 200 output tokens at $10 per million = 2,000 micro-USD: over the cap before anything is sent.
    const error = (await capped.responses
      .create({ model: 'groq/priced', input: 'Hi', max_output_tokens: 200 })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(402);
    expect(error.code).toBe('spend_cap_reached');
    const calls = fake.requests.length;
    const { data, response } = await capped.responses
      .create({ model: 'groq/priced', input: 'Hi', max_output_tokens: 20 })
      .withResponse();
    expect(data.output_text).toBe('Hello from Groq.');
    expect(fake.requests.length).toBe(calls + 1);
    expect(lastGroqCall('priced').max_completion_tokens).toBe(20);
    // 12 input tokens at $1 and 4 output tokens at $10 per million: 12 + 40 micro-USD.
    expect(response.headers.get('x-zai-cost-micro-usd')).toBe('52');
  });

  it('counts requests against the key’s rate_limit_rpm, answering 429 with retry-after', async () => {
    const limited = await newKey({ rate_limit_rpm: 1 });
    await limited.responses.create({ model: 'groq/hello', input: 'Hi' });
    const error = (await limited.responses.create({ model: 'groq/hello', input: 'Hi' }).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThan(0);
  });

  it('falls back along the key’s chain when the model is down, and says which model served', async () => {
    const withFallback = await newKey({ fallback_model: 'anthropic/claude-e2e' });
    const { data, response } = await withFallback.responses.create({ model: 'groq/down', input: 'Hi' }).withResponse();
    expect(data.output_text).toBe('Hello from Claude.');
    expect(data.model).toBe('anthropic/claude-e2e');
    expect(response.headers.get('x-zai-model')).toBe('anthropic/claude-e2e');
    const stream = withFallback.responses.stream({ model: 'groq/down', input: 'Hi' });
    const final = await stream.finalResponse();
    expect(final.model).toBe('anthropic/claude-e2e');
  });

  it('aborts the upstream request within 100 ms of the client leaving', async () => {
    const controller = new AbortController();
    const stream = await client.responses.create(
      { model: 'groq/endless', input: 'x', stream: true },
      { signal: controller.signal },
    );
    let n = 0;
    let abortedAt = 0;
    await (async () => {
      for await (const _event of stream) {
        if (++n === 8) {
          abortedAt = performance.now();
          controller.abort();
        }
      }
    })().catch(() => undefined);
    const upstream = fake.requests
      .filter((r) => r.path === '/openai/v1/chat/completions' && (r.json as Json).model === 'endless')
      .at(-1);
    const closedAt = await upstream!.closed;
    expect(closedAt - abortedAt).toBeLessThan(100);
  });

  it('refuses previous_response_id with a 400 that says to send the whole input', async () => {
    const error = (await client.responses
      .create({ model: 'groq/hello', input: 'And then?', previous_response_id: 'resp_123' })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(400);
    expect(error.param).toBe('previous_response_id');
    expect(error.message).toMatch(/send the whole conversation in input/i);
  });

  it('refuses a tool_choice that forces a built-in tool with a 400', async () => {
    const error = (await client.responses
      .create({
        model: 'groq/hello',
        input: 'News?',
        tools: [{ type: 'web_search' }],
        tool_choice: { type: 'web_search_preview' },
      })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(400);
    expect(error.param).toBe('tool_choice');
  });
});

describe('a Codex-style request on a translated model', () => {
  const request = {
    model: 'groq/codex',
    input: [
      {
        type: 'message' as const,
        role: 'developer' as const,
        content: [{ type: 'input_text' as const, text: 'You are a coding agent.' }],
      },
      { type: 'message' as const, role: 'user' as const, content: [{ type: 'input_text' as const, text: 'List the files.' }] },
    ],
    tools: [
      {
        type: 'function' as const,
        name: 'exec_command',
        description: 'Run a command',
        parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
        strict: false,
      },
      {
        type: 'namespace' as const,
        name: 'multi_agent_v1',
        description: 'Sub-agents',
        tools: [
          {
            type: 'function' as const,
            name: 'spawn_agent',
            parameters: { type: 'object', properties: { task: { type: 'string' } } },
          },
        ],
      },
      { type: 'web_search' as const },
    ],
    tool_choice: 'auto' as const,
    parallel_tool_calls: true,
    store: false,
    include: ['reasoning.encrypted_content' as const],
    reasoning: { summary: 'auto' as const },
    prompt_cache_key: 'session-1',
  };

  it('flattens the namespace, drops the built-in tool with a warning, and maps the call back to its namespace', async () => {
    const raw = await client.responses.create({ ...request, stream: true }).withResponse();
    expect(raw.response.headers.get('x-zai-warnings')).toContain('tools.web_search');
    const events: Array<{ type: string; item?: Json }> = [];
    for await (const event of raw.data) events.push(event as unknown as { type: string; item?: Json });
    const done = events.filter((e) => e.type === 'response.output_item.done').map((e) => e.item);
    expect(done).toMatchObject([
      { type: 'message', content: [{ type: 'output_text', text: 'Spawning a helper.' }] },
      {
        type: 'function_call',
        name: 'spawn_agent',
        namespace: 'multi_agent_v1',
        call_id: 'call_spawn',
        arguments: '{"task":"ls"}',
      },
    ]);
    expect(events.at(-1)?.type).toBe('response.completed');

    const sent = lastGroqCall('codex');
    expect((sent.tools as Array<{ function: { name: string } }>).map((t) => t.function.name)).toEqual([
      'exec_command',
      'multi_agent_v1__spawn_agent',
    ]);
    expect(sent).not.toHaveProperty('store');
    expect(sent).not.toHaveProperty('include');
    expect((sent.messages as Json[])[0]).toMatchObject({ role: 'system', content: 'You are a coding agent.' });

    // The next turn re-sends the call under its namespace; the upstream sees the flattened name.
    await client.responses.create({
      ...request,
      input: [
        ...request.input,
        {
          type: 'function_call',
          call_id: 'call_spawn',
          name: 'spawn_agent',
          namespace: 'multi_agent_v1',
          arguments: '{"task":"ls"}',
        },
        { type: 'function_call_output', call_id: 'call_spawn', output: 'agent started' },
      ] as never,
    });
    const next = lastGroqCall('codex').messages as Json[];
    expect(next.at(-2)).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: 'call_spawn', function: { name: 'multi_agent_v1__spawn_agent' } }],
    });
    expect(next.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_spawn', content: 'agent started' });
  });

  it('answers the same through Fastify when the fast path hands the request on (a browser Origin)', async () => {
    const res = await fetch(`${zai.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json', origin: 'https://example.com' },
      body: JSON.stringify({ model: 'groq/hello', input: 'Hi' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).object).toBe('response');
  });
});

describe('x-zai-warnings from client-chosen names', () => {
  it('keeps the header valid when dropped field names hold characters a header cannot carry', async () => {
    const odd = { 'x€\u0001y': 1, ok_field: 2 };
    const responses = await fetch(`${zai.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'groq/hello', input: 'Hi', tools: [{ type: 'web_search€' }], ...odd }),
    });
    expect(responses.status).toBe(200);
    expect(responses.headers.get('x-zai-warnings')).toMatch(/ok_field/);
    const chat = await fetch(`${zai.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'anthropic/claude-e2e', messages: [{ role: 'user', content: 'Hi' }], ...odd }),
    });
    expect(chat.status).toBe(200);
    expect(chat.headers.get('x-zai-warnings')).toMatch(/ok_field/);
  });
});
