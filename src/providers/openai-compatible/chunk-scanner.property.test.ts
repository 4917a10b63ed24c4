/**
 * The streaming fast path against the full path, on generated chunks: whatever the upstream sends
 * (key orders, whitespace, escapes, non-ASCII, nesting, usage null / object / absent / malformed,
 * every finish reason, `error` and `x_groq` chunks, repeated keys, and what the full path must fix:
 * content as a list of parts, `reasoning`, tool calls without index or type, a first chunk without
 * its role, several choices, reasoning turned off), what the fast path sends parses to exactly the
 * object the full path sends, the transform ends in the same state, and an error is the same error. A second property shows that plain chunks do take the fast path, so the first
 * one compares two different code paths.
 *
 * The reference is the same transform fed the same text behind one leading space: JSON.parse reads
 * it alike, but the fast path only takes text that starts with `{"id":"` (checked: the reference
 * never yields an encoded chunk). Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to
 * explore other inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { EncodedChunk, type SseEvent, type StreamOutput, type StreamTransform } from '../provider.js';
import { ToolIdMap } from './mistral-tool-ids.js';
import { createChatStream } from './stream.js';

const SEED = Number(process.env.ZAI_FUZZ_SEED ?? 0x5ca7);
const PUBLIC_MODEL = 'groq/llama-3.3-70b';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

/** How a chunk object is written as text: the layouts real hosts use, and stranger ones. */
interface Style {
  /** `openai`: id, object, created, model first (OpenAI's layout), the rest shuffled; `shuffled`: every object shuffled. */
  order: 'openai' | 'shuffled';
  seed: number;
  /** After every `:` and `,`. */
  space: '' | ' ' | '\t';
  /** Non-ASCII characters as `\uXXXX`. */
  escapeNonAscii: boolean;
  /** `/` as `\/`. */
  escapeSlash: boolean;
  /** Every key's first letter as a `\u` escape. */
  escapeKeys: boolean;
  /** A top-level member appended again at the end (JSON.parse keeps the last). */
  repeat: { key: string; value: Json } | undefined;
  /** Spaces after the closing brace. */
  trailing: string;
}

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function writeString(value: string, style: Style): string {
  let text = JSON.stringify(value);
  if (style.escapeSlash) text = text.replaceAll('/', '\\/');
  if (style.escapeNonAscii) {
    text = text.replace(/[^\u0000-\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  return text;
}

function writeKey(key: string, style: Style): string {
  if (!style.escapeKeys || key === '') return writeString(key, style);
  const first = `\\u${key.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return `"${first}${writeString(key.slice(1), style).slice(1)}`;
}

const HEAD_KEYS = ['id', 'object', 'created', 'model'];

function write(value: Json, style: Style, topLevel = false): string {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'string' ? writeString(value, style) : JSON.stringify(value);
  }
  const colon = `:${style.space}`;
  const comma = `,${style.space}`;
  if (Array.isArray(value)) return `[${value.map((item) => write(item, style)).join(comma)}]`;
  let keys = Object.keys(value).filter((key) => value[key] !== undefined);
  if (topLevel && style.order === 'openai') {
    const head = HEAD_KEYS.filter((key) => keys.includes(key));
    keys = [
      ...head,
      ...shuffle(
        keys.filter((key) => !HEAD_KEYS.includes(key)),
        style.seed,
      ),
    ];
  } else if (style.order === 'shuffled') keys = shuffle(keys, style.seed + keys.length);
  const members = keys.map((key) => `${writeKey(key, style)}${colon}${write(value[key] as Json, style)}`);
  if (topLevel && style.repeat !== undefined) {
    members.push(`${writeKey(style.repeat.key, style)}${colon}${write(style.repeat.value, style)}`);
  }
  return `{${members.join(comma)}}${topLevel ? style.trailing : ''}`;
}

// ---- Generated chunks ----

/** Text as models write it: ASCII, any Unicode (non-BMP, lone surrogates, controls), and the tricky ones. */
const text = fc.oneof(
  { arbitrary: fc.string({ maxLength: 10 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 6 }), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      '',
      'Paris: 18°C 🌥 東京 €',
      '","model":"evil","x":"',
      '\\"model\\"',
      '\u2028\u2029',
      '{"city":"Paris"}',
      'a\nb\tc',
    ),
    weight: 1,
  },
);
/** Ids and model names: mostly plain, sometimes with characters that must be escaped. */
const name = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-zA-Z0-9._:/-]{0,24}$/), weight: 12 },
  { arbitrary: fc.constantFrom('gpt-4o-2024-08-06', 'llama-3.3-70b-versatile', 'modèle-é'), weight: 2 },
  { arbitrary: text, weight: 1 },
);
const count = fc.nat({ max: 100_000 });
const finishReason = fc.oneof(
  { arbitrary: fc.constant(null), weight: 12 },
  { arbitrary: fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter', 'function_call'), weight: 4 },
  { arbitrary: fc.constantFrom('eos', 'model_length', '', 'end_turn', 'error'), weight: 2 },
);
const usage = fc.record(
  {
    prompt_tokens: count,
    completion_tokens: count,
    total_tokens: count,
    prompt_tokens_details: fc.record({ cached_tokens: count }),
    completion_tokens_details: fc.record({ reasoning_tokens: count }),
    queue_time: fc.double({ noNaN: true, noDefaultInfinity: true }),
  },
  { requiredKeys: [] },
);
/** Rare members, so most generated streams run to their end and most chunks could take the fast path. */
function rarely<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: 25 }, { arbitrary, weight: 1 });
}
/** Mostly OpenAI's tool-call deltas; Mistral's come without `index` and `type`. */
const missing = undefined as unknown as Json;
const toolCall = fc.record(
  {
    index: fc.oneof(
      { arbitrary: fc.nat({ max: 3 }), weight: 6 },
      { arbitrary: fc.constantFrom<Json>(missing, 1.5, '0', 10, -1, 123456, 1234567, 1e21), weight: 1 },
    ),
    id: fc.oneof(name, fc.constant('MAPPEDID1')),
    type: fc.oneof({ arbitrary: fc.constant<Json>('function'), weight: 6 }, { arbitrary: fc.constant(missing), weight: 1 }),
    function: fc.record({ name, arguments: text }, { requiredKeys: [] }),
  },
  { requiredKeys: ['index', 'type'] },
);
/** Mistral's content parts: text, thinking (a list of text parts), and parts without text. */
const contentPart = fc.oneof(
  fc.record({ type: fc.constant('text'), text }),
  fc.record({
    type: fc.constant('thinking'),
    thinking: fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 2 }),
  }),
  fc.record({ type: fc.constant('reference'), reference_ids: fc.array(fc.nat(), { maxLength: 2 }) }),
);
const delta = fc.record(
  {
    role: fc.constant('assistant'),
    content: fc.oneof(
      { arbitrary: text, weight: 8 },
      { arbitrary: fc.constant(null), weight: 1 },
      { arbitrary: fc.array(contentPart, { maxLength: 3 }) as fc.Arbitrary<Json>, weight: 1 },
    ),
    refusal: fc.constant(null),
    reasoning_content: rarely(text),
    reasoning: rarely(text),
    tool_calls: fc.array(toolCall, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const logprobs = fc.oneof(
  fc.constant(null),
  fc.record({ content: fc.array(fc.record({ token: text, logprob: fc.double({ noNaN: true, max: 0 }) }), { maxLength: 2 }) }),
);
const choice = fc.record(
  {
    index: fc.oneof({ arbitrary: fc.constant(0), weight: 10 }, { arbitrary: fc.nat({ max: 2 }), weight: 1 }),
    delta,
    logprobs,
    finish_reason: finishReason,
  },
  { requiredKeys: ['index', 'delta', 'finish_reason'] },
);
const chunk: fc.Arbitrary<Json> = fc
  .record({
    id: name,
    object: fc.oneof(
      { arbitrary: fc.constant('chat.completion.chunk'), weight: 25 },
      { arbitrary: fc.constant('chat.completion'), weight: 1 },
    ),
    created: fc.oneof(
      { arbitrary: fc.nat({ max: 2_000_000_000 }), weight: 25 },
      { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
    ),
    model: name,
    system_fingerprint: fc.option(name, { nil: undefined }),
    service_tier: fc.option(fc.constantFrom('default', 'flex'), { nil: undefined }),
    choices: fc.oneof(
      { arbitrary: fc.array(choice, { maxLength: 1 }), weight: 25 },
      { arbitrary: fc.array(choice, { maxLength: 3 }), weight: 2 },
      { arbitrary: fc.constantFrom<Json>(null, 'x', [1], [[]]), weight: 1 },
    ),
    usage: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 4 },
      { arbitrary: fc.constant(null), weight: 4 },
      { arbitrary: usage, weight: 3 },
      { arbitrary: fc.constantFrom<Json>(5, 'x', []), weight: 1 },
    ),
    obfuscation: fc.option(text, { nil: undefined }),
    x_groq: rarely(fc.record({ id: name, usage, error: fc.option(text, { nil: undefined }) }, { requiredKeys: ['id'] })),
    error: rarely(fc.oneof(fc.record({ message: text, type: name }), fc.constant(null))),
    extra: rarely(fc.jsonValue({ maxDepth: 5 }) as fc.Arbitrary<Json>),
    deep: rarely(fc.integer({ min: 25, max: 40 }).map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as Json)),
  })
  .map((fields) => fields as Json);

const anyStyle: fc.Arbitrary<Style> = fc.record({
  order: fc.oneof(
    { arbitrary: fc.constant('openai' as const), weight: 6 },
    { arbitrary: fc.constant('shuffled' as const), weight: 1 },
  ),
  seed: fc.nat(),
  space: fc.oneof(
    { arbitrary: fc.constant('' as const), weight: 6 },
    { arbitrary: fc.constantFrom(' ' as const, '\t' as const), weight: 1 },
  ),
  escapeNonAscii: fc.boolean(),
  escapeSlash: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
  escapeKeys: fc.oneof({ arbitrary: fc.constant(false), weight: 10 }, { arbitrary: fc.constant(true), weight: 1 }),
  repeat: rarely(
    fc.record({
      key: fc.constantFrom('id', 'object', 'created', 'model', 'usage', 'choices', 'error', 'x_groq'),
      value: fc.constantFrom<Json>('later', null, 1, [], { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }),
    }),
  ),
  trailing: fc.constantFrom('', '', '', ' ', ' \t'),
});
/** Most chunks as OpenAI writes them (what most hosts send), the others in any style. */
const style = fc.oneof(
  {
    arbitrary: fc.nat().map((seed): Style => ({
      order: 'openai',
      seed,
      space: '',
      escapeNonAscii: false,
      escapeSlash: false,
      escapeKeys: false,
      repeat: undefined,
      trailing: '',
    })),
    weight: 2,
  },
  { arbitrary: anyStyle, weight: 1 },
);

const stream = fc.record({
  events: fc.array(
    fc.tuple(chunk, style).map(([value, how]) => write(value, how, true)),
    { minLength: 1, maxLength: 6 },
  ),
  done: fc.boolean(),
  includeUsage: fc.boolean(),
  mapToolIds: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
  reasoning: fc.boolean(),
});

/**
 * A stream whose chunks are one chunk with other strings in it, as real streams are (the next words
 * of the content, OpenAI's `obfuscation` padding): the values of the keys that vary from chunk to
 * chunk are replaced, and now and then any other string (an id, a finish reason, a role), or a
 * whole other chunk comes in between. Some strings get raw text no JSON writer would send (a control
 * character, a quote, a broken escape) that the full path refuses.
 */
const RAW_MARKER = 'RAW_MARKER_7';
const rawText = fc.constantFrom('\n', '\u0001', '\u001f', '\\x', '\\u12G4', '\\', '"', '\\"', '\\u00e9', '\\\\');
const VARYING_KEYS = new Set([
  'content',
  'arguments',
  'reasoning_content',
  'reasoning',
  'obfuscation',
  'token',
  'refusal',
  'text',
]);

function withOtherStrings(value: Json, texts: string[], anyKey: boolean[], at: { i: number }, key = ''): Json {
  if (typeof value === 'string') {
    const i = at.i++;
    return VARYING_KEYS.has(key) || anyKey[i % anyKey.length] === true ? (texts[i % texts.length] as string) : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => withOtherStrings(item, texts, anyKey, at, key));
  const out: { [key: string]: Json | undefined } = {};
  for (const [k, v] of Object.entries(value)) out[k] = v === undefined ? undefined : withOtherStrings(v, texts, anyKey, at, k);
  return out;
}

const alikeStream = fc
  .record({
    base: chunk,
    how: style,
    variants: fc.array(
      fc.oneof(
        {
          arbitrary: fc.record({
            texts: fc.array(text, { minLength: 1, maxLength: 6 }),
            raw: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: rawText, weight: 1 }),
            anyKey: fc.array(
              fc.oneof({ arbitrary: fc.constant(false), weight: 15 }, { arbitrary: fc.constant(true), weight: 1 }),
              {
                minLength: 1,
                maxLength: 8,
              },
            ),
          }),
          weight: 8,
        },
        { arbitrary: chunk.map((other) => ({ other })), weight: 1 },
      ),
      { minLength: 1, maxLength: 8 },
    ),
    includeUsage: fc.boolean(),
    mapToolIds: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
    reasoning: fc.boolean(),
  })
  .map(({ base, how, variants, ...options }) => ({
    ...options,
    events: [
      write(base, how, true),
      ...variants.map((variant) => {
        if ('other' in variant) return write(variant.other, how, true);
        const { texts, anyKey, raw } = variant;
        const written = write(
          withOtherStrings(base, raw === undefined ? texts : [RAW_MARKER, ...texts], anyKey, { i: 0 }),
          how,
          true,
        );
        return raw === undefined ? written : written.replace(RAW_MARKER, () => raw);
      }),
    ],
  }));

// ---- Running both paths ----

const ev = (data: string): SseEvent => ({ event: undefined, data, id: undefined });

function transform(includeUsage: boolean, mapToolIds: boolean, reasoning = true): StreamTransform {
  const toolIds = mapToolIds ? new ToolIdMap() : undefined;
  // A mapped id, so restoring ids changes something when MAPPEDID1 comes back.
  if (toolIds !== undefined && toolIds.toUpstream('call_client_1') === '') throw new Error('unreachable');
  return createChatStream({ publicModel: PUBLIC_MODEL, includeUsage, toolIds, reasoning, encoded: true });
}

type Result = { ok: true; value: unknown } | { ok: false; error: { status: number; code: string | null; message: string } };

function attempt(run: () => unknown): Result {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return { ok: false, error: { status: error.status, code: error.code, message: error.message } };
  }
}

/** What the client reads: each output as the JSON value its text parses to. */
function onTheWire(outputs: StreamOutput[]): unknown[] {
  return outputs.map((item) => JSON.parse(item instanceof EncodedChunk ? item.json : JSON.stringify(item)) as unknown);
}

function generatedBytes(chunk: unknown): number {
  let bytes = 0;
  const choices = (chunk as { choices?: Array<{ delta?: Record<string, unknown> }> }).choices ?? [];
  for (const choice of choices) {
    const { content, tool_calls: calls } = choice.delta ?? {};
    if (typeof content === 'string') bytes += Buffer.byteLength(content);
    if (Array.isArray(calls)) {
      for (const call of calls as Array<{ function?: { arguments?: unknown } }>) {
        const args = call.function?.arguments;
        if (typeof args === 'string') bytes += Buffer.byteLength(args);
      }
    }
  }
  return bytes;
}

/** Every output of the fast transform checked against the reference; counts events and encoded outputs. */
function compare(
  fast: StreamTransform,
  full: StreamTransform,
  events: string[],
  seen: { events: number; encoded: number },
): void {
  for (const data of events) {
    seen.events++;
    const a = attempt(() => fast.push(ev(data)));
    const b = attempt(() => full.push(ev(data === '[DONE]' ? data : ` ${data}`)));
    if (!a.ok || !b.ok) {
      expect(a, data).toEqual(b);
      return;
    }
    const fastOut = a.value as StreamOutput[];
    const fullOut = b.value as StreamOutput[];
    expect(fullOut.some((item) => item instanceof EncodedChunk)).toBe(false);
    expect(onTheWire(fastOut), data).toStrictEqual(onTheWire(fullOut));
    for (const item of fastOut) {
      if (!(item instanceof EncodedChunk)) continue;
      seen.encoded++;
      // One SSE line, and a cost estimate that never counts less text than was sent.
      expect(/[\r\n]/.test(item.json)).toBe(false);
      expect(item.textBytes).toBeGreaterThanOrEqual(generatedBytes(JSON.parse(item.json)));
    }
    expect(fast.finished).toBe(full.finished);
    expect(fast.usage()).toEqual(full.usage());
  }
}

describe('OpenAI-compatible stream: fast path ≡ full path', () => {
  it('for generated chunks, the fast path sends what the full path sends and ends in the same state', () => {
    const seen = { events: 0, encoded: 0 };
    fc.assert(
      fc.property(stream, ({ events, done, includeUsage, mapToolIds, reasoning }) => {
        const fast = transform(includeUsage, mapToolIds, reasoning);
        const full = transform(includeUsage, mapToolIds, reasoning);
        compare(fast, full, done ? [...events, '[DONE]'] : events, seen);
        const endA = attempt(() => onTheWire(fast.end()));
        const endB = attempt(() => onTheWire(full.end()));
        expect(endA).toStrictEqual(endB);
        expect(fast.complete).toBe(full.complete);
        expect(fast.usage()).toEqual(full.usage());
      }),
      { seed: SEED, numRuns: 2000 },
    );
    // The property compares two paths only if the fast one is taken often.
    expect(seen.encoded).toBeGreaterThan(seen.events * 0.25);
  });

  it('for streams of chunks laid out alike (the template path), the fast path sends what the full path sends', () => {
    const seen = { events: 0, encoded: 0 };
    fc.assert(
      fc.property(alikeStream, ({ events, includeUsage, mapToolIds, reasoning }) => {
        const fast = transform(includeUsage, mapToolIds, reasoning);
        const full = transform(includeUsage, mapToolIds, reasoning);
        compare(fast, full, [...events, '[DONE]'], seen);
        expect(fast.usage()).toEqual(full.usage());
      }),
      { seed: SEED + 2, numRuns: 2000 },
    );
    expect(seen.encoded).toBeGreaterThan(seen.events * 0.25);
  });

  it('plain chunks in OpenAI layout take the fast path', () => {
    const plainChoice = fc.record({
      index: fc.constant(0),
      delta: fc.record({ content: text }, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>,
      logprobs: fc.constant(null),
      finish_reason: fc.constantFrom<Json>(null, 'stop', 'length', 'tool_calls', 'content_filter', 'function_call'),
    });
    const plain = fc.record({
      id: fc.stringMatching(/^[a-zA-Z0-9-]{1,24}$/),
      object: fc.constant('chat.completion.chunk'),
      created: fc.nat({ max: 2_000_000_000 }),
      model: fc.stringMatching(/^[a-zA-Z0-9.:/-]{1,24}$/),
      system_fingerprint: fc.option(name, { nil: undefined }),
      choices: fc.array(plainChoice, { minLength: 1, maxLength: 1 }),
      usage: fc.option(usage, { nil: null }),
    });
    const plainStyle = anyStyle.map((s): Style => ({
      ...s,
      order: 'openai',
      space: '',
      escapeSlash: false,
      escapeKeys: false,
      repeat: undefined,
      trailing: s.trailing.replaceAll('\t', ''),
    }));
    fc.assert(
      fc.property(fc.array(fc.tuple(plain, plainStyle), { minLength: 1, maxLength: 5 }), (chunks) => {
        const fast = transform(true, false);
        // The first chunk names the role, as OpenAI's does (a first chunk without it is fixed on the full path).
        const [opening] = chunks[0]?.[0].choices ?? [];
        if (opening !== undefined) opening.delta = { role: 'assistant', ...opening.delta };
        for (const [value, how] of chunks) {
          const out = fast.push(ev(write(value as unknown as Json, how, true)));
          expect(out).toHaveLength(1);
          expect(out[0]).toBeInstanceOf(EncodedChunk);
        }
      }),
      { seed: SEED + 1, numRuns: 300 },
    );
  });
});
