/**
 * Property tests for the SSE parser: random bytes and random
 * splits never make it throw or hang, the events never depend on where the network cut the
 * bytes, and they always equal a deliberately naive, whole-text reading of the WHATWG algorithm.
 *
 * Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPENAI_TEXT_STREAM } from './openai-compatible/__fixtures__/openai-stream.js';
import { GROQ_STREAM } from './openai-compatible/__fixtures__/groq-stream.js';
import type { SseEvent } from './provider.js';
import { SseParser } from './sse-parser.js';
import { split } from '../../test/helpers/fuzz.js';
import { loadRecording } from '../../test/helpers/recording.js';

const SEED = Number(process.env.ZAI_FUZZ_SEED ?? 0x55e0);
const encoder = new TextEncoder();

function anthropicFixture(name: string): string {
  return loadRecording(new URL(`./anthropic/__fixtures__/${name}`, import.meta.url)).body;
}

const FIXTURES: Uint8Array[] = [
  OPENAI_TEXT_STREAM,
  GROQ_STREAM,
  anthropicFixture('stream-text.http'),
  anthropicFixture('stream-tool-use.http'),
  `\ufeff${OPENAI_TEXT_STREAM.replaceAll('\n', '\r\n')}`,
  OPENAI_TEXT_STREAM.replaceAll('\n', '\r'),
].map((text) => encoder.encode(text));

function parse(chunks: readonly Uint8Array[]): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end());
  return events;
}

/**
 * The oracle: decode everything at once, split into lines with a regular expression, interpret
 * each line as the spec says. Plus the parser's documented leniency at end of stream: a pending
 * event with non-empty data is emitted even without the final blank line.
 */
function referenceParse(bytes: Uint8Array): SseEvent[] {
  return reference(bytes).events;
}

/** The parser keeps lines that are no SSE field (a bare JSON error body), up to this many characters. */
const UNFRAMED_LIMIT = 64 * 1024;

function reference(bytes: Uint8Array): { events: SseEvent[]; unframed: string } {
  let text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  const unterminated = lines.pop() ?? '';
  const events: SseEvent[] = [];
  const unframed: string[] = [];
  let unframedLength = 0;
  let data: string | undefined;
  let event: string | undefined;
  let id: string | undefined;
  const interpret = (line: string): void => {
    if (line === '') {
      if (data !== undefined) events.push({ event, data, id });
      data = undefined;
      event = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
    else if (field === 'event') event = value;
    else if (field === 'id') {
      if (!value.includes('\u0000')) id = value;
    } else if (field !== 'retry' && unframedLength < UNFRAMED_LIMIT) {
      unframed.push(line);
      unframedLength += line.length + 1;
    }
  };
  for (const line of lines) interpret(line);
  if (unterminated !== '') interpret(unterminated);
  if (data !== undefined && data !== '') events.push({ event, data, id });
  return { events, unframed: unframed.join('\n') };
}

function parseWithUnframed(chunks: readonly Uint8Array[]): { events: SseEvent[]; unframed: string } {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end());
  return { events, unframed: parser.unframedText() };
}

/** Fragments that matter to an SSE parser: field names, colons, every line ending, BOMs, multibyte text. */
const SSE_PIECE = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'data',
      'data:',
      'data: ',
      'event:',
      'event: ',
      'id:',
      'id: ',
      'retry: 5',
      'dat',
      'Data:',
      ':',
      ': ping',
      ' ',
    ),
  },
  { weight: 6, arbitrary: fc.constantFrom('\n', '\r', '\r\n', '\n\n', '\r\n\r\n', '\r\r') },
  { weight: 2, arbitrary: fc.constantFrom('\ufeff', '\u0000', 'é', '🌥', '東', '\ud83c', '{"a":1}', '[DONE]', 'message_start') },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);
const SSE_TEXT = fc.array(SSE_PIECE, { maxLength: 60 }).map((pieces) => encoder.encode(pieces.join('')));

/** Random bytes, SSE-shaped text, and fixtures with random bytes overwritten or inserted. */
const BYTES = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  SSE_TEXT,
  fc
    .tuple(
      fc.constantFrom(...FIXTURES),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), { maxLength: 12 }),
    )
    .map(([fixture, edits]) => {
      const bytes = Array.from(fixture);
      for (const [at, byte, insert] of edits) {
        const position = at % (bytes.length + 1);
        if (insert) bytes.splice(position, 0, byte);
        else if (position < bytes.length) bytes[position] = byte;
      }
      return Uint8Array.from(bytes);
    }),
);
const CUTS = fc.array(fc.nat(), { maxLength: 40 });

describe('SseParser (fuzz)', () => {
  it('never throws on random bytes in random splits, and only returns well-formed events', () => {
    fc.assert(
      fc.property(BYTES, CUTS, (bytes, cuts) => {
        const events = parse(split(bytes, cuts));
        for (const event of events) {
          expect(typeof event.data).toBe('string');
          expect(event.data).not.toMatch(/\r/);
          if (event.event !== undefined) expect(event.event).not.toMatch(/[\r\n]/);
          if (event.id !== undefined) expect(event.id).not.toMatch(/[\r\n\u0000]/);
        }
      }),
      { seed: SEED, numRuns: 700 },
    );
  });

  it('yields the same events however the bytes are split', () => {
    fc.assert(
      fc.property(BYTES, CUTS, (bytes, cuts) => {
        expect(parse(split(bytes, cuts))).toEqual(parse([bytes]));
      }),
      { seed: SEED + 1, numRuns: 700 },
    );
  });

  it('agrees with a naive whole-text reading of the spec, byte by byte included', () => {
    fc.assert(
      fc.property(BYTES, fc.boolean(), (bytes, byteByByte) => {
        const chunks = byteByByte ? Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)) : [bytes];
        expect(parse(chunks)).toEqual(referenceParse(bytes));
      }),
      { seed: SEED + 2, numRuns: 700 },
    );
  });

  it('keeps the same non-SSE lines (a bare JSON error body) however the bytes are split, as the spec reading predicts', () => {
    const BARE_JSON = fc
      .tuple(fc.json({ maxDepth: 3 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())
      .map(([text, newline, pretty]) =>
        encoder.encode(
          (pretty ? JSON.stringify({ error: JSON.parse(text) as unknown }, null, 2) : text).replaceAll('\n', newline),
        ),
      );
    fc.assert(
      fc.property(fc.oneof(BYTES, BARE_JSON), CUTS, (bytes, cuts) => {
        const split1 = parseWithUnframed(split(bytes, cuts));
        expect(split1).toEqual(parseWithUnframed([bytes]));
        expect(split1).toEqual(reference(bytes));
      }),
      { seed: SEED + 5, numRuns: 500 },
    );
  });

  it('bounds the kept non-SSE text: a megabyte of garbage lines keeps about 64 KiB', () => {
    const parser = new SseParser();
    const line = encoder.encode(`${'garbage '.repeat(16)}\n`);
    for (let i = 0; i < 8_000; i++) parser.push(line);
    parser.end();
    expect(parser.unframedText().length).toBeLessThanOrEqual(UNFRAMED_LIMIT + line.length);
  });

  it('parses every fixture identically under random splits (including empty chunks)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), CUTS, (bytes, cuts) => {
        const events = parse(split(bytes, cuts));
        expect(events).toEqual(referenceParse(bytes));
        expect(events.length).toBeGreaterThan(0);
      }),
      { seed: SEED + 3, numRuns: 500 },
    );
  });

  it('keeps working after garbage: a valid event following random bytes and a blank line is still read', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), CUTS, (garbage, cuts) => {
        const tail = encoder.encode('\n\n\ndata: {"ok":true}\n\n');
        const bytes = new Uint8Array(garbage.length + tail.length);
        bytes.set(garbage);
        bytes.set(tail, garbage.length);
        const events = parse(split(bytes, cuts));
        expect(events.at(-1)?.data).toBe('{"ok":true}');
      }),
      { seed: SEED + 4, numRuns: 500 },
    );
  });

  it('does not hang or go quadratic on large hostile inputs', () => {
    const cases: Array<{ name: string; text: string; chunk: number }> = [
      { name: 'one 1 MB line without a terminator, in 7-byte chunks', text: 'x'.repeat(1_000_000), chunk: 7 },
      { name: '200k CRs, in 3-byte chunks', text: '\r'.repeat(200_000), chunk: 3 },
      { name: '100k colon-less data lines in one event', text: 'data\n'.repeat(100_000), chunk: 4096 },
      { name: '100 kB of comment colons and spaces, in 1-byte chunks', text: ': '.repeat(50_000), chunk: 1 },
      { name: 'CR LF pairs split exactly between CR and LF', text: 'data: a\r\n'.repeat(50_000), chunk: 9 },
    ];
    for (const { name, text, chunk } of cases) {
      const bytes = encoder.encode(text);
      const started = performance.now();
      const parser = new SseParser();
      for (let offset = 0; offset < bytes.length; offset += chunk) parser.push(bytes.subarray(offset, offset + chunk));
      parser.end();
      expect(performance.now() - started, name).toBeLessThan(3_000);
    }
  });
});
