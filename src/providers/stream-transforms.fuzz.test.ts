/**
 * Property tests for the three stream transforms: the OpenAI-compatible, Anthropic and Gemini transforms, each created through its adapter exactly as
 * the gateway does, fed the recorded-style fixtures in random splits, corrupted byte by byte and
 * event by event, and fed random events.
 *
 * The contract (provider.ts): `push()` returns chunks or throws a GatewayError; `end()` returns the
 * final chunks or throws a GatewayError with failure 'reset'. So, whatever comes in:
 *  - anything thrown is a GatewayError with an HTTP error status (never a TypeError, RangeError…);
 *  - `end()` returning normally means the transform saw the end of the answer (`finished`);
 *  - every chunk is a JSON-serialisable `chat.completion.chunk` carrying the public model;
 *  - at most one usage chunk, only when asked for, and it is the last chunk;
 *  - a stream cut before its terminal event never ends cleanly.
 *
 * Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../openai/types.js';
import { anthropicAdapter } from './anthropic/adapter.js';
import { geminiAdapter } from './gemini/adapter.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/adapter.js';
import { GROQ_STREAM } from './openai-compatible/__fixtures__/groq-stream.js';
import { MISTRAL_STREAM } from './openai-compatible/__fixtures__/mistral-tool-call.js';
import { OLLAMA_STREAM } from './openai-compatible/__fixtures__/ollama-stream.js';
import { OPENAI_TEXT_STREAM } from './openai-compatible/__fixtures__/openai-stream.js';
import { TOGETHER_STREAM } from './openai-compatible/__fixtures__/together-stream.js';
import type { ProviderAdapter, SseEvent, StreamTransform } from './provider.js';
import { SseParser } from './sse-parser.js';
import { damageBytes, pathsOf, split, type Path } from '../../test/helpers/fuzz.js';
import { loadRecording } from '../../test/helpers/recording.js';
import { chunksOf } from '../../test/helpers/stream-chunks.js';

const SEED = Number(process.env.ZAI_FUZZ_SEED ?? 0x7a1);
const encoder = new TextEncoder();
const CREDENTIALS = { baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-fuzz-0123456789abcdef' };

type Outcome = 'complete' | 'cut' | 'error';

interface Fixture {
  name: string;
  sse: string;
  bytes: Uint8Array;
  outcome: Outcome;
  /** Byte offset where the event that ends the answer begins; cutting before it must never end cleanly. */
  terminalAt: number;
}

interface ProviderCase {
  name: string;
  publicModel: string;
  create(includeUsage: boolean): StreamTransform;
  fixtures: Fixture[];
}

function transformFactory(adapter: ProviderAdapter, publicModel: string, extra: Partial<ChatCompletionRequest> = {}) {
  return (includeUsage: boolean): StreamTransform => {
    const request: ChatCompletionRequest = {
      model: publicModel,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      stream: true,
      ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      ...extra,
    };
    const upstreamModel = publicModel.slice(publicModel.indexOf('/') + 1);
    return adapter
      .chat({ request, upstreamModel, publicModel, stream: true, includeUsage, maxOutputTokens: undefined }, CREDENTIALS)
      .createStream(true);
  };
}

/** `terminal` finds the start of the line of the event that ends the answer (-1: none). */
function fixture(name: string, sse: string, outcome: Outcome, terminal: (sse: string) => number): Fixture {
  const at = terminal(sse);
  return { name, sse, bytes: encoder.encode(sse), outcome, terminalAt: at < 0 ? -1 : encoder.encode(sse.slice(0, at)).length };
}

function lineStartOf(sse: string, index: number): number {
  return index < 0 ? -1 : sse.lastIndexOf('data:', index);
}

/** OpenAI-compatible: the first real finish reason (a finish reason lets `end()` succeed) or [DONE]. */
function openAITerminal(sse: string): number {
  const finish = /"finish_reason":"[^"]/.exec(sse)?.index ?? -1;
  const done = sse.indexOf('data: [DONE]');
  return lineStartOf(sse, finish >= 0 ? finish : done);
}

function anthropicFile(name: string): string {
  return loadRecording(new URL(`./anthropic/__fixtures__/${name}`, import.meta.url)).body;
}

function geminiFile(name: string): string {
  return loadRecording(new URL(`./gemini/__fixtures__/${name}`, import.meta.url)).body;
}

/** Gemini: the answer is whole once the last candidate finished (or the prompt was blocked). */
function geminiTerminal(sse: string): number {
  const finish = Math.max(sse.lastIndexOf('"finishReason"'), sse.lastIndexOf('"blockReason"'));
  return lineStartOf(sse, finish);
}

const anthropicTerminal = (sse: string): number => sse.indexOf('event: message_stop');

const OPENAI_FIXTURES = [
  fixture('openai text + usage', OPENAI_TEXT_STREAM, 'complete', openAITerminal),
  fixture('groq x_groq usage', GROQ_STREAM, 'complete', openAITerminal),
  fixture('mistral tool call', MISTRAL_STREAM, 'complete', openAITerminal),
  fixture('ollama without [DONE] semantics', OLLAMA_STREAM, 'complete', openAITerminal),
  fixture('together eos', TOGETHER_STREAM, 'complete', openAITerminal),
  fixture('openai cut', OPENAI_TEXT_STREAM.slice(0, openAITerminal(OPENAI_TEXT_STREAM)), 'cut', () => -1),
  fixture(
    'openai error event',
    `${OPENAI_TEXT_STREAM.slice(0, openAITerminal(OPENAI_TEXT_STREAM))}data: {"error":{"message":"overloaded","type":"server_error"}}\n\n`,
    'error',
    () => -1,
  ),
];

const ANTHROPIC_FIXTURES = [
  fixture('text', anthropicFile('stream-text.http'), 'complete', anthropicTerminal),
  fixture('tool use with thinking', anthropicFile('stream-tool-use.http'), 'complete', anthropicTerminal),
  fixture('answer tool as a plain tool', anthropicFile('stream-answer-tool.http'), 'complete', anthropicTerminal),
  fixture('cut', anthropicFile('stream-cut.http'), 'cut', () => -1),
  fixture('error event', anthropicFile('stream-error.http'), 'error', () => -1),
];

const GEMINI_FIXTURES = [
  fixture('text with thoughts', geminiFile('text.stream.http'), 'complete', geminiTerminal),
  fixture('tool calls', geminiFile('tool-call.stream.http'), 'complete', geminiTerminal),
  fixture('prompt blocked', geminiFile('blocked.stream.http'), 'complete', geminiTerminal),
  fixture('cut', geminiFile('cut.stream.http'), 'cut', () => -1),
  fixture('error event', geminiFile('error.stream.http'), 'error', () => -1),
];

const PROVIDERS: ProviderCase[] = [
  {
    name: 'openai-compatible',
    publicModel: 'openai/gpt-4o-mini',
    create: transformFactory(createOpenAICompatibleAdapter('openai'), 'openai/gpt-4o-mini'),
    fixtures: OPENAI_FIXTURES,
  },
  {
    name: 'anthropic',
    publicModel: 'anthropic/claude-sonnet-4-5',
    create: transformFactory(anthropicAdapter, 'anthropic/claude-sonnet-4-5'),
    fixtures: ANTHROPIC_FIXTURES,
  },
  {
    name: 'anthropic (response_format answer tool)',
    publicModel: 'anthropic/claude-sonnet-4-5',
    create: transformFactory(anthropicAdapter, 'anthropic/claude-sonnet-4-5', {
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'city_report', schema: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    }),
    fixtures: ANTHROPIC_FIXTURES,
  },
  {
    name: 'gemini',
    publicModel: 'gemini/gemini-2.5-flash',
    create: transformFactory(geminiAdapter, 'gemini/gemini-2.5-flash'),
    fixtures: GEMINI_FIXTURES,
  },
];

// ---------------------------------------------------------------------------------------------
// Running a stream and checking the contract

interface Run {
  chunks: ChatCompletionChunk[];
  error: unknown;
  /** Which call threw: the transform's push() or its end(). */
  thrownBy: 'push' | 'end' | undefined;
  finished: boolean;
}

function runEvents(transform: StreamTransform, events: Iterable<SseEvent>): Run {
  const chunks: ChatCompletionChunk[] = [];
  let thrownBy: Run['thrownBy'] = 'push';
  try {
    for (const event of events) chunks.push(...chunksOf(transform.push(event)));
    thrownBy = 'end';
    chunks.push(...transform.end());
    return { chunks, error: undefined, thrownBy: undefined, finished: transform.finished };
  } catch (error) {
    return { chunks, error, thrownBy, finished: transform.finished };
  }
}

/** Parser and transform together, like the gateway's relay: events are pushed as each network chunk completes them. */
function* parsed(chunks: readonly Uint8Array[]): Generator<SseEvent> {
  const parser = new SseParser();
  for (const chunk of chunks) yield* parser.push(chunk);
  yield* parser.end();
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
}

/** The StreamTransform contract, for any input whatsoever. */
function checkContract(run: Run, includeUsage: boolean, publicModel: string, serialisable = true): void {
  if (run.error !== undefined) {
    expect(run.error instanceof GatewayError, `threw ${describeError(run.error)}`).toBe(true);
    const error = run.error as GatewayError;
    expect(
      Number.isInteger(error.status) && error.status >= 400 && error.status <= 599,
      `status ${error.status} (${error.message})`,
    ).toBe(true);
    expect(typeof error.message).toBe('string');
    if (run.thrownBy === 'end') expect(error.failure, error.message).toBe('reset');
  } else {
    expect(run.finished, 'end() returned normally on a stream that did not finish').toBe(true);
  }
  const usageChunks = run.chunks.filter((chunk) => chunk.usage !== undefined && chunk.usage !== null);
  if (!includeUsage) expect(usageChunks).toEqual([]);
  expect(usageChunks.length).toBeLessThanOrEqual(1);
  const usageChunk = usageChunks[0];
  if (usageChunk !== undefined) {
    expect(run.chunks.at(-1)).toBe(usageChunk);
    expect(usageChunk.choices).toEqual([]);
  }
  for (const chunk of run.chunks) {
    expect(chunk.object).toBe('chat.completion.chunk');
    expect(chunk.model).toBe(publicModel);
    expect(Array.isArray(chunk.choices)).toBe(true);
    if (serialisable) expect(typeof JSON.stringify(chunk)).toBe('string');
  }
}

/** What a client would assemble: text per choice and finish reasons per choice. */
function assembled(chunks: readonly ChatCompletionChunk[]): { text: string; finishes: string } {
  let text = '';
  const finishes: string[] = [];
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      if (typeof choice.delta.content === 'string') text += `[${choice.index}]${choice.delta.content}`;
      for (const call of choice.delta.tool_calls ?? [])
        text += `[${choice.index}.${call.index}]${call.function?.name ?? ''}${call.function?.arguments ?? ''}`;
      if (choice.finish_reason !== null && choice.finish_reason !== undefined)
        finishes.push(`${choice.index}:${choice.finish_reason}`);
    }
  }
  return { text, finishes: finishes.join(',') };
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const CUTS = fc.array(fc.nat(), { maxLength: 30 });

/** Byte-level damage: overwrite, insert or delete bytes, then maybe truncate. */
const BYTE_EDITS = fc.record({
  edits: fc.array(fc.tuple(fc.constantFrom('set', 'insert', 'delete'), fc.nat(), fc.integer({ min: 0, max: 255 })), {
    maxLength: 8,
  }),
  truncateAt: fc.option(fc.nat(), { nil: undefined }),
});

/** Values that are wrong in interesting ways for any field. */
const ODD_VALUE = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      null,
      '',
      0,
      -1,
      1.5,
      1e308,
      true,
      false,
      [],
      {},
      [null],
      'error',
      'STOP',
      'stop',
      'tool_use',
      'message_stop',
      'SAFETY',
      '[DONE]',
      -2147483648,
      4294967296,
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);
const DELETE = Symbol('delete');

function setAt(root: unknown, path: Path, replacement: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path.at(-1);
  if (last === undefined) return;
  if (replacement !== DELETE)
    node[last] = structuredClone(replacement); // constantFrom shares instances
  else if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else delete node[last];
}

function eventsOf(f: Fixture): SseEvent[] {
  return [...parsed([f.bytes])];
}

/** Event-level damage: wrong types in any field, dropped, duplicated, swapped and foreign events. */
const EVENT_EDIT = fc.oneof(
  fc.record({
    op: fc.constant('field' as const),
    event: fc.nat(),
    path: fc.nat(),
    value: fc.oneof(ODD_VALUE, fc.constant<unknown>(DELETE)),
  }),
  fc.record({ op: fc.constantFrom('drop' as const, 'duplicate' as const, 'swap' as const), event: fc.nat(), other: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    event: fc.nat(),
    data: fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc.string({ maxLength: 30 }),
      fc.constantFrom('[DONE]', '', ' ', '{}', '[]', 'null', '{"type":"message_stop"}', '{"error":null}'),
    ),
    name: fc.option(fc.constantFrom('error', 'message_stop', 'ping', '', 'message'), { nil: undefined }),
  }),
);
type EventEdit = typeof EVENT_EDIT extends fc.Arbitrary<infer T> ? T : never;

function damageEvents(events: readonly SseEvent[], edits: readonly EventEdit[]): SseEvent[] {
  const out = events.map((event) => ({ ...event }));
  for (const edit of edits) {
    if (edit.op === 'insert') {
      out.splice(edit.event % (out.length + 1), 0, { event: edit.name, data: edit.data, id: undefined });
      continue;
    }
    if (out.length === 0) continue;
    const i = edit.event % out.length;
    const target = out[i];
    if (target === undefined) continue;
    if (edit.op === 'field') {
      let json: unknown;
      try {
        json = JSON.parse(target.data);
      } catch {
        continue;
      }
      const paths = pathsOf(json);
      const path = paths[edit.path % Math.max(1, paths.length)];
      if (path === undefined) json = edit.value === DELETE ? {} : edit.value;
      else setAt(json, path, edit.value);
      out[i] = { ...target, data: JSON.stringify(json) ?? 'undefined' };
    } else if (edit.op === 'drop') {
      out.splice(i, 1);
    } else if (edit.op === 'duplicate') {
      out.splice(i, 0, { ...target });
    } else {
      const j = edit.other % out.length;
      const other = out[j];
      if (other !== undefined) {
        out[i] = other;
        out[j] = target;
      }
    }
  }
  return out;
}

/** Events shaped like each provider's, with random values: reaches states no fixture does. */
const SMALL_INDEX = fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constantFrom<unknown>(1.5, '0', null, 2 ** 53));
const SHAPED_EVENT: Record<string, fc.Arbitrary<SseEvent>> = {
  'openai-compatible': fc
    .record(
      {
        id: fc.oneof(fc.string({ maxLength: 8 }), ODD_VALUE),
        choices: fc.oneof(
          fc.array(
            fc.record(
              {
                index: SMALL_INDEX,
                delta: fc.oneof(
                  fc.record(
                    {
                      content: fc.oneof(fc.string({ maxLength: 10 }), ODD_VALUE),
                      tool_calls: fc.oneof(
                        fc.array(fc.record({ id: ODD_VALUE, index: SMALL_INDEX }), { maxLength: 2 }),
                        ODD_VALUE,
                      ),
                    },
                    { requiredKeys: [] },
                  ),
                  ODD_VALUE,
                ),
                finish_reason: fc.oneof(
                  fc.constantFrom<unknown>(null, 'stop', 'length', 'eos', 'error', 'model_length', '', 'tool_calls'),
                  ODD_VALUE,
                ),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
          ODD_VALUE,
        ),
        usage: fc.oneof(
          fc.record({ prompt_tokens: ODD_VALUE, completion_tokens: ODD_VALUE, total_tokens: ODD_VALUE }, { requiredKeys: [] }),
          ODD_VALUE,
        ),
        x_groq: fc.oneof(fc.record({ usage: ODD_VALUE, error: ODD_VALUE }, { requiredKeys: [] }), ODD_VALUE),
        error: ODD_VALUE,
      },
      { requiredKeys: ['choices'] },
    )
    .chain((json) =>
      fc.record({
        event: fc.option(fc.constantFrom('error', 'message'), { nil: undefined, freq: 8 }),
        data: fc.constant(JSON.stringify(json)),
        id: fc.constant(undefined),
      }),
    ),
  anthropic: fc
    .record(
      {
        type: fc.constantFrom(
          'message_start',
          'content_block_start',
          'content_block_delta',
          'content_block_stop',
          'message_delta',
          'message_stop',
          'ping',
          'error',
          'future_event',
        ),
        index: SMALL_INDEX,
        message: fc.record(
          {
            id: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
            usage: fc.oneof(fc.record({ input_tokens: ODD_VALUE, output_tokens: fc.nat() }, { requiredKeys: [] }), ODD_VALUE),
          },
          { requiredKeys: [] },
        ),
        content_block: fc.record(
          {
            type: fc.constantFrom('text', 'tool_use', 'thinking', 'redacted_thinking'),
            text: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
            id: fc.string({ maxLength: 6 }),
            name: fc.constantFrom('get_weather', 'city_report'),
            input: fc.oneof(fc.constant({}), ODD_VALUE),
          },
          { requiredKeys: ['type'] },
        ),
        delta: fc.record(
          {
            type: fc.constantFrom('text_delta', 'input_json_delta', 'thinking_delta'),
            text: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
            partial_json: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
            stop_reason: fc.oneof(fc.constantFrom('end_turn', 'tool_use', 'max_tokens', 'refusal'), ODD_VALUE),
          },
          { requiredKeys: [] },
        ),
        usage: fc.oneof(fc.record({ output_tokens: fc.oneof(fc.nat(), ODD_VALUE) }), ODD_VALUE),
        error: fc.oneof(
          fc.record(
            {
              type: fc.constantFrom('overloaded_error', 'api_error', 'x'),
              message: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
            },
            { requiredKeys: [] },
          ),
          ODD_VALUE,
        ),
      },
      { requiredKeys: ['type'] },
    )
    .map((json) => ({ event: json.type, data: JSON.stringify(json), id: undefined })),
  gemini: fc
    .record(
      {
        candidates: fc.oneof(
          fc.array(
            fc.record(
              {
                index: SMALL_INDEX,
                finishReason: fc.oneof(fc.constantFrom('STOP', 'MAX_TOKENS', 'SAFETY', 'MALFORMED_FUNCTION_CALL', ''), ODD_VALUE),
                content: fc.record({
                  parts: fc.oneof(
                    fc.array(
                      fc.record(
                        {
                          text: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
                          thought: fc.oneof(fc.boolean(), ODD_VALUE),
                          functionCall: fc.oneof(
                            fc.record({
                              name: fc.oneof(fc.constant('f'), ODD_VALUE),
                              args: fc.oneof(
                                fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
                                ODD_VALUE,
                              ),
                            }),
                            ODD_VALUE,
                          ),
                          thoughtSignature: ODD_VALUE,
                        },
                        { requiredKeys: [] },
                      ),
                      { maxLength: 3 },
                    ),
                    ODD_VALUE,
                  ),
                }),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
          ODD_VALUE,
        ),
        promptFeedback: fc.oneof(fc.record({ blockReason: fc.oneof(fc.constantFrom('SAFETY', 'OTHER'), ODD_VALUE) }), ODD_VALUE),
        usageMetadata: fc.oneof(
          fc.record({ promptTokenCount: ODD_VALUE, candidatesTokenCount: fc.oneof(fc.nat(), ODD_VALUE) }, { requiredKeys: [] }),
          ODD_VALUE,
        ),
        responseId: fc.oneof(fc.string({ maxLength: 6 }), ODD_VALUE),
        error: fc.record(
          {
            code: ODD_VALUE,
            message: ODD_VALUE,
            status: fc.oneof(fc.constantFrom('UNAVAILABLE', 'INTERNAL', 'RESOURCE_EXHAUSTED'), ODD_VALUE),
            details: ODD_VALUE,
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    )
    .map((json) => ({ event: undefined, data: JSON.stringify(json), id: undefined })),
};
SHAPED_EVENT['anthropic (response_format answer tool)'] = SHAPED_EVENT['anthropic'] as fc.Arbitrary<SseEvent>;

const RANDOM_EVENT: fc.Arbitrary<SseEvent> = fc.record({
  event: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  data: fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('[DONE]', '', ' ', '{}', '[]', 'null', '0', '"x"'),
  ),
  id: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
});

/** Deep enough to overflow any recursive walk of the parsed value (JSON.parse itself copes): ~5,000 levels already do. */
const DEEP_JSON = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;

// ---------------------------------------------------------------------------------------------

describe.each(PROVIDERS)('$name stream transform (fuzz)', (provider) => {
  const fixtureArb = fc.constantFrom(...provider.fixtures);
  const shaped = SHAPED_EVENT[provider.name] as fc.Arbitrary<SseEvent>;

  it('turns every fixture, split anywhere, into the same answer and the expected ending', () => {
    fc.assert(
      fc.property(fixtureArb, CUTS, fc.boolean(), (f, cuts, includeUsage) => {
        const whole = runEvents(provider.create(includeUsage), eventsOf(f));
        const run = runEvents(provider.create(includeUsage), parsed(split(f.bytes, cuts)));
        checkContract(run, includeUsage, provider.publicModel);
        expect(assembled(run.chunks)).toEqual(assembled(whole.chunks));
        if (f.outcome === 'complete') {
          expect(run.error, describeError(run.error)).toBeUndefined();
          expect(assembled(run.chunks).finishes).not.toBe('');
          if (includeUsage) expect(run.chunks.at(-1)?.usage).toBeTruthy();
        } else {
          expect(run.error).toBeInstanceOf(GatewayError);
          expect((run.error as GatewayError).failure).toBe(f.outcome === 'cut' ? 'reset' : 'protocol');
          expect(run.thrownBy).toBe(f.outcome === 'cut' ? 'end' : 'push');
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('never ends cleanly when the connection is cut before the terminal event', () => {
    const complete = provider.fixtures.filter((f) => f.terminalAt > 0);
    expect(complete.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.constantFrom(...complete), fc.nat(), CUTS, fc.boolean(), (f, at, cuts, includeUsage) => {
        const truncated = f.bytes.subarray(0, at % (f.terminalAt + 1));
        const run = runEvents(provider.create(includeUsage), parsed(split(truncated, cuts)));
        checkContract(run, includeUsage, provider.publicModel);
        expect(run.error, `a stream cut at byte ${truncated.length} of ${f.bytes.length} ended cleanly`).toBeInstanceOf(
          GatewayError,
        );
      }),
      { seed: SEED + 1, numRuns: 150 },
    );
  });

  it('only ever throws GatewayErrors on corrupted bytes in random splits', () => {
    fc.assert(
      fc.property(fixtureArb, BYTE_EDITS, CUTS, fc.boolean(), (f, damage, cuts, includeUsage) => {
        const bytes = damageBytes(f.bytes, damage);
        checkContract(runEvents(provider.create(includeUsage), parsed(split(bytes, cuts))), includeUsage, provider.publicModel);
      }),
      { seed: SEED + 2, numRuns: 200 },
    );
  });

  it('only ever throws GatewayErrors when fields have the wrong type and events are dropped, repeated or reordered', () => {
    fc.assert(
      fc.property(fixtureArb, fc.array(EVENT_EDIT, { minLength: 1, maxLength: 5 }), fc.boolean(), (f, edits, includeUsage) => {
        checkContract(
          runEvents(provider.create(includeUsage), damageEvents(eventsOf(f), edits)),
          includeUsage,
          provider.publicModel,
        );
      }),
      { seed: SEED + 3, numRuns: 300 },
    );
  });

  it('only ever throws GatewayErrors on random events, provider-shaped or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 3, arbitrary: shaped }, { weight: 1, arbitrary: RANDOM_EVENT }), { maxLength: 12 }),
        fc.boolean(),
        (events, includeUsage) => {
          checkContract(runEvents(provider.create(includeUsage), events), includeUsage, provider.publicModel);
        },
      ),
      { seed: SEED + 4, numRuns: 300 },
    );
  });

  it('only ever throws GatewayErrors when any field of any event holds deeply nested JSON', () => {
    // Every field of every fixture event, one at a time, replaced by a 20,000-level nested array.
    const cases: Array<{ fixture: string; event: number; path: string; events: SseEvent[] }> = [];
    for (const f of provider.fixtures) {
      const events = eventsOf(f);
      events.forEach((event, i) => {
        let json: unknown;
        try {
          json = JSON.parse(event.data);
        } catch {
          return;
        }
        for (const path of pathsOf(json)) {
          const copy = structuredClone(json);
          setAt(copy, path, '\u0000DEEP\u0000');
          const data = JSON.stringify(copy).replace('"\\u0000DEEP\\u0000"', DEEP_JSON);
          cases.push({
            fixture: f.name,
            event: i,
            path: path.join('.'),
            events: events.map((e, j) => (j === i ? { ...e, data } : e)),
          });
        }
      });
    }
    const failures: string[] = [];
    for (const c of cases) {
      const run = runEvents(provider.create(true), c.events);
      if (run.error !== undefined && !(run.error instanceof GatewayError)) {
        failures.push(`${c.fixture} event ${c.event} ${c.path}: ${describeError(run.error)}`);
      }
    }
    expect(cases.length).toBeGreaterThan(10);
    expect([...new Set(failures)]).toEqual([]);
  });
});

describe('error events mid-stream (fuzz)', () => {
  it('an OpenAI-compatible error whose message is deeply nested JSON still throws a GatewayError', () => {
    const shapes = [
      `{"error":{"message":${DEEP_JSON}}}`,
      `{"error":{"detail":${DEEP_JSON}}}`,
      `{"x_groq":{"error":{"message":${DEEP_JSON}}},"choices":[]}`,
      `{"error":true,"message":${DEEP_JSON}}`,
    ];
    const openai = PROVIDERS[0] as ProviderCase;
    const failures: string[] = [];
    for (const data of shapes) {
      for (const event of [undefined, 'error']) {
        const run = runEvents(openai.create(false), [{ event, data, id: undefined }]);
        if (!(run.error instanceof GatewayError))
          failures.push(`${event ?? 'message'} ${data.slice(0, 40)}…: ${describeError(run.error)}`);
      }
    }
    expect([...new Set(failures)]).toEqual([]);
  });

  it('a Gemini error event with any numeric code maps to an integer HTTP error status', () => {
    const gemini = PROVIDERS[3] as ProviderCase;
    fc.assert(
      fc.property(
        // Doubles by bit pattern cluster near 0, so fractions with two decimals cover 0–1000 evenly.
        fc.oneof(
          fc.integer({ min: -1000, max: 100_000 }),
          fc.integer({ min: 0, max: 100_000 }).map((n) => n / 100),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
        ),
        fc.option(fc.constantFrom('UNAVAILABLE', 'INTERNAL', 'NOT_A_STATUS'), { nil: undefined }),
        (code, status) => {
          const data = JSON.stringify({ error: { code, message: 'boom', ...(status === undefined ? {} : { status }) } });
          const run = runEvents(gemini.create(false), [{ event: undefined, data, id: undefined }]);
          checkContract(run, false, gemini.publicModel);
          expect(run.error).toBeInstanceOf(GatewayError);
        },
      ),
      { seed: SEED + 5, numRuns: 300 },
    );
  });
});

describe('mapError of every adapter (fuzz)', () => {
  it('maps any upstream error answer (any 4xx/5xx status, any body) to a GatewayError with an integer HTTP error status', () => {
    const adapters: Array<[string, ProviderAdapter]> = [
      ['openai-compatible', createOpenAICompatibleAdapter('openai')],
      ['anthropic', anthropicAdapter],
      ['gemini', geminiAdapter],
    ];
    const body = fc.oneof(
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
      {
        weight: 4,
        arbitrary: fc
          .record(
            {
              code: fc.oneof(
                fc.integer({ min: -1000, max: 100_000 }),
                fc.integer({ min: 0, max: 100_000 }).map((n) => n / 100),
                ODD_VALUE,
              ),
              message: fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: ODD_VALUE }),
              status: fc.oneof(
                {
                  weight: 4,
                  arbitrary: fc.constantFrom('UNAVAILABLE', 'INVALID_ARGUMENT', 'RESOURCE_EXHAUSTED', 'SOMETHING_NEW'),
                },
                { weight: 1, arbitrary: ODD_VALUE },
              ),
              type: fc.oneof(
                { weight: 4, arbitrary: fc.constantFrom('overloaded_error', 'rate_limit_error', 'api_error', 'new_error') },
                { weight: 1, arbitrary: ODD_VALUE },
              ),
            },
            { requiredKeys: ['code', 'message'] },
          )
          .map((error) => JSON.stringify({ error })),
      },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 400, max: 599 }),
        body,
        fc.dictionary(
          fc.constantFrom(
            'retry-after',
            'Retry-After',
            'anthropic-ratelimit-requests-reset',
            'anthropic-ratelimit-requests-remaining',
          ),
          fc.string({ maxLength: 30 }),
        ),
        (status, text, headers) => {
          for (const [name, adapter] of adapters) {
            let error: unknown;
            try {
              error = adapter.mapError({ status, body: text, headers });
            } catch (thrown) {
              error = thrown;
            }
            expect(error instanceof GatewayError, `${name} mapError gave ${describeError(error)}`).toBe(true);
            const e = error as GatewayError;
            expect(
              Number.isInteger(e.status) && e.status >= 400 && e.status <= 599,
              `${name}: status ${e.status} for HTTP ${status} ${text.slice(0, 80)}`,
            ).toBe(true);
            expect(typeof e.message).toBe('string');
          }
        },
      ),
      { seed: SEED + 6, numRuns: 400 },
    );
  });
});
