/**
 * Request fuzzing end to end: the real server, with OpenAI,
 * Anthropic and Gemini providers pointing at a fake upstream that answers every call normally,
 * receives hundreds of random bodies — random JSON, random bytes sent as JSON, valid requests
 * with wrong values anywhere, deeply nested values, prototype-pollution keys — on the gateway
 * (`/v1/chat/completions`, `/v1/embeddings`, with a plain and a capped key) and on the management
 * API (`/api/keys`, `/api/providers`, `/api/prices`, with a session).
 *
 * Every answer must be < 500; every error body must have OpenAI's shape
 * `{"error":{"message","type","code","param"}}`; every 200 stream must end with `[DONE]`; no
 * "unhandled error" may be logged; and the server must still be healthy afterwards.
 *
 * Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs.
 */
import type http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, accountWithKey, startZai, type Zai } from '../helpers/harness.js';
import {
  json,
  openAICompletion,
  openAIStreamEvents,
  startFakeServer,
  writeSse,
  type FakeServer,
  type RecordedRequest,
} from '../helpers/fake-upstream.js';
import { pathsOf } from '../helpers/fuzz.js';

const SEED = Number(process.env.ZAI_FUZZ_SEED ?? 0xf022);
const ANTHROPIC_KEY = 'sk-ant-api03-fuzzFAKEkey-0123456789abcdefghijklmnop';
const GEMINI_KEY = 'AIzaSyFUZZ-fakeGeminiKey-0123456789abcd';
/** Requests in flight at once: enough to interleave, few enough for a loaded CI machine. */
const CONCURRENCY = 8;

let zai: Zai;
let fake: FakeServer;
let plainKey: string;
let cappedKey: string;
let admin: ApiClient;
let existingKeyId: string;
let existingProviderId: string;

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
// Sending and checking

interface Probe {
  method: string;
  path: string;
  /** A JSON value (sent as its JSON text) or raw bytes. */
  body: { json: unknown } | { raw: Uint8Array };
  contentType: string | undefined;
  auth: 'plain' | 'capped' | 'session' | 'none';
}

interface Answer {
  probe: Probe;
  status: number;
  contentType: string;
  text: string;
}

function describeProbe(p: Probe): string {
  const body =
    'json' in p.body ? (JSON.stringify(p.body.json) ?? 'undefined') : `bytes ${Buffer.from(p.body.raw).toString('base64')}`;
  return `${p.method} ${p.path} [${p.auth}, ${p.contentType ?? 'no content-type'}] ${body.slice(0, 300)}`;
}

async function send(p: Probe): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (p.contentType !== undefined) headers['content-type'] = p.contentType;
  if (p.auth === 'plain') headers.authorization = `Bearer ${plainKey}`;
  if (p.auth === 'capped') headers.authorization = `Bearer ${cappedKey}`;
  if (p.auth === 'session') headers.cookie = (admin as unknown as { cookie: string }).cookie;
  const body = 'json' in p.body ? (JSON.stringify(p.body.json) ?? '') : p.body.raw;
  const res = await fetch(`${zai.url}${p.path}`, { method: p.method, headers, body, signal: AbortSignal.timeout(15_000) });
  return { probe: p, status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Everything wrong with one answer (empty when it is fine). */
function problems(a: Answer): string[] {
  const out: string[] = [];
  if (a.status >= 500) out.push(`status ${a.status}`);
  if (a.status >= 400) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(a.text);
    } catch {
      out.push('error body is not JSON');
    }
    const error = (parsed as { error?: Record<string, unknown> } | undefined)?.error;
    const shaped =
      typeof error === 'object' &&
      error !== null &&
      Object.keys(parsed as object).length === 1 &&
      typeof error.message === 'string' &&
      typeof error.type === 'string' &&
      (typeof error.code === 'string' || error.code === null) &&
      (typeof error.param === 'string' || error.param === null);
    if (!shaped) out.push('error body is not {error:{message,type,code,param}}');
  } else if (a.contentType.startsWith('text/event-stream')) {
    if (!a.text.endsWith('data: [DONE]\n\n')) out.push(`stream did not end with [DONE]: …${a.text.slice(-200)}`);
    if (a.text.includes('"error"')) out.push('stream carried an error event although the upstream answered normally');
  }
  return out.map(
    (problem) => `${problem}\n    request: ${describeProbe(a.probe)}\n    answer: ${a.status} ${a.text.slice(0, 300)}`,
  );
}

/** Sends every probe, CONCURRENCY at a time; returns the answers in order. */
async function sendAll(probes: readonly Probe[]): Promise<Answer[]> {
  const answers: Answer[] = new Array<Answer>(probes.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < probes.length) {
      const i = next++;
      answers[i] = await send(probes[i] as Probe);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return answers;
}

async function fuzz(probes: fc.Arbitrary<Probe>, numRuns: number, seed: number): Promise<Answer[]> {
  const answers = await sendAll(fc.sample(probes, { seed, numRuns }));
  const found = answers.flatMap(problems);
  expect(found, `${found.length} bad answers out of ${answers.length}:\n${found.slice(0, 10).join('\n')}`).toEqual([]);
  return answers;
}

// ---------------------------------------------------------------------------------------------
// Bodies

const TEXT = fc.string({ maxLength: 16 });
const NASTY_TEXT = fc.oneof(
  TEXT,
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.constantFrom(
    '\u0000',
    '\ud800',
    'x'.repeat(5000),
    '<script>',
    "'; DROP TABLE api_keys; --",
    '../../etc/passwd',
    '%00',
    '${x}',
  ),
);
const JSON_VALUE = fc.jsonValue({ maxDepth: 3 });
const WRONG = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      null,
      '',
      0,
      -1,
      0.5,
      1e308,
      -1e308,
      2 ** 53 + 1,
      true,
      false,
      [],
      {},
      [null],
      [[]],
      { type: 1 },
      '\u0000',
      'openai/',
      '/x',
    ),
  },
  { weight: 3, arbitrary: JSON_VALUE },
  { weight: 1, arbitrary: NASTY_TEXT },
);
/** Deep enough to overflow any recursive walk of the value (JSON.parse and the body limit cope). Spliced into the JSON text. */
const DEEP_TEXT: Record<string, string> = {
  '"\\u0000DEEP_ARRAY\\u0000"': `${'['.repeat(12_000)}${']'.repeat(12_000)}`,
  '"\\u0000DEEP_OBJECT\\u0000"': `${'{"a":'.repeat(12_000)}1${'}'.repeat(12_000)}`,
};

const CHAT_MODELS = fc.constantFrom(
  'openai/gpt-4o-mini',
  'openai/fuzz-model',
  'anthropic/claude-sonnet-4-5',
  'anthropic/claude-fuzz',
  'gemini/gemini-2.5-flash',
  'gemini/gemini-fuzz',
  'nowhere/model',
  'openai/gpt-4o-mini/extra',
);
const EMBEDDING_MODELS = fc.constantFrom(
  'openai/text-embedding-3-small',
  'openai/fuzz-embed',
  'gemini/gemini-embedding-001',
  'anthropic/claude-sonnet-4-5',
  'nowhere/embed',
);

const CONTENT_PART = fc.oneof(
  fc.record({ type: fc.constant('text'), text: NASTY_TEXT }),
  fc.record({
    type: fc.constant('image_url'),
    image_url: fc.oneof(
      fc.record({
        url: fc.constantFrom(
          'https://example.com/cat.png',
          'data:image/png;base64,iVBORw0KGgo=',
          'data:,',
          'data:image/png;base64,',
          'not a url',
        ),
      }),
      WRONG,
    ),
  }),
  fc.record({ type: fc.constantFrom('input_audio', 'file', 'refusal', 'x') }),
  fc.record({ type: fc.constant('text') }),
);
const TOOL_CALL = fc.record(
  {
    id: TEXT,
    type: fc.constant('function'),
    function: fc.record(
      { name: TEXT, arguments: fc.oneof(TEXT, fc.constant('{"city":"Paris"}'), WRONG) },
      { requiredKeys: ['name'] },
    ),
  },
  { requiredKeys: ['id', 'function'] },
);
const MESSAGE = fc.oneof(
  fc.record(
    {
      role: fc.constantFrom('system', 'developer', 'user'),
      content: fc.oneof(NASTY_TEXT, fc.array(CONTENT_PART, { maxLength: 3 })),
      name: TEXT,
    },
    { requiredKeys: ['role'] },
  ),
  fc.record(
    {
      role: fc.constant('assistant'),
      content: fc.option(NASTY_TEXT, { nil: null }),
      tool_calls: fc.array(TOOL_CALL, { maxLength: 2 }),
      refusal: fc.option(TEXT, { nil: null }),
    },
    { requiredKeys: ['role'] },
  ),
  fc.record(
    {
      role: fc.constantFrom('tool', 'function'),
      content: fc.oneof(NASTY_TEXT, fc.array(CONTENT_PART, { maxLength: 2 })),
      tool_call_id: TEXT,
      name: TEXT,
    },
    { requiredKeys: ['role'] },
  ),
);
const SCHEMA = fc.oneof(
  fc.constant({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
  fc.constant({
    type: 'object',
    properties: { a: { $ref: '#/$defs/a' } },
    $defs: { a: { type: 'array', items: { $ref: '#/$defs/a' } } },
  }),
  fc.constant({ anyOf: [{ type: 'string' }, { type: 'null' }], additionalProperties: false, format: 'date-time' }),
  JSON_VALUE,
);
const TOOL = fc.oneof(
  fc.record({
    type: fc.constant('function'),
    function: fc.record(
      { name: TEXT, description: NASTY_TEXT, parameters: SCHEMA, strict: fc.boolean() },
      { requiredKeys: ['name'] },
    ),
  }),
  fc.record({ type: fc.constantFrom('web_search', 'custom', 'x') }),
);
const CHAT_BODY = fc.record(
  {
    model: CHAT_MODELS,
    messages: fc.array(MESSAGE, { minLength: 1, maxLength: 4 }),
    stream: fc.boolean(),
    stream_options: fc.record({ include_usage: fc.oneof(fc.boolean(), WRONG) }, { requiredKeys: [] }),
    max_tokens: fc.integer({ min: 1, max: 100_000_000 }),
    max_completion_tokens: fc.integer({ min: 1, max: 100_000_000 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    top_p: fc.double({ min: 0, max: 1, noNaN: true }),
    n: fc.integer({ min: 1, max: 128 }),
    stop: fc.oneof(TEXT, fc.array(NASTY_TEXT, { maxLength: 6 })),
    tools: fc.array(TOOL, { maxLength: 3 }),
    tool_choice: fc.oneof(
      fc.constantFrom('auto', 'none', 'required'),
      fc.record({ type: fc.constant('function'), function: fc.record({ name: TEXT }) }),
      WRONG,
    ),
    parallel_tool_calls: fc.oneof(fc.boolean(), WRONG),
    response_format: fc.oneof(
      fc.record({ type: fc.constantFrom('text', 'json_object', 'json_schema', 'x') }),
      fc.record({
        type: fc.constant('json_schema'),
        json_schema: fc.record({ name: TEXT, schema: SCHEMA, strict: fc.boolean() }, { requiredKeys: [] }),
      }),
    ),
    seed: fc.oneof(fc.integer(), WRONG),
    user: fc.oneof(TEXT, WRONG),
    logprobs: fc.oneof(fc.boolean(), WRONG),
    top_logprobs: fc.oneof(fc.integer({ min: -5, max: 30 }), WRONG),
    logit_bias: fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), fc.integer({ min: -100, max: 100 }), { maxKeys: 3 }), WRONG),
    presence_penalty: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), WRONG),
    frequency_penalty: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), WRONG),
    reasoning_effort: fc.oneof(fc.constantFrom('low', 'medium', 'high', 'minimal'), WRONG),
    metadata: fc.oneof(fc.dictionary(TEXT, TEXT, { maxKeys: 3 }), WRONG),
    store: fc.oneof(fc.boolean(), WRONG),
    modalities: fc.oneof(fc.constant(['text']), WRONG),
  },
  { requiredKeys: ['model', 'messages'] },
);
const EMBEDDINGS_BODY = fc.record(
  {
    model: EMBEDDING_MODELS,
    input: fc.oneof(
      NASTY_TEXT,
      fc.array(NASTY_TEXT, { minLength: 1, maxLength: 10 }),
      fc.array(fc.integer({ min: -5, max: 300_000 }), { minLength: 1, maxLength: 10 }),
      fc.array(fc.array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
      fc.constant(Array.from({ length: 2048 }, () => 'a')),
    ),
    encoding_format: fc.constantFrom('float', 'base64'),
    dimensions: fc.integer({ min: 1, max: 100_000 }),
    user: TEXT,
  },
  { requiredKeys: ['model', 'input'] },
);

const KEY_BODY = fc.record(
  {
    name: NASTY_TEXT,
    allowed_models: fc.oneof(
      fc.array(
        fc.oneof(
          fc.constantFrom('openai/*', '*', 'anthropic/claude-*', 'gemini/gemini-2.5-flash', '**', '*/x', 'a/b/c'),
          NASTY_TEXT,
        ),
        { maxLength: 4 },
      ),
      WRONG,
    ),
    spend_cap_micro_usd: fc.oneof(fc.integer({ min: 0, max: 1_000_000_000_000 }), fc.constant(null), WRONG),
    fallback_model: fc.oneof(
      fc.constantFrom('openai/gpt-4o-mini', 'gemini/gemini-2.5-flash'),
      fc.array(fc.oneof(CHAT_MODELS, NASTY_TEXT), { maxLength: 7 }),
      fc.constant(null),
      WRONG,
    ),
    rate_limit_rpm: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constant(null), WRONG),
  },
  { requiredKeys: [] },
);
const PROVIDER_BODY = fc.record(
  {
    provider: fc.oneof(
      fc.constantFrom('openai', 'anthropic', 'gemini', 'groq', 'mistral', 'together', 'fireworks', 'custom', 'OpenAI', ''),
      WRONG,
    ),
    name: fc.oneof(fc.constantFrom('openai', 'fuzz', 'a/b', 'x'.repeat(200)), NASTY_TEXT, WRONG),
    api_key: fc.oneof(
      fc.constantFrom('sk-fuzz-0123456789abcdefghij', ANTHROPIC_KEY, GEMINI_KEY, 'gsk_0123456789abcdefghij0123456789', ''),
      NASTY_TEXT,
      WRONG,
    ),
    base_url: fc.oneof(
      fc.constantFrom(
        'http://127.0.0.1:9/v1',
        'https://api.example.com/v1',
        'ftp://x',
        'javascript:alert(1)',
        'http://[::1]:99999',
        'http://user:pass@host/',
      ),
      NASTY_TEXT,
      WRONG,
    ),
  },
  { requiredKeys: [] },
);
const PRICE_BODY = fc.record(
  {
    model: fc.oneof(CHAT_MODELS, fc.constantFrom('ollama/llama3.2', 'openai/*', '*/*'), NASTY_TEXT, WRONG),
    input_usd_per_mtok: fc.oneof(
      fc.double({ min: 0, max: 10_000, noNaN: true }),
      fc.constantFrom(0.1234567, 1e-7, 10_000.000001, -0),
      WRONG,
    ),
    output_usd_per_mtok: fc.oneof(fc.double({ min: 0, max: 10_000, noNaN: true }), WRONG),
    cached_input_usd_per_mtok: fc.oneof(fc.double({ min: 0, max: 10_000, noNaN: true }), fc.constant(null), WRONG),
  },
  { requiredKeys: [] },
);

/** Replaces up to three values anywhere in `body` (nested too) with wrong ones, or a deeply nested one. */
function mutate(body: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Probe['body']> {
  const replacement = fc.oneof(
    { weight: 12, arbitrary: WRONG },
    { weight: 1, arbitrary: fc.constantFrom<unknown>('\u0000DEEP_ARRAY\u0000', '\u0000DEEP_OBJECT\u0000') },
  );
  return fc.tuple(body, fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 3 })).map(([original, edits]) => {
    const copy = structuredClone(original) as Record<string, unknown>;
    for (const [pick, value] of edits) {
      const paths = pathsOf(copy);
      const path = paths[pick % Math.max(1, paths.length)];
      if (path === undefined) continue;
      let node = copy as Record<string | number, unknown>;
      for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
      node[path.at(-1) as string | number] = structuredClone(value); // a copy: constantFrom hands out one shared instance
    }
    let text = JSON.stringify(copy);
    if (!text.includes('DEEP_')) return { json: copy };
    for (const [placeholder, deep] of Object.entries(DEEP_TEXT)) text = text.split(placeholder).join(deep);
    return { raw: new TextEncoder().encode(text) };
  });
}

/** Prototype-pollution keys in the JSON text (JSON.stringify would drop a real __proto__). */
function withProtoKeys(body: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      body,
      fc.constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '{"__proto__":null}'),
    )
    .map(([value, pollution]) => {
      const text = JSON.stringify(value);
      return new TextEncoder().encode(
        `{"__proto__":${pollution},${text.slice(1)}`.replace('{"__proto__":{"__proto__"', '{"__proto__":{"x"'),
      );
    });
}

/** The body of one probe: valid, mutated, random JSON, random bytes, or prototype keys. */
function bodies(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Probe['body']> {
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((json) => ({ json })) },
    { weight: 6, arbitrary: mutate(valid) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), WRONG, { maxKeys: 6 }).map((json) => ({ json })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.string({ unit: 'binary', maxLength: 60 }).map((s) => new TextEncoder().encode(s)),
          fc.constantFrom(new Uint8Array(0), new TextEncoder().encode('{"model":'), new Uint8Array([0xff, 0xfe, 0x7b, 0x00])),
        )
        .map((raw) => ({ raw })),
    },
    { weight: 1, arbitrary: withProtoKeys(valid).map((raw) => ({ raw })) },
  );
}

const CONTENT_TYPE = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

function probes(
  method: string,
  paths: fc.Arbitrary<string>,
  valid: fc.Arbitrary<Record<string, unknown>>,
  auth: fc.Arbitrary<Probe['auth']>,
): fc.Arbitrary<Probe> {
  return fc.record({ method: fc.constant(method), path: paths, body: bodies(valid), contentType: CONTENT_TYPE, auth });
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(upstream);
  const account = await accountWithKey(zai, { baseUrl: `${fake.url}/v1`, apiKey: 'sk-fuzz-0123456789abcdefghij' });
  plainKey = account.key;
  for (const [provider, apiKey] of [
    ['anthropic', ANTHROPIC_KEY],
    ['gemini', GEMINI_KEY],
  ] as const) {
    const added = await account.api.post('/api/providers', { provider, api_key: apiKey, base_url: fake.url });
    if (added.status !== 201) throw new Error(`adding ${provider} failed: ${added.text}`);
  }
  const capped = await account.api.post('/api/keys', { name: 'capped', spend_cap_micro_usd: 50_000_000 });
  if (capped.status !== 201) throw new Error(`capped key failed: ${capped.text}`);
  cappedKey = String(capped.body.key);

  // The management API is fuzzed on an account of its own, so what it creates cannot disturb the gateway runs.
  admin = new ApiClient(zai.url);
  const signup = await admin.signup(`fuzz-admin-${Date.now()}@example.com`);
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.text}`);
  const key = await admin.post('/api/keys', { name: 'target' });
  existingKeyId = String(key.body.id);
  const provider = await admin.post('/api/providers', {
    provider: 'openai',
    api_key: 'sk-fuzz-0123456789abcdefghij',
    base_url: `${fake.url}/v1`,
  });
  existingProviderId = String(provider.body.id);
});

afterAll(async () => {
  await zai?.close();
  await fake?.close();
});

describe('random requests end to end (fuzz)', () => {
  it('the gateway works for a valid request before the fuzzing starts', async () => {
    const answer = await send({
      method: 'POST',
      path: '/v1/chat/completions',
      body: { json: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } },
      contentType: 'application/json',
      auth: 'plain',
    });
    expect(answer.status, answer.text).toBe(200);
  });

  it('POST /v1/chat/completions: random bodies never get a 5xx, errors are OpenAI-shaped, streams end with [DONE]', async () => {
    const answers = await fuzz(
      probes(
        'POST',
        fc.constant('/v1/chat/completions'),
        CHAT_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constantFrom('plain', 'plain', 'capped'),
      ),
      300,
      SEED,
    );
    // The run must have reached the upstream, in both modes, not only the validator.
    expect(answers.filter((a) => a.status === 200 && a.contentType.startsWith('text/event-stream')).length).toBeGreaterThan(5);
    expect(answers.filter((a) => a.status === 200 && a.contentType.startsWith('application/json')).length).toBeGreaterThan(5);
    expect(answers.filter((a) => a.status === 400).length).toBeGreaterThan(30);
  });

  it('POST /v1/embeddings: random bodies never get a 5xx and errors are OpenAI-shaped', async () => {
    const answers = await fuzz(
      probes(
        'POST',
        fc.constant('/v1/embeddings'),
        EMBEDDINGS_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constantFrom('plain', 'capped'),
      ),
      100,
      SEED + 1,
    );
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(5);
  });

  it('the gateway answers random bodies without a key (or with a broken one) with OpenAI-shaped 4xx', async () => {
    await fuzz(
      probes(
        'POST',
        fc.constantFrom('/v1/chat/completions', '/v1/embeddings'),
        CHAT_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constant('none'),
      ),
      40,
      SEED + 2,
    );
  });

  it('POST /api/keys, PATCH /api/keys/:id: random bodies never get a 5xx and errors are OpenAI-shaped', async () => {
    await fuzz(
      probes('POST', fc.constant('/api/keys'), KEY_BODY as fc.Arbitrary<Record<string, unknown>>, fc.constant('session')),
      80,
      SEED + 3,
    );
    await fuzz(
      probes(
        'PATCH',
        fc.constantFrom(`/api/keys/${existingKeyId}`, '/api/keys/key_doesnotexist', '/api/keys/%00', '/api/keys/%20'),
        KEY_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constant('session'),
      ),
      40,
      SEED + 4,
    );
  });

  it('POST /api/providers, PATCH /api/providers/:id: random bodies never get a 5xx and errors are OpenAI-shaped', async () => {
    await fuzz(
      probes(
        'POST',
        fc.constant('/api/providers'),
        PROVIDER_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constant('session'),
      ),
      80,
      SEED + 5,
    );
    await fuzz(
      probes(
        'PATCH',
        fc.constantFrom(`/api/providers/${existingProviderId}`, '/api/providers/prv_doesnotexist'),
        PROVIDER_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constant('session'),
      ),
      40,
      SEED + 6,
    );
  });

  it('PUT /api/prices (and POST, which has no route): random bodies never get a 5xx and errors are OpenAI-shaped', async () => {
    await fuzz(
      probes('PUT', fc.constant('/api/prices'), PRICE_BODY as fc.Arbitrary<Record<string, unknown>>, fc.constant('session')),
      80,
      SEED + 7,
    );
    await fuzz(
      probes('POST', fc.constant('/api/prices'), PRICE_BODY as fc.Arbitrary<Record<string, unknown>>, fc.constant('session')),
      20,
      SEED + 8,
    );
  });

  it('the management API answers random bodies without a session with OpenAI-shaped 4xx', async () => {
    await fuzz(
      probes(
        'POST',
        fc.constantFrom('/api/keys', '/api/providers'),
        KEY_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constant('none'),
      ),
      30,
      SEED + 9,
    );
  });

  it('is still healthy afterwards: /healthz, a normal completion and normal streams', async () => {
    const health = await fetch(`${zai.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    for (const [model, stream] of [
      ['openai/gpt-4o-mini', false],
      ['anthropic/claude-sonnet-4-5', true],
      ['gemini/gemini-2.5-flash', true],
    ] as const) {
      const answer = await send({
        method: 'POST',
        path: '/v1/chat/completions',
        body: { json: { model, messages: [{ role: 'user', content: 'still there?' }], stream } },
        contentType: 'application/json',
        auth: 'plain',
      });
      expect(answer.status, answer.text).toBe(200);
      expect(problems(answer)).toEqual([]);
    }
  });

  it('logged no "unhandled error" while fuzzing (every failure was an anticipated GatewayError)', () => {
    const unhandled = zai
      .logs()
      .split('\n')
      .filter((line) => line.includes('unhandled error'));
    const summary = unhandled.map((line) => {
      const err = (JSON.parse(line) as { err?: { type?: string; message?: string; stack?: string } }).err;
      return `${err?.type}: ${err?.message} ${(err?.stack ?? '').split('\n')[1]?.trim() ?? ''}`;
    });
    expect([...new Set(summary)]).toEqual([]);
  });
});

describe('what the fuzzing found, pinned down', () => {
  const call = (model: string, message: Record<string, unknown>): Probe => ({
    method: 'POST',
    path: '/v1/chat/completions',
    body: {
      json: {
        model,
        messages: [
          { role: 'user', content: 'weather?' },
          message,
          { role: 'tool', tool_call_id: 'call_1', content: '{"temp":18}' },
        ],
      },
    },
    contentType: 'application/json',
    auth: 'plain',
  });

  it.each(['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5', 'gemini/gemini-2.5-flash'])(
    '%s: tool_calls[].function.arguments that is not a string (object, array, number, null, missing) is a 400 or passes, never a 500',
    async (model) => {
      const found: string[] = [];
      for (const args of [{ city: 'Paris' }, ['{}'], 42, null, undefined]) {
        const fn: Record<string, unknown> = { name: 'get_weather' };
        if (args !== undefined) fn.arguments = args;
        const answer = await send(
          call(model, { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: fn }] }),
        );
        found.push(...problems(answer));
      }
      expect(found).toEqual([]);
    },
  );

  it.each(['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5', 'gemini/gemini-2.5-flash'])(
    '%s: a deeply nested JSON value (12,000 levels, 24 kB) in a pass-through field is a 400 or passes, never a 500',
    async (model) => {
      const found: string[] = [];
      for (const field of ['metadata', 'user', 'tool_choice']) {
        const text = JSON.stringify({
          model,
          messages: [{ role: 'user', content: 'hi' }],
          [field]: '\u0000DEEP_ARRAY\u0000',
        }).replace('"\\u0000DEEP_ARRAY\\u0000"', DEEP_TEXT['"\\u0000DEEP_ARRAY\\u0000"'] ?? '');
        found.push(
          ...problems(
            await send({
              method: 'POST',
              path: '/v1/chat/completions',
              body: { raw: new TextEncoder().encode(text) },
              contentType: 'application/json',
              auth: 'plain',
            }),
          ),
        );
      }
      expect(found).toEqual([]);
    },
  );

  it("router-level refusals (an id longer than maxParamLength, a malformed percent-escape) are answered in OpenAI's error shape", async () => {
    const found: string[] = [];
    for (const path of [
      `/api/keys/${'x'.repeat(300)}`,
      `/api/providers/${'x'.repeat(300)}`,
      '/api/keys/%E2%82',
      '/api/providers/%zz',
    ]) {
      found.push(
        ...problems(
          await send({ method: 'PATCH', path, body: { json: { name: 'x' } }, contentType: 'application/json', auth: 'session' }),
        ),
      );
    }
    expect(found).toEqual([]);
  });

  it('a Gemini error whose code is not an integer (450.5) still maps to a valid HTTP status, streamed or not', async () => {
    const found: string[] = [];
    for (const stream of [false, true]) {
      const answer = await send({
        method: 'POST',
        path: '/v1/chat/completions',
        body: { json: { model: 'gemini/gemini-fractional-code', messages: [{ role: 'user', content: 'hi' }], stream } },
        contentType: 'application/json',
        auth: 'plain',
      });
      // Not streamed, the answer's own 400 stands. Streamed, the 200 carried a garbled error: that is
      // the upstream's fault, so 502 upstream_error (an integer status either way).
      expect(answer.status).toBe(stream ? 502 : 400);
      found.push(...problems(answer).filter((p) => !(stream && p.startsWith('status 502'))));
    }
    expect(found).toEqual([]);
  });
});
