/**
 * Property tests for the request validators: fed any value at
 * all (random JSON, exotic JS values, valid requests with a wrong type in any field), they either
 * return the body or throw a GatewayError with status 400 naming the field — nothing else. And
 * they accept every request built from valid parts, without touching it.
 *
 * Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { validateChatRequest, validateEmbeddingsRequest } from './validate-request.js';
import { pathsOf } from '../../test/helpers/fuzz.js';

const SEED = Number(process.env.ZAI_FUZZ_SEED ?? 0x400);

const CHAT_FIELDS = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'n',
  'stop',
  'tools',
  'response_format',
];
const EMBEDDINGS_FIELDS = ['model', 'input', 'encoding_format', 'dimensions'];

type Validator = (body: unknown) => unknown;

/** Calls the validator; fails the property on anything but a return or a 400 GatewayError. */
function check(validate: Validator, fields: readonly string[], body: unknown): 'accepted' | 'refused' {
  let result: unknown;
  try {
    result = validate(body);
  } catch (error) {
    expect(
      error instanceof GatewayError,
      `threw ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)}`,
    ).toBe(true);
    const e = error as GatewayError;
    expect(e.status).toBe(400);
    expect(e.type).toBe('invalid_request_error');
    expect(e.code).toBe('invalid_request');
    expect(typeof e.message).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
    if (e.param !== null) {
      // The param names the offending field, e.g. `messages[2].content[0]`.
      const root = /^[a-z_]+/.exec(e.param)?.[0];
      expect(fields, `param ${e.param}`).toContain(root);
    }
    expect(JSON.parse(JSON.stringify(e.toJSON()))).toEqual({
      error: { message: e.message, type: e.type, code: e.code, param: e.param },
    });
    return 'refused';
  }
  expect(result).toBe(body);
  return 'accepted';
}

/** Deep copy that survives exotic values well enough to detect mutation by the validator. */
function snapshot(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? 'undefined';
  } catch {
    return 'unserialisable';
  }
}

// ---------------------------------------------------------------------------------------------
// Valid requests, built from parts

const TEXT = fc.string({ maxLength: 20 });
const MODEL = fc
  .tuple(fc.constantFrom('openai', 'anthropic', 'gemini', 'groq', 'custom'), fc.string({ minLength: 1, maxLength: 30 }))
  .map(([p, m]) => `${p}/${m}`)
  .filter((m) => m.trim() !== '');
const CONTENT_PART = fc.oneof(
  fc.record({ type: fc.constant('text'), text: TEXT }),
  fc.record({ type: fc.constant('image_url'), image_url: fc.record({ url: fc.webUrl() }) }),
  fc.record({ type: fc.string({ maxLength: 10 }) }),
);
const TOOL_CALL = fc.record({ id: TEXT, type: fc.constant('function'), function: fc.record({ name: TEXT, arguments: TEXT }) });
const MESSAGE = fc.oneof(
  fc.record(
    { role: fc.constantFrom('system', 'developer', 'user'), content: fc.oneof(TEXT, fc.array(CONTENT_PART, { maxLength: 3 })) },
    { requiredKeys: ['role'] },
  ),
  fc.record(
    {
      role: fc.constant('assistant'),
      content: fc.option(TEXT, { nil: null }),
      tool_calls: fc.option(fc.array(TOOL_CALL, { maxLength: 2 }), { nil: null }),
    },
    { requiredKeys: ['role'] },
  ),
  fc.record({ role: fc.constantFrom('tool', 'function'), content: TEXT, tool_call_id: TEXT }),
);
const FUNCTION_TOOL = fc.record({
  type: fc.constant('function'),
  function: fc.record(
    { name: TEXT, description: TEXT, parameters: fc.constant({ type: 'object', properties: {} }) },
    { requiredKeys: ['name'] },
  ),
});
const VALID_CHAT = fc.record(
  {
    model: MODEL,
    messages: fc.array(MESSAGE, { minLength: 1, maxLength: 5 }),
    stream: fc.option(fc.boolean(), { nil: null }),
    stream_options: fc.option(fc.record({ include_usage: fc.boolean() }), { nil: null }),
    max_tokens: fc.option(fc.integer({ min: 1, max: 100_000_000 }), { nil: null }),
    max_completion_tokens: fc.option(fc.integer({ min: 1, max: 100_000_000 }), { nil: null }),
    temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: null }),
    top_p: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    n: fc.option(fc.integer({ min: 1, max: 128 }), { nil: null }),
    stop: fc.option(fc.oneof(TEXT, fc.array(TEXT, { maxLength: 4 })), { nil: null }),
    tools: fc.option(
      fc.array(fc.oneof(FUNCTION_TOOL, fc.record({ type: fc.constantFrom('web_search', 'x') })), { maxLength: 3 }),
      { nil: null },
    ),
    tool_choice: fc.oneof(fc.constantFrom('auto', 'none', 'required'), fc.jsonValue({ maxDepth: 2 })),
    response_format: fc.option(
      fc.oneof(
        fc.record({ type: fc.constantFrom('text', 'json_object') }),
        fc.record({
          type: fc.constant('json_schema'),
          json_schema: fc.record({ name: TEXT, schema: fc.constant({ type: 'object' }) }),
        }),
      ),
      { nil: null },
    ),
    seed: fc.integer(),
    user: TEXT,
    metadata: fc.dictionary(fc.string({ maxLength: 5 }), TEXT, { maxKeys: 3 }),
  },
  { requiredKeys: ['model', 'messages'] },
);

const VALID_EMBEDDINGS = fc.record(
  {
    model: MODEL,
    input: fc.oneof(
      TEXT,
      fc.array(TEXT, { minLength: 1, maxLength: 20 }),
      fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 8 }), { minLength: 1, maxLength: 5 }),
    ),
    encoding_format: fc.constantFrom('float', 'base64'),
    dimensions: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: null }),
    user: TEXT,
  },
  { requiredKeys: ['model', 'input'] },
);

// ---------------------------------------------------------------------------------------------
// Wrong values, anywhere

/** Values of every JSON type plus the edge cases validators get wrong (NaN never comes from JSON, but -0 and 1e308 do). */
const WRONG = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      null,
      undefined,
      '',
      ' ',
      '\u0000',
      0,
      -0,
      -1,
      0.5,
      1e308,
      -1e308,
      2 ** 53,
      true,
      false,
      [],
      {},
      [[]],
      [{}],
      [null],
      { type: 1 },
      'openai/',
      '/x',
      'x'.repeat(600),
    ),
  },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
);

const EXOTIC = fc.anything({
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

const DELETE = Symbol('delete');

/** A valid request with 1–3 values anywhere in it replaced by a wrong one (or removed). */
function mutated(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      valid,
      fc.array(
        fc.tuple(fc.nat(), fc.oneof({ weight: 5, arbitrary: WRONG }, { weight: 1, arbitrary: fc.constant<unknown>(DELETE) })),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([body, edits]) => {
      const copy = structuredClone(body);
      for (const [pick, value] of edits) {
        const paths = pathsOf(copy);
        const path = paths[pick % Math.max(1, paths.length)];
        if (path === undefined) continue;
        let node = copy as Record<string | number, unknown>;
        for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
        const last = path.at(-1) as string | number;
        if (value === DELETE) delete node[last];
        else node[last] = structuredClone(value); // a copy: constantFrom hands out one shared instance
      }
      return copy;
    });
}

/** One wrong value in one named top-level field: every field's type check is reached. */
function wrongField(valid: fc.Arbitrary<Record<string, unknown>>, fields: readonly string[]): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.constantFrom(...fields), WRONG).map(([body, field, value]) => ({ ...body, [field]: value }));
}

// ---------------------------------------------------------------------------------------------

describe.each([
  {
    name: 'validateChatRequest',
    validate: validateChatRequest as Validator,
    valid: VALID_CHAT as fc.Arbitrary<Record<string, unknown>>,
    fields: CHAT_FIELDS,
  },
  {
    name: 'validateEmbeddingsRequest',
    validate: validateEmbeddingsRequest as Validator,
    valid: VALID_EMBEDDINGS as fc.Arbitrary<Record<string, unknown>>,
    fields: EMBEDDINGS_FIELDS,
  },
])('$name (fuzz)', ({ validate, valid, fields }) => {
  it('accepts every request built from valid parts, returning it untouched', () => {
    fc.assert(
      fc.property(valid, (body) => {
        const before = snapshot(body);
        expect(check(validate, fields, body)).toBe('accepted');
        expect(snapshot(body)).toBe(before);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('answers random JSON with the body or a 400, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.json().map((text) => JSON.parse(text) as unknown),
          fc.dictionary(fc.constantFrom(...fields, 'x'), fc.jsonValue({ maxDepth: 3 })),
        ),
        (body) => {
          check(validate, fields, body);
        },
      ),
      { seed: SEED + 1, numRuns: 400 },
    );
  });

  it('answers any JS value (boxed, sparse, null-prototype, typed arrays, Maps…) with the body or a 400', () => {
    fc.assert(
      fc.property(fc.oneof(EXOTIC, fc.dictionary(fc.constantFrom(...fields), EXOTIC)), (body) => {
        const before = snapshot(body);
        check(validate, fields, body);
        expect(snapshot(body)).toBe(before);
      }),
      { seed: SEED + 2, numRuns: 400 },
    );
  });

  it('answers a valid request with a wrong type in any one field with a 400 or acceptance, never a crash', () => {
    fc.assert(
      fc.property(wrongField(valid, fields), (body) => {
        check(validate, fields, body);
      }),
      { seed: SEED + 3, numRuns: 400 },
    );
  });

  it('answers valid requests with wrong values anywhere inside (nested too) with the body or a 400', () => {
    fc.assert(
      fc.property(mutated(valid), (body) => {
        const before = snapshot(body);
        check(validate, fields, body);
        expect(snapshot(body)).toBe(before);
      }),
      { seed: SEED + 4, numRuns: 400 },
    );
  });
});

describe('validators refuse what they promise to refuse (fuzz)', () => {
  it('chat: a wrong type in a checked field is refused naming that field', () => {
    const cases = fc.oneof(
      fc.record({
        field: fc.constant('model'),
        value: fc.oneof(fc.constantFrom<unknown>(undefined, null, '', '   ', 1, [], {}), fc.constant('m'.repeat(513))),
      }),
      fc.record({ field: fc.constant('messages'), value: fc.constantFrom<unknown>(undefined, null, [], 'hi', {}, 1) }),
      fc.record({ field: fc.constant('stream'), value: fc.constantFrom<unknown>('true', 1, 0, [], {}) }),
      fc.record({ field: fc.constant('stream_options'), value: fc.constantFrom<unknown>('x', 1, true, []) }),
      fc.record({
        field: fc.constantFrom('max_tokens', 'max_completion_tokens'),
        value: fc.oneof(fc.constantFrom<unknown>(0, -1, 1.5, '10', true, [], {}, 100_000_001), fc.integer({ max: 0 })),
      }),
      fc.record({
        field: fc.constant('temperature'),
        value: fc.oneof(
          fc.double({ min: 2, minExcluded: true, noNaN: true }),
          fc.double({ max: -1e-9, noNaN: true }),
          fc.constantFrom<unknown>('1', true, []),
        ),
      }),
      fc.record({
        field: fc.constant('top_p'),
        value: fc.oneof(fc.double({ min: 1, minExcluded: true, noNaN: true }), fc.constantFrom<unknown>(-0.1, '0.5', {})),
      }),
      fc.record({ field: fc.constant('n'), value: fc.constantFrom<unknown>(0, 129, 1.5, '2', false) }),
      fc.record({ field: fc.constant('stop'), value: fc.constantFrom<unknown>(1, true, {}, [1], ['a', null]) }),
      fc.record({
        field: fc.constant('tools'),
        value: fc.constantFrom<unknown>(
          'x',
          1,
          {},
          [1],
          [{}],
          [{ type: 'function' }],
          [{ type: 'function', function: { name: 1 } }],
        ),
      }),
      fc.record({ field: fc.constant('response_format'), value: fc.constantFrom<unknown>('json', 1, [], {}, { type: 1 }) }),
    );
    fc.assert(
      fc.property(VALID_CHAT, cases, (body, { field, value }) => {
        const bad: Record<string, unknown> = { ...body, [field]: value };
        if (value === undefined) delete bad[field];
        expect(() => validateChatRequest(bad)).toThrow(GatewayError);
        try {
          validateChatRequest(bad);
        } catch (error) {
          expect((error as GatewayError).status).toBe(400);
          expect((error as GatewayError).param).toBe(field);
        }
      }),
      { seed: SEED + 5, numRuns: 500 },
    );
  });

  it('embeddings: a wrong input, encoding_format or dimensions is refused naming that field', () => {
    const cases = fc.oneof(
      fc.record({
        field: fc.constant('input'),
        value: fc.constantFrom<unknown>(
          undefined,
          null,
          1,
          [],
          {},
          [1, 'a'],
          [[1], 'a'],
          [1.5],
          [[1.5]],
          Array.from({ length: 2049 }, () => 'a'),
        ),
      }),
      fc.record({ field: fc.constant('encoding_format'), value: fc.constantFrom<unknown>(null, 'FLOAT', '', 1, [], 'int8') }),
      fc.record({ field: fc.constant('dimensions'), value: fc.constantFrom<unknown>(0, -3, 1.5, 100_001, '8', true) }),
    );
    fc.assert(
      fc.property(VALID_EMBEDDINGS, cases, (body, { field, value }) => {
        const bad: Record<string, unknown> = { ...body, [field]: value };
        if (value === undefined) delete bad[field];
        try {
          validateEmbeddingsRequest(bad);
          expect.fail(`accepted ${field}=${snapshot(value)}`);
        } catch (error) {
          expect(error).toBeInstanceOf(GatewayError);
          expect((error as GatewayError).status).toBe(400);
          expect((error as GatewayError).param).toBe(field);
        }
      }),
      { seed: SEED + 6, numRuns: 300 },
    );
  });
});
