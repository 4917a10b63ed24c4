/**
 * Test helpers that read the fixtures in this folder. `.sse` files go through the gateway's own
 * parser, so transforms and relays are tested with exactly the events they will receive.
 */
import { readFileSync } from 'node:fs';
import type { SseEvent } from '../../../providers/provider.js';
import { SseParser } from '../../../providers/sse-parser.js';

function read(name: string): Buffer {
  return readFileSync(new URL(`./${name}`, import.meta.url));
}

/** A JSON fixture, parsed. */
export function loadJsonFixture(name: string): unknown {
  return JSON.parse(read(name).toString('utf8'));
}

/** An `.sse` fixture's raw text. */
export function loadTextFixture(name: string): string {
  return read(name).toString('utf8');
}

/** SSE text as the events the gateway's parser hands on. */
export function parseSse(text: string | Buffer): SseEvent[] {
  const parser = new SseParser();
  return [...parser.push(typeof text === 'string' ? Buffer.from(text) : text), ...parser.end()];
}

/** An `.sse` fixture as parsed events. */
export function loadSseFixture(name: string): SseEvent[] {
  return parseSse(read(name));
}
