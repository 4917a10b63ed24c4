/**
 * Request bodies for the request-fuzzing suites: valid-looking bodies of the gateway
 * (`/v1/chat/completions`, `/v1/embeddings`) and of the management API (`/api/keys`,
 * `/api/providers`, `/api/prices`), with random and wrong values in every field.
 */
import fc from 'fast-check';
import { ANTHROPIC_KEY, GEMINI_KEY } from './fuzz-server.js';

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
export const WRONG = fc.oneof(
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
export const DEEP_TEXT: Record<string, string> = {
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
export const CHAT_BODY = fc.record(
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
export const EMBEDDINGS_BODY = fc.record(
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

export const KEY_BODY = fc.record(
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
export const PROVIDER_BODY = fc.record(
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
export const PRICE_BODY = fc.record(
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
