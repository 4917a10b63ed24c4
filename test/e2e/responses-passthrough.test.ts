/**
 * `/v1/responses` for `openai/*` models, end to end: passed through natively to a fake OpenAI that
 * speaks the real Responses protocol (`POST /v1/responses`, named SSE events with sequence numbers,
 * `GET`/`DELETE /v1/responses/{id}`, `input_items`, OpenAI error bodies). Every field the client
 * sends reaches OpenAI, every field OpenAI answers reaches the client (only `model` says the public
 * model string), and the key's caps, fallbacks, usage and aborts hold as on chat completions.
 */
import type http from 'node:http';
import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, startZai, type ApiClient, type Zai } from '../helpers/harness.js';
import { json, sleep, startFakeServer, writeFrames, type FakeServer, type RecordedRequest } from '../helpers/fake-upstream.js';
import { answerOpenAI } from '../helpers/provider-answers.js';

type Json = Record<string, unknown>;

const OPENAI_KEY = 'sk-proj-e2ePassthroughKey0123456789abcdef';
let zai: Zai;
let fake: FakeServer;
let api: ApiClient;
let key: string;
let client: OpenAI;

const USAGE = {
  input_tokens: 10_000,
  input_tokens_details: { cached_tokens: 2_000 },
  output_tokens: 2_000,
  output_tokens_details: { reasoning_tokens: 500 },
  total_tokens: 12_000,
};

function responseObject(model: string, fields: Json = {}): Json {
  return {
    id: 'resp_upstream1',
    object: 'response',
    created_at: 1767225600,
    status: 'completed',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: `${model}-2026-01-01`,
    output: [
      { id: 'rs_up1', type: 'reasoning', summary: [], encrypted_content: 'gAAAAB-encrypted-reasoning' },
      {
        id: 'msg_up1',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Hello from OpenAI.', annotations: [], logprobs: [] }],
      },
    ],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: 'high', summary: 'auto' },
    service_tier: 'default',
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: USAGE,
    user: null,
    metadata: {},
    safety_identifier: 'sid-1',
    ...fields,
  };
}

function functionCallsResponse(model: string): Json {
  return responseObject(model, {
    output: [
      {
        id: 'fc_up1',
        type: 'function_call',
        status: 'completed',
        call_id: 'call_up1',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
      },
      {
        id: 'fc_up2',
        type: 'function_call',
        status: 'completed',
        call_id: 'call_up2',
        name: 'get_weather',
        arguments: '{"city":"Lyon"}',
      },
    ],
  });
}

/** OpenAI's stream of a text answer: named events, sequence numbers, obfuscation padding. */
function streamFrames(model: string, complete = true): string[] {
  const final = responseObject(model);
  const inProgress = { ...final, status: 'in_progress', output: [], usage: null };
  const message = { id: 'msg_up1', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
  let seq = 0;
  const ev = (type: string, fields: Json) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;
  const frames = [
    ev('response.created', { response: inProgress }),
    ev('response.in_progress', { response: inProgress }),
    ev('response.output_item.added', { output_index: 0, item: message }),
    ev('response.content_part.added', {
      item_id: 'msg_up1',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
    }),
    ev('response.output_text.delta', {
      item_id: 'msg_up1',
      output_index: 0,
      content_index: 0,
      delta: 'Hello from ',
      logprobs: [],
      obfuscation: 'k3',
    }),
    ev('response.output_text.delta', {
      item_id: 'msg_up1',
      output_index: 0,
      content_index: 0,
      delta: 'OpenAI.',
      logprobs: [],
      obfuscation: 'q9Zx',
    }),
  ];
  if (!complete) return frames;
  const done = {
    ...message,
    status: 'completed',
    content: [{ type: 'output_text', text: 'Hello from OpenAI.', annotations: [], logprobs: [] }],
  };
  frames.push(
    ev('response.output_text.done', {
      item_id: 'msg_up1',
      output_index: 0,
      content_index: 0,
      text: 'Hello from OpenAI.',
      logprobs: [],
    }),
    ev('response.content_part.done', { item_id: 'msg_up1', output_index: 0, content_index: 0, part: done.content[0] }),
    ev('response.output_item.done', { output_index: 0, item: done }),
    ev('response.completed', { response: { ...final, output: [done] } }),
  );
  return frames;
}

async function onResponses(req: RecordedRequest, res: http.ServerResponse): Promise<void> {
  const body = req.json as Json;
  const model = String(body.model);
  if (model === 'gpt-down') {
    return json(res, 503, {
      error: { message: 'The engine is currently overloaded.', type: 'server_error', param: null, code: null },
    });
  }
  if (model === 'gpt-endless') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const frames = streamFrames(model, false);
    for (const frame of frames.slice(0, 4)) res.write(frame);
    for (let i = 0; i < 300 && !res.destroyed; i++) {
      res.write(frames[4]!);
      await sleep(20);
    }
    res.end();
    return;
  }
  if (model === 'gpt-cutstream') return writeFrames(res, streamFrames(model, false), { pauseMs: 2, end: 'destroy' });
  const hasOutputs = Array.isArray(body.input) && (body.input as Json[]).some((item) => item.type === 'function_call_output');
  if (model === 'gpt-tools' && !hasOutputs) return json(res, 200, functionCallsResponse(model));
  if (model === 'gpt-cut') {
    return json(res, 200, responseObject(model, { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }));
  }
  if (body.stream === true) return writeFrames(res, streamFrames(model), { pauseMs: 2 });
  return json(res, 200, responseObject(model));
}

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(async (req, res) => {
    if (req.method === 'POST' && req.path === '/v1/responses') return onResponses(req, res);
    if (req.path === '/openai/v1/chat/completions') {
      const body = req.json as Json;
      return answerOpenAI(
        res,
        { text: 'Hello from Groq.', finish: 'stop', usage: { input: 9, output: 3 } },
        body.stream === true,
      );
    }
    if (req.path.startsWith('/v1/responses/resp_stored')) {
      if (req.method === 'DELETE') return json(res, 200, { id: 'resp_stored', object: 'response', deleted: true });
      if (req.path.includes('/input_items')) {
        return json(res, 200, {
          object: 'list',
          data: [{ id: 'msg_in1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }],
          first_id: 'msg_in1',
          last_id: 'msg_in1',
          has_more: false,
        });
      }
      return json(res, 200, responseObject('gpt-4o-mini', { id: 'resp_stored' }));
    }
    if (req.path.startsWith('/v1/responses/')) {
      return json(res, 404, {
        error: { message: "Response with id 'resp_gone' not found.", type: 'invalid_request_error', param: null, code: null },
      });
    }
    res.writeHead(404).end();
  });
  const account = await accountWithKey(zai, { provider: 'openai', apiKey: OPENAI_KEY, baseUrl: `${fake.url}/v1` });
  api = account.api;
  key = account.key;
  const groq = await api.post('/api/providers', {
    provider: 'groq',
    api_key: 'gsk_e2eFakeGroqKey0123456789abcdefghijklmnopqrstuvwxyzABCD',
    base_url: `${fake.url}/openai/v1`,
  });
  if (groq.status !== 201) throw new Error(groq.text);
  client = new OpenAI({ apiKey: key, baseURL: `${zai.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

function lastResponsesCall(model: string): RecordedRequest {
  const found = fake.requests.filter((r) => r.path === '/v1/responses' && (r.json as Json)?.model === model).at(-1);
  if (found === undefined) throw new Error(`no upstream call for ${model}`);
  return found;
}

async function newKey(fields: Json): Promise<OpenAI> {
  const created = await api.post('/api/keys', { name: 'extra', ...fields });
  if (created.status !== 201) throw new Error(created.text);
  return new OpenAI({ apiKey: String(created.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
}

describe('openai/* passthrough', () => {
  it('sends the client’s body with only the model changed, and answers OpenAI’s with only the model changed', async () => {
    const request = {
      model: 'openai/gpt-4o-mini',
      input: [{ role: 'user' as const, content: 'Hi' }],
      store: true,
      previous_response_id: 'resp_prev',
      include: ['reasoning.encrypted_content' as const],
      tools: [{ type: 'web_search' as const }],
      reasoning: { effort: 'high' as const, summary: 'auto' as const },
      metadata: { app: 'e2e' },
      prompt_cache_key: 'pck',
    };
    const { data, response } = await client.responses.create(request).withResponse();
    const upstream = lastResponsesCall('gpt-4o-mini');
    expect(upstream.json).toEqual({ ...request, model: 'gpt-4o-mini' });
    expect(upstream.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    const raw = JSON.parse(JSON.stringify(data)) as Json;
    delete raw.output_text;
    expect(raw).toEqual({ ...responseObject('gpt-4o-mini'), model: 'openai/gpt-4o-mini' });
    // 8,000 input at $0.15, 2,000 cached at $0.075, 2,000 output at $0.60 per million tokens.
    expect(response.headers.get('x-zai-cost-micro-usd')).toBe('2550');
    expect(response.headers.get('x-zai-model')).toBe('openai/gpt-4o-mini');
  });

  it('sends the client’s own text, edited at model alone, and never a second model hidden in it', async () => {
    const request = { model: 'openai/gpt-4o-mini', input: 'Hi', store: true, metadata: { app: 'e2e-text' } };
    const post = (text: string): Promise<Response> =>
      fetch(`${zai.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: text,
      });
    expect((await post(JSON.stringify(request, null, 2))).status).toBe(200);
    const edited = lastResponsesCall('gpt-4o-mini');
    expect(edited.json).toEqual({ ...request, model: 'gpt-4o-mini' });
    // Serialised again it would have no line breaks; edited, the client's layout is kept.
    expect(edited.body).toContain('"metadata": {\n');
    // JSON.parse keeps the last of two models: the text is not used, the request is serialised with that one.
    expect((await post(`{"model":"openai/o3-pro",${JSON.stringify(request).slice(1)}`)).status).toBe(200);
    expect(lastResponsesCall('gpt-4o-mini').body).toBe(JSON.stringify({ ...request, model: 'gpt-4o-mini' }));
  });

  it('relays the event stream unchanged except the model, and the SDK assembles the answer', async () => {
    // The raw events (the SDK's stream helper edits the objects it yields as it assembles them).
    const raw = await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'Hi', stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of raw) events.push(event);
    const upstreamEvents = streamFrames('gpt-4o-mini').map((frame) => JSON.parse(frame.split('\ndata: ')[1]!) as Json);
    expect(events).toHaveLength(upstreamEvents.length);
    events.forEach((event, i) => {
      const expected = upstreamEvents[i]!;
      if ('response' in expected)
        expect(event).toEqual({ ...expected, response: { ...(expected.response as Json), model: 'openai/gpt-4o-mini' } });
      else expect(event).toEqual(expected);
    });
    expect(lastResponsesCall('gpt-4o-mini').json).toMatchObject({ stream: true, model: 'gpt-4o-mini' });

    const stream = client.responses.stream({ model: 'openai/gpt-4o-mini', input: 'Hi' });
    const final = await stream.finalResponse();
    expect(final.output[0]).toMatchObject({ type: 'message', content: [{ type: 'output_text', text: 'Hello from OpenAI.' }] });
    expect(final.model).toBe('openai/gpt-4o-mini');
    expect(final.usage).toEqual(USAGE);
  });

  it('carries a function-calling loop with two parallel calls', async () => {
    const first = await client.responses.create({ model: 'openai/gpt-tools', input: 'Weather in Paris and Lyon?' });
    const calls = first.output.filter((item) => item.type === 'function_call');
    expect(calls.map((call) => call.call_id)).toEqual(['call_up1', 'call_up2']);
    const second = await client.responses.create({
      model: 'openai/gpt-tools',
      input: [
        { role: 'user', content: 'Weather in Paris and Lyon?' },
        ...calls,
        { type: 'function_call_output', call_id: 'call_up1', output: '18C' },
        { type: 'function_call_output', call_id: 'call_up2', output: '20C' },
      ],
    });
    expect(second.output_text).toBe('Hello from OpenAI.');
    const sent = lastResponsesCall('gpt-tools').json as { input: Json[] };
    expect(sent.input.slice(1)).toEqual([
      ...calls.map((call) => JSON.parse(JSON.stringify(call)) as Json),
      { type: 'function_call_output', call_id: 'call_up1', output: '18C' },
      { type: 'function_call_output', call_id: 'call_up2', output: '20C' },
    ]);
  });

  it('passes text.format and max_output_tokens through, and relays an incomplete answer', async () => {
    const format = { type: 'json_schema' as const, name: 'city', schema: { type: 'object', properties: {} }, strict: true };
    const response = await client.responses.create({
      model: 'openai/gpt-cut',
      input: 'x',
      text: { format },
      max_output_tokens: 16,
    });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(lastResponsesCall('gpt-cut').json).toMatchObject({ text: { format }, max_output_tokens: 16 });
  });

  it('falls back to a translated model when OpenAI is down, answering in Responses shape', async () => {
    const fallbackClient = await newKey({ fallback_model: 'groq/llama-e2e' });
    const { data, response } = await fallbackClient.responses.create({ model: 'openai/gpt-down', input: 'Hi' }).withResponse();
    expect(data.output_text).toBe('Hello from Groq.');
    expect(data.model).toBe('groq/llama-e2e');
    expect(response.headers.get('x-zai-model')).toBe('groq/llama-e2e');
    expect(lastResponsesCall('gpt-down')).toBeDefined();
  });

  it('ends a stream cut after the first byte with an error event', async () => {
    const stream = await client.responses.create({ model: 'openai/gpt-cutstream', input: 'Hi', stream: true });
    const types: string[] = [];
    let error: ResponseStreamEvent | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'error') error = event;
    }
    expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(types.at(-1)).toBe('error');
    expect(error).toMatchObject({ type: 'error', code: 'upstream_error', sequence_number: 6 });
  });

  it('aborts the upstream request within 100 ms of the client leaving', async () => {
    const controller = new AbortController();
    const stream = await client.responses.create(
      { model: 'openai/gpt-endless', input: 'x', stream: true },
      { signal: controller.signal },
    );
    let n = 0;
    let abortedAt = 0;
    await (async () => {
      for await (const _event of stream) {
        if (++n === 6) {
          abortedAt = performance.now();
          controller.abort();
        }
      }
    })().catch(() => undefined);
    const closedAt = await lastResponsesCall('gpt-endless').closed;
    expect(closedAt - abortedAt).toBeLessThan(100);
  });
});

describe('openai/* passthrough with a capped key', () => {
  it('answers 402 when the cap cannot cover max_output_tokens at the output price', async () => {
    const capped = await newKey({ spend_cap_micro_usd: 100 });
    const error = await capped.responses
      .create({ model: 'openai/gpt-4o-mini', input: 'Hi', max_output_tokens: 10_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('spend_cap_reached');
  });

  it('refuses previous_response_id, whose stored input cannot be bounded, with a 400 that says why', async () => {
    const capped = await newKey({ spend_cap_micro_usd: 1_000_000 });
    const error = await capped.responses
      .create({ model: 'openai/gpt-4o-mini', input: 'Hi', previous_response_id: 'resp_prev' })
      .catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((error as InstanceType<typeof OpenAI.APIError>).param).toBe('previous_response_id');
    expect(String((error as Error).message)).toMatch(/spend cap/);
  });

  it('asks for max_output_tokens on a model with no known output limit', async () => {
    const priced = await api.request('PUT', '/api/prices', {
      model: 'openai/gpt-private',
      input_usd_per_mtok: 1,
      output_usd_per_mtok: 2,
    });
    expect(priced.status).toBe(200);
    const capped = await newKey({ spend_cap_micro_usd: 1_000_000 });
    const error = (await capped.responses
      .create({ model: 'openai/gpt-private', input: 'Hi' })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(error.param).toBe('max_output_tokens');
    const served = await capped.responses.create({ model: 'openai/gpt-private', input: 'Hi', max_output_tokens: 100 });
    expect(served.output_text).toBe('Hello from OpenAI.');
  });
});

describe('stored responses', () => {
  it('forwards GET, input_items and DELETE to the account’s OpenAI key', async () => {
    const retrieved = await client.responses.retrieve('resp_stored');
    expect(retrieved.id).toBe('resp_stored');
    expect(retrieved.model).toBe('openai/gpt-4o-mini-2026-01-01');
    const items = await client.responses.inputItems.list('resp_stored', { limit: 5 });
    expect(items.data[0]).toMatchObject({ id: 'msg_in1', type: 'message' });
    const itemsCall = fake.requests.filter((r) => r.path.startsWith('/v1/responses/resp_stored/input_items')).at(-1);
    expect(itemsCall?.path).toBe('/v1/responses/resp_stored/input_items?limit=5');
    expect(itemsCall?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    await client.responses.delete('resp_stored');
    expect(fake.requests.some((r) => r.method === 'DELETE' && r.path === '/v1/responses/resp_stored')).toBe(true);
  });

  it('passes OpenAI’s 404 for an unknown id through, and refuses a key not allowed any openai model', async () => {
    const missing = await client.responses.retrieve('resp_gone').catch((e: unknown) => e);
    expect((missing as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    const groqOnly = await newKey({ allowed_models: ['groq/*'] });
    const refused = await groqOnly.responses.retrieve('resp_stored').catch((e: unknown) => e);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
    expect((refused as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_allowed');
  });
});
