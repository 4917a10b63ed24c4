/**
 * Test helper: reads the fixtures in this folder. Streams are stored one data payload per line
 * (`*.chunks.txt`) and come back as the SseEvents the shared parser would hand the adapter.
 */
import { readFileSync } from 'node:fs';
import type { SseEvent } from '../../provider.js';

/** The text of a fixture file. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
}

/** A JSON fixture, typed by the caller (fixtures are written to match the type they claim). */
export function fixture<T>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** A stream fixture as SSE events, one per non-empty line. */
export function fixtureEvents(name: string): SseEvent[] {
  return fixtureText(name)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((data) => ({ event: undefined, data, id: undefined }));
}
