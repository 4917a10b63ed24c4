/**
 * Test helper: relays one scripted upstream through the real `relayStream` into a fake client that
 * pushes back or goes away, and checks the relay's contract on the result. Whatever happens, the relay:
 *  - settles (never hangs) and either resolves or rejects with a GatewayError;
 *  - rejects only while nothing was sent to the client (so the caller may fall back);
 *  - once it opened the client stream, ends it exactly once, writing nothing after the end, with
 *    whole `data:` events only, ending in `data: [DONE]` after a complete answer or in one final
 *    `data: {"error":…}` event otherwise — never a [DONE] after an error, never both.
 */
import fc from 'fast-check';
import { EventEmitter } from 'node:events';
import { expect } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { Metrics } from '../../usage/metrics.js';
import { unframedError } from '../upstream-error.js';
import { relayStream, type StreamOutcome } from '../relay-stream.js';
import type { ClientStream, RequestContext } from '../request-context.js';
import { Cancellation } from '../cancellation.js';
import { AttemptLog } from '../attempt-log.js';
import type { UpstreamResponse } from '../upstream-client.js';
import { upstreamBody, type Upstream, type UpstreamScript } from './relay-upstreams.js';

/** Far longer than any relay of these small streams takes, even on a loaded machine. */
const HANG_MS = 5_000;

export interface ClientScript {
  /** Per write, whether the socket buffer is full (write returns false, 'drain' follows). */
  full: boolean[];
  /** The write during which the client disconnects (undefined: it stays). */
  leaveAt: number | undefined;
}

class FakeClient extends EventEmitter implements ClientStream {
  readonly writes: string[] = [];
  readonly endChunks: Array<string | undefined> = [];
  writesAfterEnd = 0;
  destroyed = false;

  constructor(
    private readonly script: ClientScript,
    private readonly abort: Cancellation,
  ) {
    super();
  }

  write(chunk: string): boolean {
    if (this.endChunks.length > 0) this.writesAfterEnd += 1;
    const i = this.writes.length;
    this.writes.push(chunk);
    if (this.destroyed) return false;
    if (this.script.leaveAt === i) {
      this.destroyed = true;
      this.abort.abort();
      setImmediate(() => this.emit('close'));
      return false;
    }
    const full = this.script.full[i % Math.max(1, this.script.full.length)] === true;
    if (full) setImmediate(() => this.emit('drain'));
    return !full;
  }

  end(chunk?: string): void {
    this.endChunks.push(chunk);
  }
}

export interface Relayed {
  outcome: StreamOutcome | undefined;
  error: unknown;
  opened: number;
  headers: Record<string, string> | undefined;
  client: FakeClient | undefined;
  aborted: boolean;
  /** streamOpened() and streamClosed() calls on the in-flight streams gauge. */
  gauge: { opened: number; closed: number };
}

export async function relay(
  upstream: Upstream,
  includeUsage: boolean,
  script: UpstreamScript,
  clientScript: ClientScript,
): Promise<Relayed> {
  const abort = new Cancellation();
  let client: FakeClient | undefined;
  let opened = 0;
  let headers: Record<string, string> | undefined;
  const ctx: RequestContext = {
    requestId: 'req_fuzz',
    bodyText: undefined,
    auth: { id: 'key_fuzz' } as RequestContext['auth'],
    startedAt: performance.now(),
    signal: abort,
    attempts: new AttemptLog(),
    openStream(h) {
      opened += 1;
      headers = h;
      client = new FakeClient(clientScript, abort);
      return client;
    },
  };
  const gauge = { opened: 0, closed: 0 };
  const metrics = {
    streamOpened: () => void (gauge.opened += 1),
    streamClosed: () => void (gauge.closed += 1),
  } as unknown as Metrics;
  const response: UpstreamResponse = {
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
    body: upstreamBody(script, abort),
  };
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`relayStream did not settle within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    const outcome = await Promise.race([
      relayStream(
        ctx,
        response,
        upstream.create(includeUsage),
        { 'x-zai-model': 'fuzz/model' },
        metrics,
        (text) => unframedError(upstream.create.adapter, text, ''),
        Infinity,
      ),
      hang,
    ]);
    return { outcome, error: undefined, opened, headers, client, aborted: abort.aborted, gauge };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('relayStream did not settle')) throw error;
    return { outcome: undefined, error, opened, headers, client, aborted: abort.aborted, gauge };
  } finally {
    clearTimeout(timer);
  }
}

export interface ClientView {
  events: string[];
  terminal: 'done' | 'error' | 'none';
}

/** What the client received, checked for framing: whole `data:` events, a terminal event only at the end. */
function clientView(client: FakeClient): ClientView {
  for (const write of client.writes) {
    expect(
      write.startsWith('data: ') && write.endsWith('\n\n'),
      `partial event written: ${JSON.stringify(write.slice(0, 80))}`,
    ).toBe(true);
  }
  const text = client.writes.join('') + client.endChunks.map((chunk) => chunk ?? '').join('');
  expect(text.endsWith('\n\n')).toBe(true);
  const events = text.slice(0, -2).split('\n\n');
  for (const event of events) {
    expect(event.startsWith('data: '), JSON.stringify(event.slice(0, 80))).toBe(true);
    expect(event.slice(6)).not.toMatch(/[\r\n]/);
  }
  const payloads = events.map((event) => event.slice(6));
  const doneAt = payloads.indexOf('[DONE]');
  const errorAt = payloads.findIndex((p) => p !== '[DONE]' && (JSON.parse(p) as { error?: unknown }).error !== undefined);
  if (doneAt !== -1) expect(doneAt, 'data: [DONE] is not the last event').toBe(payloads.length - 1);
  if (errorAt !== -1) expect(errorAt, 'the error event is not the last event').toBe(payloads.length - 1);
  expect(doneAt !== -1 && errorAt !== -1, '[DONE] and an error event in one stream').toBe(false);
  for (const p of payloads.slice(0, -1)) expect((JSON.parse(p) as { object?: unknown }).object).toBe('chat.completion.chunk');
  return { events: payloads, terminal: doneAt !== -1 ? 'done' : errorAt !== -1 ? 'error' : 'none' };
}

/** The relay's contract, for any upstream and any client. */
export function checkRelay(r: Relayed): ClientView | undefined {
  // The in-flight gauge goes up once per opened stream and always comes back down.
  expect(r.gauge).toEqual({ opened: r.opened, closed: r.opened });
  if (r.error !== undefined) {
    expect(r.error instanceof GatewayError, `rejected with ${String(r.error)}`).toBe(true);
    expect(r.opened, 'rejected after the client stream was opened').toBe(0);
    expect(r.aborted, 'rejected although the client had left').toBe(false);
    return undefined;
  }
  const outcome = r.outcome as StreamOutcome;
  expect(r.opened).toBeLessThanOrEqual(1);
  if (r.opened === 0) {
    // Only a client that left before the first byte gets nothing at all.
    expect(r.aborted).toBe(true);
    expect(outcome.status).toBe(499);
    return undefined;
  }
  expect(r.headers?.['content-type']).toBe('text/event-stream; charset=utf-8');
  expect(r.headers?.['x-zai-model']).toBe('fuzz/model');
  const client = r.client as FakeClient;
  expect(client.writesAfterEnd, 'wrote after end()').toBe(0);
  if (r.aborted) {
    // The client is gone: nothing more may be promised to it, but whatever it got is well-formed.
    expect(client.endChunks.length).toBeLessThanOrEqual(1);
    if (outcome.status !== 200) expect(outcome.errorCode).toBe('client_closed_request');
    return undefined;
  }
  expect(client.endChunks.length, 'the client stream was not ended exactly once').toBe(1);
  const view = clientView(client);
  if (outcome.status === 200) {
    expect(view.terminal).toBe('done');
    expect(outcome.errorCode).toBeNull();
  } else {
    expect(view.terminal).toBe('error');
    const last = JSON.parse(view.events.at(-1) ?? '') as { error: Record<string, unknown> };
    expect(Object.keys(last.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(last.error.code).toBe(outcome.errorCode);
    expect(Number.isInteger(outcome.status) && outcome.status >= 400 && outcome.status <= 599).toBe(true);
  }
  return view;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

export const CALM_CLIENT = fc.record({ full: fc.array(fc.boolean(), { maxLength: 6 }), leaveAt: fc.constant(undefined) });
export const ANY_CLIENT = fc.record({
  full: fc.array(fc.boolean(), { maxLength: 6 }),
  leaveAt: fc.option(fc.nat({ max: 12 }), { nil: undefined, freq: 3 }),
});
