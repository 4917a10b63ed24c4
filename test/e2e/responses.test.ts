/**
 * `/v1/responses` translated to providers that do not speak it, end to end: the official `openai`
 * SDK's `client.responses.create()` and `client.responses.stream()` against the real Z-AI server,
 * which talks to fake upstreams speaking each provider's real protocol over HTTP (an
 * OpenAI-compatible host, Anthropic Messages, Gemini generateContent). The same scenarios run for
 * each: text, a function-calling loop with two parallel calls, JSON schema output, a
 * `max_output_tokens` cut-off and usage.
 */
import type http from 'node:http';
import OpenAI from 'openai';
import type { ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, startZai, type ApiClient, type Zai } from '../helpers/harness.js';
import { startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-upstream.js';
import { answerAnthropic, answerGemini, answerOpenAI, type ScriptedAnswer } from '../helpers/provider-answers.js';

type Json = Record<string, unknown>;
type Kind = 'openai' | 'anthropic' | 'gemini';

let zai: Zai;
let fake: FakeServer;
let api: ApiClient;
let client: OpenAI;

const GEMINI_PATH = /^\/v1beta\/models\/([^/:?]+):(generateContent|streamGenerateContent)/;

/** Which protocol a recorded request spoke, and its upstream model id. */
function classify(req: RecordedRequest): { kind: Kind; model: string; stream: boolean } | undefined {
  const body = (req.json ?? {}) as Json;
  if (req.path === '/openai/v1/chat/completions')
    return { kind: 'openai', model: String(body.model), stream: body.stream === true };
  if (req.path === '/v1/messages') return { kind: 'anthropic', model: String(body.model), stream: body.stream === true };
  const gemini = GEMINI_PATH.exec(req.path);
  if (gemini) return { kind: 'gemini', model: decodeURIComponent(gemini[1]!), stream: gemini[2] === 'streamGenerateContent' };
  return undefined;
}

/** Whether the upstream request already carries tool results (the second turn of a function-calling loop). */
function hasToolResults(kind: Kind, body: Json): boolean {
  const text = JSON.stringify(kind === 'gemini' ? body.contents : body.messages);
  if (kind === 'openai') return text.includes('"role":"tool"');
  if (kind === 'anthropic') return text.includes('"type":"tool_result"');
  return text.includes('"functionResponse"');
}

const CITY_JSON = '{"city":"Paris","temp_c":18}';

/** The fake's answer per scenario (the upstream model id names it). */
function script(kind: Kind, model: string, body: Json): ScriptedAnswer {
  const usage = { input: 21, output: 4, cached: 5 };
  switch (model) {
    case 'e2e-tools':
      return hasToolResults(kind, body)
        ? { text: 'Paris 18C, Lyon 20C.', finish: 'stop', usage }
        : {
            calls: [
              { id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { id: 'call_lyon', name: 'get_weather', arguments: '{"city":"Lyon"}' },
            ],
            finish: 'tool_calls',
            usage,
          };
    case 'e2e-json':
      // Anthropic has no JSON mode: the adapter asks for a tool named after the schema and unwraps it.
      return kind === 'anthropic'
        ? { calls: [{ id: 'toolu_json', name: 'city_report', arguments: CITY_JSON }], finish: 'tool_calls', usage }
        : { text: CITY_JSON, finish: 'stop', usage };
    case 'e2e-cut':
      return { text: 'The weather in Par', finish: 'length', usage: { input: 21, output: 5 } };
    default:
      return { text: 'Hello there.', finish: 'stop', usage };
  }
}

const WRITERS = { openai: answerOpenAI, anthropic: answerAnthropic, gemini: answerGemini } as const;

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(async (req, res: http.ServerResponse) => {
    const call = classify(req);
    if (call === undefined) {
      res.writeHead(404).end();
      return;
    }
    await WRITERS[call.kind](res, script(call.kind, call.model, req.json as Json), call.stream);
  });
  const account = await accountWithKey(zai, {
    provider: 'groq',
    apiKey: 'gsk_e2eFakeGroqKey0123456789abcdefghijklmnopqrstuvwxyzABCD',
    baseUrl: `${fake.url}/openai/v1`,
  });
  api = account.api;
  for (const [provider, apiKey] of [
    ['anthropic', 'sk-ant-api03-e2eFAKEkey-0123456789abcdefghijklmnop'],
    ['gemini', 'AIzaSyE2E-fakeGeminiKey-0123456789abcd'],
  ] as const) {
    const created = await api.post('/api/providers', { provider, api_key: apiKey, base_url: fake.url });
    if (created.status !== 201) throw new Error(created.text);
  }
  client = new OpenAI({ apiKey: account.key, baseURL: `${zai.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

/** The last request the fake received for an upstream model id. */
function lastUpstream(kind: Kind, model: string): { body: Json; path: string } {
  const found = fake.requests.filter((r) => classify(r)?.kind === kind && classify(r)?.model === model).at(-1);
  if (found === undefined) throw new Error(`no upstream request for ${kind} ${model}`);
  return { body: found.json as Json, path: found.path };
}

/** The answer text of a response (the SDK adds `output_text` to created responses, not to streamed ones). */
function textOf(response: { output: Array<{ type: string; content?: Array<{ type: string; text?: string }> }> }): string {
  let text = '';
  for (const item of response.output) {
    if (item.type === 'message') for (const part of item.content ?? []) if (part.type === 'output_text') text += part.text ?? '';
  }
  return text;
}

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

const citySchema = {
  type: 'object',
  properties: { city: { type: 'string' }, temp_c: { type: 'number' } },
  required: ['city', 'temp_c'],
  additionalProperties: false,
};

describe.each([
  { provider: 'groq', kind: 'openai' as Kind },
  { provider: 'anthropic', kind: 'anthropic' as Kind },
  { provider: 'gemini', kind: 'gemini' as Kind },
])('/v1/responses translated for $provider', ({ provider, kind }) => {
  const model = (scenario: string) => `${provider}/${scenario}`;

  it('answers a text request with a response object, output_text and usage', async () => {
    const { data, response } = await client.responses
      .create({ model: model('e2e-text'), instructions: 'Be brief.', input: 'Say hello' })
      .withResponse();
    expect(data.id).toMatch(/^resp_/);
    expect(data.object).toBe('response');
    expect(data.status).toBe('completed');
    expect(data.model).toBe(model('e2e-text'));
    expect(data.output_text).toBe('Hello there.');
    expect(data.output).toHaveLength(1);
    expect(data.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(data.output[0]?.id).toMatch(/^msg_/);
    expect(data.usage).toMatchObject({
      input_tokens: 21,
      input_tokens_details: { cached_tokens: 5 },
      output_tokens: 4,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 25,
    });
    expect(response.headers.get('x-zai-model')).toBe(model('e2e-text'));
    expect(response.headers.get('x-zai-request-id')).toMatch(/^req_/);
    // The instructions reached the provider as its system prompt.
    expect(JSON.stringify(lastUpstream(kind, 'e2e-text').body)).toContain('Be brief.');
  });

  it('streams the full event sequence with increasing sequence numbers, ending in response.completed', async () => {
    const stream = client.responses.stream({ model: model('e2e-text'), input: 'Say hello' });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();
    expect(textOf(final)).toBe('Hello there.');
    expect(final.usage).toMatchObject({ input_tokens: 21, output_tokens: 4 });
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(types.filter((t) => t === 'response.output_text.delta').length).toBeGreaterThan(1);
    events.forEach((event, i) => expect(event.sequence_number).toBe(i));
    expect(lastUpstream(kind, 'e2e-text').body).toBeDefined();
  });

  it('runs a function-calling loop with two parallel calls: function_call items → function_call_output → answer', async () => {
    const stream = client.responses.stream({
      model: model('e2e-tools'),
      input: 'Weather in Paris and Lyon?',
      tools: [weatherTool],
    });
    const first = await stream.finalResponse();
    const calls = first.output.filter((item) => item.type === 'function_call');
    expect(calls).toHaveLength(2);
    expect(calls.map((call) => call.name)).toEqual(['get_weather', 'get_weather']);
    expect(calls.map((call) => JSON.parse(call.arguments) as unknown)).toEqual([{ city: 'Paris' }, { city: 'Lyon' }]);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    expect(new Set(calls.map((call) => call.call_id)).size).toBe(2);
    for (const call of calls) expect(call.id).toMatch(/^fc_/);

    const input: ResponseInputItem[] = [
      { role: 'user', content: 'Weather in Paris and Lyon?' },
      ...calls.map((call) => ({
        type: 'function_call' as const,
        call_id: call.call_id,
        name: call.name,
        arguments: call.arguments,
      })),
      { type: 'function_call_output', call_id: calls[0]!.call_id, output: '18C' },
      { type: 'function_call_output', call_id: calls[1]!.call_id, output: '20C' },
    ];
    const second = await client.responses.create({ model: model('e2e-tools'), input, tools: [weatherTool] });
    expect(second.output_text).toBe('Paris 18C, Lyon 20C.');

    // The provider got both calls and both results, paired by id, in its own format.
    const upstream = JSON.stringify(lastUpstream(kind, 'e2e-tools').body);
    expect(upstream).toContain('18C');
    expect(upstream).toContain('20C');
    if (kind !== 'gemini') for (const call of calls) expect(upstream).toContain(call.call_id);
  });

  it('returns JSON that follows the text.format json_schema', async () => {
    const response = await client.responses.create({
      model: model('e2e-json'),
      input: 'Weather report for Paris',
      text: { format: { type: 'json_schema', name: 'city_report', schema: citySchema, strict: true } },
    });
    expect(JSON.parse(response.output_text)).toEqual({ city: 'Paris', temp_c: 18 });
    const body = lastUpstream(kind, 'e2e-json').body;
    if (kind === 'openai')
      expect(body.response_format).toMatchObject({
        type: 'json_schema',
        json_schema: { name: 'city_report', schema: citySchema },
      });
    if (kind === 'anthropic')
      expect(body.tools).toEqual([expect.objectContaining({ name: 'city_report', input_schema: citySchema })]);
    if (kind === 'gemini')
      expect(body.generationConfig).toMatchObject({ responseMimeType: 'application/json', responseJsonSchema: citySchema });
  });

  it('reports a max_output_tokens cut-off as incomplete, created and streamed', async () => {
    const created = await client.responses.create({ model: model('e2e-cut'), input: 'Weather?', max_output_tokens: 5 });
    expect(created.status).toBe('incomplete');
    expect(created.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(created.output_text).toBe('The weather in Par');
    const body = lastUpstream(kind, 'e2e-cut').body;
    const sent =
      kind === 'gemini'
        ? (body.generationConfig as Json).maxOutputTokens
        : kind === 'openai'
          ? body.max_completion_tokens
          : body.max_tokens;
    expect(sent).toBe(5);

    const stream = client.responses.stream({ model: model('e2e-cut'), input: 'Weather?', max_output_tokens: 5 });
    const types: string[] = [];
    let last: ResponseStreamEvent | undefined;
    for await (const event of stream) {
      types.push(event.type);
      last = event;
    }
    expect(last?.type).toBe('response.incomplete');
    expect(last).toMatchObject({ response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
    expect(types).not.toContain('response.completed');
  });
});

describe('/v1/responses usage rows', () => {
  it('records the endpoint as responses, with tokens and no content', async () => {
    await client.responses.create({ model: 'groq/e2e-text', input: 'USAGE-ROW-SECRET-PROMPT' });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const page = await api.get<{ data: Array<Json> }>(`/api/usage?model=groq/e2e-text&limit=20`);
    const row = page.body.data.find((r) => r.endpoint === 'responses' && r.stream === false);
    expect(row).toMatchObject({
      model_served: 'groq/e2e-text',
      status: 200,
      prompt_tokens: 21,
      completion_tokens: 4,
      cached_tokens: 5,
    });
    expect(page.text).not.toContain('USAGE-ROW-SECRET-PROMPT');
  });
});
