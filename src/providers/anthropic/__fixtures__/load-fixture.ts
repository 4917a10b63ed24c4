/**
 * Test helpers that read the recorded-style fixtures in this folder. `.sse` files go through the
 * gateway's own parser, so the transform is tested with exactly the events it will receive.
 */
import { readFileSync } from 'node:fs';
import type { SseEvent } from '../../provider.js';
import { SseParser } from '../../sse-parser.js';

function read(name: string): Buffer {
  return readFileSync(new URL(`./${name}`, import.meta.url));
}

/** A JSON fixture, parsed. */
export function loadJsonFixture(name: string): unknown {
  return JSON.parse(read(name).toString('utf8'));
}

/** An `.sse` fixture as the events the gateway's parser hands the transform. */
export function loadSseFixture(name: string): SseEvent[] {
  const parser = new SseParser();
  return [...parser.push(read(name)), ...parser.end()];
}
