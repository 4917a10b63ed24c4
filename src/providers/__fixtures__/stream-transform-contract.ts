/**
 * Test helper: runs events through a stream transform, with or without the gateway's SSE parser in
 * front, and checks the StreamTransform contract (provider.ts) on what came out, for any input:
 *  - anything thrown is a GatewayError with an HTTP error status (never a TypeError, RangeError…);
 *  - `end()` returning normally means the transform saw the end of the answer (`finished`);
 *  - every chunk is a JSON-serialisable `chat.completion.chunk` carrying the public model;
 *  - at most one usage chunk, only when asked for, and it is the last chunk.
 */
import { expect } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { ChatCompletionChunk } from '../../openai/types.js';
import type { SseEvent, StreamTransform } from '../provider.js';
import { SseParser } from '../sse-parser.js';
import { chunksOf } from '../../../test/helpers/stream-chunks.js';
import type { Fixture } from './stream-transform-cases.js';

export interface Run {
  chunks: ChatCompletionChunk[];
  error: unknown;
  /** Which call threw: the transform's push() or its end(). */
  thrownBy: 'push' | 'end' | undefined;
  finished: boolean;
}

export function runEvents(transform: StreamTransform, events: Iterable<SseEvent>): Run {
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
export function* parsed(chunks: readonly Uint8Array[]): Generator<SseEvent> {
  const parser = new SseParser();
  for (const chunk of chunks) yield* parser.push(chunk);
  yield* parser.end();
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
}

/** The StreamTransform contract, for any input whatsoever. */
export function checkContract(run: Run, includeUsage: boolean, publicModel: string, serialisable = true): void {
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
export function assembled(chunks: readonly ChatCompletionChunk[]): { text: string; finishes: string } {
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

/** A fixture's events, parsed whole. */
export function fixtureEvents(f: Fixture): SseEvent[] {
  return [...parsed([f.bytes])];
}
