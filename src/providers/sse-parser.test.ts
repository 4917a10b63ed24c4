import { describe, expect, it } from 'vitest';
import { OPENAI_TEXT_STREAM, OPENAI_TEXT_STREAM_DATA } from './openai-compatible/__fixtures__/openai-stream.js';
import type { SseEvent } from './provider.js';
import { SseEventTooLargeError, SseParser } from './sse-parser.js';

const encoder = new TextEncoder();

/** Feeds the chunks through one parser, then ends it. */
function parseChunks(chunks: Uint8Array[]): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end());
  return events;
}

function parseText(...texts: string[]): SseEvent[] {
  return parseChunks(texts.map((text) => encoder.encode(text)));
}

function dataEvent(data: string): SseEvent {
  return { event: undefined, data, id: undefined };
}

/** mulberry32: a tiny seeded PRNG so random splits are reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let previous = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(previous, cut));
    previous = cut;
  }
  return chunks;
}

const expected = OPENAI_TEXT_STREAM_DATA.map(dataEvent);

describe('SseParser', () => {
  it('push() parses a recorded OpenAI stream in one chunk', () => {
    expect(OPENAI_TEXT_STREAM_DATA).toHaveLength(6);
    expect(parseText(OPENAI_TEXT_STREAM)).toEqual(expected);
  });

  it('push() yields the same events for a two-way split at every byte position', () => {
    const bytes = encoder.encode(OPENAI_TEXT_STREAM);
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      expect(parseChunks(splitAt(bytes, [cut])), `cut at byte ${cut}`).toEqual(expected);
    }
  });

  it('push() yields the same events for seeded random multi-way splits', () => {
    const bytes = encoder.encode(OPENAI_TEXT_STREAM);
    const random = seededRandom(20260821);
    for (let round = 0; round < 300; round += 1) {
      const count = 1 + Math.floor(random() * 40);
      const cuts = Array.from({ length: count }, () => Math.floor(random() * (bytes.length + 1))).sort((a, b) => a - b);
      expect(parseChunks(splitAt(bytes, cuts)), `cuts ${cuts.join(',')}`).toEqual(expected);
    }
  });

  it('push() yields the same events fed byte by byte', () => {
    const bytes = encoder.encode(OPENAI_TEXT_STREAM);
    const chunks = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    expect(parseChunks(chunks)).toEqual(expected);
  });

  it('push() decodes multibyte UTF-8 characters split across chunks', () => {
    const bytes = encoder.encode('data: é🌥東\n\n');
    // 'data: ' is 6 bytes; é is 2, 🌥 is 4, 東 is 3: cut inside each of them.
    expect(parseChunks(splitAt(bytes, [7, 9, 10, 11, 13, 14]))).toEqual([dataEvent('é🌥東')]);
  });

  it('push() accepts CRLF, lone CR and LF line endings, split at every byte', () => {
    for (const newline of ['\r\n', '\r', '\n']) {
      const bytes = encoder.encode(OPENAI_TEXT_STREAM.replaceAll('\n', newline));
      for (let cut = 0; cut <= bytes.length; cut += 1) {
        expect(parseChunks(splitAt(bytes, [cut])), `${JSON.stringify(newline)} cut ${cut}`).toEqual(expected);
      }
    }
  });

  it('push() treats a CR ending one chunk and a LF starting the next as one line ending', () => {
    expect(parseText('data: a\r', '\ndata: b\r', '\n\r', '\n')).toEqual([dataEvent('a\nb')]);
  });

  it('push() keeps waiting for a LF after a trailing CR across an empty chunk', () => {
    const parser = new SseParser();
    expect(parser.push(encoder.encode('data: a\r'))).toEqual([]);
    expect(parser.push(new Uint8Array(0))).toEqual([]);
    expect(parser.push(encoder.encode('\n\r\n'))).toEqual([dataEvent('a')]);
  });

  it('push() ignores comments', () => {
    expect(parseText(': ping\n\n:\n\ndata: x\n: inside an event\n\n')).toEqual([dataEvent('x')]);
  });

  it('push() joins multiple data lines with a newline', () => {
    expect(parseText('data: first\ndata:second\ndata\ndata: \n\n')).toEqual([dataEvent('first\nsecond\n\n')]);
  });

  it('push() passes the [DONE] sentinel through as data', () => {
    expect(parseText('data: [DONE]\n\n')).toEqual([dataEvent('[DONE]')]);
  });

  it('push() strips a leading BOM, even split across chunks, but keeps a later one', () => {
    const bytes = encoder.encode('\ufeffdata: a\n\n');
    expect(parseChunks(splitAt(bytes, [1, 2]))).toEqual([dataEvent('a')]);
    expect(parseText('\ufeffdata: \ufeffb\n\n')).toEqual([dataEvent('\ufeffb')]);
  });

  it('push() returns several events completed by one chunk', () => {
    const parser = new SseParser();
    expect(parser.push(encoder.encode('data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4'))).toEqual(['1', '2', '3'].map(dataEvent));
    expect(parser.push(encoder.encode('\n\n'))).toEqual([dataEvent('4')]);
  });

  it('push() reads event and id fields, and the id persists like the spec says', () => {
    expect(parseText('event: message_start\nid: 7\ndata: {}\n\ndata: 2\n\nid\ndata: 3\n\n')).toEqual([
      { event: 'message_start', data: '{}', id: '7' },
      { event: undefined, data: '2', id: '7' },
      { event: undefined, data: '3', id: '' },
    ]);
  });

  it('push() removes only one leading space and splits at the first colon', () => {
    expect(parseText('data:  two: spaces\n\n')).toEqual([dataEvent(' two: spaces')]);
  });

  it('push() ignores unknown fields and retry', () => {
    expect(parseText('retry: 1000\nfoo: bar\ndatum: x\ndata: y\n\n')).toEqual([dataEvent('y')]);
  });

  it('push() does not emit an event without data lines', () => {
    expect(parseText('event: ping\n\nid: 1\n\n')).toEqual([]);
  });

  it('push() emits an event whose only data line is empty', () => {
    expect(parseText('data:\n\n')).toEqual([dataEvent('')]);
  });

  it('push() reassembles one large event split into many chunks', () => {
    const payload = 'x'.repeat(200_000);
    const bytes = encoder.encode(`data: ${payload}\n\n`);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 1000) chunks.push(bytes.subarray(i, i + 1000));
    expect(parseChunks(chunks)).toEqual([dataEvent(payload)]);
  });

  it('push() stays linear on many lines without a colon', () => {
    const started = performance.now();
    expect(parseText('x\n'.repeat(200_000) + 'data: ok\n\n')).toEqual([dataEvent('ok')]);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('end() emits an unterminated event whose data is non-empty', () => {
    expect(parseText('data: {"a":1}\n')).toEqual([dataEvent('{"a":1}')]);
    expect(parseText('data: {"a":1}')).toEqual([dataEvent('{"a":1}')]);
    expect(parseText('data: {"a":')).toEqual([dataEvent('{"a":')]);
  });

  it('end() drops an unterminated event whose data is empty', () => {
    expect(parseText('data:\n')).toEqual([]);
    expect(parseText('event: x\n')).toEqual([]);
  });

  it('end() flushes a truncated multibyte character as U+FFFD', () => {
    const bytes = encoder.encode('data: é');
    expect(parseChunks([bytes.subarray(0, bytes.length - 1)])).toEqual([dataEvent('\ufffd')]);
  });
});

describe('SseParser with a bound on one event', () => {
  /** Feeds the texts through a parser bounded at `max`; the events before it threw, and what it threw. */
  function bounded(max: number, texts: string[]): { events: SseEvent[]; error: unknown } {
    const parser = new SseParser(max);
    const events: SseEvent[] = [];
    try {
      for (const text of texts) events.push(...parser.push(encoder.encode(text)));
      events.push(...parser.end());
      return { events, error: undefined };
    } catch (error) {
      return { events, error };
    }
  }

  it('passes events within the bound (its data, and any line with its field name), however they are cut', () => {
    const event = `data: ${'a'.repeat(94)}\n\n`;
    const expected = [dataEvent('a'.repeat(94)), dataEvent('a'.repeat(94))];
    expect(bounded(100, [event, event])).toEqual({ events: expected, error: undefined });
    expect(bounded(100, [...event, ...event])).toEqual({ events: expected, error: undefined });
    // Two data lines of 49 joined by a newline: 99.
    expect(bounded(100, [`data: ${'b'.repeat(49)}\ndata: ${'b'.repeat(49)}\n\n`]).error).toBeUndefined();
  });

  it('throws as soon as one event grows past the bound: in one read, across reads, across data lines', () => {
    const over = `data: ${'a'.repeat(101)}\n\n`;
    for (const texts of [
      [over],
      [...over],
      [`data: ${'a'.repeat(60)}`, 'a'.repeat(60)],
      ['data: x\n', `data: ${'a'.repeat(99)}\n\n`],
    ]) {
      const { error } = bounded(100, texts);
      expect(error, texts.join('').slice(0, 30)).toBeInstanceOf(SseEventTooLargeError);
      expect((error as SseEventTooLargeError).limit).toBe(100);
    }
  });

  it('throws before buffering a line past the bound, whatever its field (no terminator yet)', () => {
    const parser = new SseParser(1000);
    expect(parser.push(encoder.encode('data: ok\n\n'))).toEqual([dataEvent('ok')]);
    expect(() => {
      for (let i = 0; i < 100; i++) parser.push(encoder.encode('e'.repeat(100)));
    }).toThrow(SseEventTooLargeError);
  });

  it('gives the events completed before the oversized one', () => {
    const { events, error } = bounded(50, ['data: one\n\ndata: two\n\n', `data: ${'x'.repeat(80)}\n\n`]);
    expect(events).toEqual([dataEvent('one'), dataEvent('two')]);
    expect(error).toBeInstanceOf(SseEventTooLargeError);
  });
});
