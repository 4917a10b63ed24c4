/**
 * Property tests for the stream relay: the real parser and the
 * real transforms of all three protocols behind `relayStream`, fed upstream bodies split at random,
 * corrupted, cut, failing mid-stream and slow, into a client that pushes back or goes away.
 *
 * Whatever happens, the relay:
 *  - settles (never hangs) and either resolves or rejects with a GatewayError;
 *  - rejects only while nothing was sent to the client (so the caller may fall back);
 *  - once it opened the client stream, ends it exactly once, writing nothing after the end, with
 *    whole `data:` events only, ending in `data: [DONE]` after a complete answer or in one final
 *    `data: {"error":…}` event otherwise — never a [DONE] after an error, never both.
 *
 * Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs.
 */
import fc from 'fast-check';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import type { ChatCompletionRequest } from '../openai/types.js';
import { anthropicAdapter } from '../providers/anthropic/adapter.js';
import { geminiAdapter } from '../providers/gemini/adapter.js';
import { createOpenAICompatibleAdapter } from '../providers/openai-compatible/adapter.js';
import { GROQ_STREAM } from '../providers/openai-compatible/__fixtures__/groq-stream.js';
import { OPENAI_TEXT_STREAM } from '../providers/openai-compatible/__fixtures__/openai-stream.js';
import type { ProviderAdapter, StreamTransform } from '../providers/provider.js';
import type { Metrics } from '../usage/metrics.js';
import { unframedError } from './upstream-error.js';
import { relayStream, type StreamOutcome } from './relay-stream.js';
import type { ClientStream, RequestContext } from './request-context.js';
import { Cancellation } from './cancellation.js';
import { AttemptLog } from './attempt-log.js';
import type { UpstreamResponse } from './upstream-client.js';
import { damageBytes, split } from '../../test/helpers/fuzz.js';
import { loadRecording } from '../../test/helpers/recording.js';

const SEED = Number(process.env.ZAI_FUZZ_SEED ?? 0x4e1a);
const encoder = new TextEncoder();
/** Far longer than any relay of these small streams takes, even on a loaded machine. */
const HANG_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Upstreams

/** `refused`: the upstream failed before any content, so the relay rejects and the caller may fall back. */
type Outcome = 'complete' | 'cut' | 'error' | 'refused';

interface Upstream {
  name: string;
  create: TransformFactory;
  bytes: Uint8Array;
  outcome: Outcome;
}

interface TransformFactory {
  (includeUsage: boolean): StreamTransform;
  adapter: ProviderAdapter;
}

function transformFactory(adapter: ProviderAdapter, publicModel: string): TransformFactory {
  const create = (includeUsage: boolean): StreamTransform => {
    const request: ChatCompletionRequest = { model: publicModel, messages: [{ role: 'user', content: 'Hi' }], stream: true };
    return adapter
      .chat(
        {
          request,
          upstreamModel: publicModel.split('/')[1] ?? publicModel,
          publicModel,
          stream: true,
          includeUsage,
          maxOutputTokens: undefined,
        },
        {
          baseUrl: 'http://127.0.0.1:9',
          apiKey: 'sk-fuzz-0123456789abcdef',
        },
      )
      .createStream(true);
  };
  return Object.assign(create, { adapter });
}

const openai = transformFactory(createOpenAICompatibleAdapter('openai'), 'openai/gpt-4o-mini');
const anthropic = transformFactory(anthropicAdapter, 'anthropic/claude-sonnet-4-5');
const gemini = transformFactory(geminiAdapter, 'gemini/gemini-2.5-flash');

function file(path: string): string {
  return loadRecording(new URL(`../providers/${path}`, import.meta.url)).body;
}

const OPENAI_BEFORE_FINISH = OPENAI_TEXT_STREAM.slice(
  0,
  OPENAI_TEXT_STREAM.lastIndexOf('data:', OPENAI_TEXT_STREAM.indexOf('"finish_reason":"stop"')),
);

const UPSTREAMS: Upstream[] = [
  { name: 'openai text', create: openai, bytes: encoder.encode(OPENAI_TEXT_STREAM), outcome: 'complete' },
  { name: 'groq', create: openai, bytes: encoder.encode(GROQ_STREAM), outcome: 'complete' },
  { name: 'openai cut', create: openai, bytes: encoder.encode(OPENAI_BEFORE_FINISH), outcome: 'cut' },
  {
    name: 'openai error event',
    create: openai,
    bytes: encoder.encode(`${OPENAI_BEFORE_FINISH}data: {"error":{"message":"overloaded"}}\n\n`),
    outcome: 'error',
  },
  { name: 'openai only [DONE]', create: openai, bytes: encoder.encode('data: [DONE]\n\n'), outcome: 'complete' },
  {
    name: 'anthropic text',
    create: anthropic,
    bytes: encoder.encode(file('anthropic/__fixtures__/stream-text.http')),
    outcome: 'complete',
  },
  {
    name: 'anthropic tools',
    create: anthropic,
    bytes: encoder.encode(file('anthropic/__fixtures__/stream-tool-use.http')),
    outcome: 'complete',
  },
  {
    name: 'anthropic cut',
    create: anthropic,
    bytes: encoder.encode(file('anthropic/__fixtures__/stream-cut.http')),
    outcome: 'cut',
  },
  {
    name: 'anthropic error',
    create: anthropic,
    bytes: encoder.encode(file('anthropic/__fixtures__/stream-error.http')),
    outcome: 'error',
  },
  {
    name: 'gemini text',
    create: gemini,
    bytes: encoder.encode(file('gemini/__fixtures__/text.stream.http')),
    outcome: 'complete',
  },
  {
    name: 'gemini tools',
    create: gemini,
    bytes: encoder.encode(file('gemini/__fixtures__/tool-call.stream.http')),
    outcome: 'complete',
  },
  {
    name: 'gemini blocked',
    create: gemini,
    bytes: encoder.encode(file('gemini/__fixtures__/blocked.stream.http')),
    outcome: 'complete',
  },
  { name: 'gemini cut', create: gemini, bytes: encoder.encode(file('gemini/__fixtures__/cut.stream.http')), outcome: 'cut' },
  {
    name: 'gemini error',
    create: gemini,
    bytes: encoder.encode(file('gemini/__fixtures__/error.stream.http')),
    outcome: 'error',
  },
  {
    name: 'gemini bare JSON error in a 200 stream',
    create: gemini,
    bytes: encoder.encode(
      '[{\n  "error": {\n    "code": 503,\n    "message": "The model is overloaded.",\n    "status": "UNAVAILABLE"\n  }\n}\n]\n',
    ),
    outcome: 'refused',
  },
];

interface UpstreamScript {
  chunks: Uint8Array[];
  /** Index of the read at which the connection fails (undefined: it ends normally). */
  failAt: number | undefined;
  failCode: string | undefined;
  /** Per read, whether to yield to the event loop first (a slow network). */
  slow: boolean[];
}

/** A body like undici's: an async iterable Readable of Buffers that errors when the request is aborted. */
function upstreamBody(script: UpstreamScript, signal: Cancellation): UpstreamResponse['body'] {
  async function* reads(): AsyncGenerator<Buffer> {
    for (let i = 0; i <= script.chunks.length; i++) {
      if (script.slow[i % Math.max(1, script.slow.length)] === true) await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted)
        throw Object.assign(new Error('This operation was aborted'), { name: 'AbortError', code: 'UND_ERR_ABORTED' });
      if (script.failAt === i) throw Object.assign(new Error('other side closed'), { code: script.failCode });
      const chunk = script.chunks[i];
      if (chunk !== undefined) yield Buffer.from(chunk);
    }
  }
  return Readable.from(reads()) as UpstreamResponse['body'];
}

// ---------------------------------------------------------------------------------------------
// The client

interface ClientScript {
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

interface Relayed {
  outcome: StreamOutcome | undefined;
  error: unknown;
  opened: number;
  headers: Record<string, string> | undefined;
  client: FakeClient | undefined;
  aborted: boolean;
  /** streamOpened() and streamClosed() calls on the in-flight streams gauge. */
  gauge: { opened: number; closed: number };
}

async function relay(
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

interface ClientView {
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
function checkRelay(r: Relayed): ClientView | undefined {
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

const UPSTREAM = fc.constantFrom(...UPSTREAMS);
const CUTS = fc.array(fc.nat(), { maxLength: 25 });
const CALM_CLIENT = fc.record({ full: fc.array(fc.boolean(), { maxLength: 6 }), leaveAt: fc.constant(undefined) });
const ANY_CLIENT = fc.record({
  full: fc.array(fc.boolean(), { maxLength: 6 }),
  leaveAt: fc.option(fc.nat({ max: 12 }), { nil: undefined, freq: 3 }),
});
const SLOW = fc.array(fc.boolean(), { maxLength: 5 });

const DAMAGE = fc.record({
  edits: fc.array(fc.tuple(fc.constantFrom('set', 'insert', 'delete'), fc.nat(), fc.integer({ min: 0, max: 255 })), {
    maxLength: 6,
  }),
  truncateAt: fc.option(fc.nat(), { nil: undefined }),
  garbage: fc.option(fc.uint8Array({ maxLength: 60 }), { nil: undefined, freq: 4 }),
});

// ---------------------------------------------------------------------------------------------

describe('relayStream (fuzz)', () => {
  it('relays every fixture, split anywhere, with back-pressure: [DONE] after complete answers, an error event otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(
        UPSTREAM,
        CUTS,
        SLOW,
        CALM_CLIENT,
        fc.boolean(),
        async (upstream, cuts, slow, clientScript, includeUsage) => {
          const r = await relay(
            upstream,
            includeUsage,
            { chunks: split(upstream.bytes, cuts), failAt: undefined, failCode: undefined, slow },
            clientScript,
          );
          const view = checkRelay(r);
          if (upstream.outcome === 'complete') {
            expect(r.outcome?.status, `${upstream.name}: ${JSON.stringify(view?.events.at(-1))}`).toBe(200);
            if (includeUsage && upstream.name !== 'openai only [DONE]') expect(view?.events.at(-2)).toContain('"usage"');
          } else if (upstream.outcome === 'refused') {
            expect(r.error, 'a bare JSON error body must be refused like an HTTP error').toBeInstanceOf(GatewayError);
            expect((r.error as GatewayError).status).toBe(503);
          } else {
            // Cut and error streams sent content first, so they end with an error event, never [DONE].
            expect(r.opened).toBe(1);
            expect(view?.terminal).toBe('error');
            expect(r.outcome?.status).toBeGreaterThanOrEqual(500);
          }
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('settles and ends the client stream properly on corrupted, truncated and garbage-padded upstream bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        UPSTREAM,
        DAMAGE,
        CUTS,
        SLOW,
        ANY_CLIENT,
        fc.boolean(),
        async (upstream, d, cuts, slow, clientScript, includeUsage) => {
          const bytes = damageBytes(upstream.bytes, d);
          checkRelay(
            await relay(
              upstream,
              includeUsage,
              { chunks: split(bytes, cuts), failAt: undefined, failCode: undefined, slow },
              clientScript,
            ),
          );
        },
      ),
      { seed: SEED + 1, numRuns: 300 },
    );
  });

  it('settles and ends the client stream properly when the upstream connection fails mid-stream', async () => {
    await fc.assert(
      fc.asyncProperty(
        UPSTREAM,
        CUTS,
        fc.nat(),
        fc.constantFrom('UND_ERR_SOCKET', 'ECONNRESET', 'UND_ERR_BODY_TIMEOUT', undefined),
        SLOW,
        ANY_CLIENT,
        async (upstream, cuts, failAt, failCode, slow, clientScript) => {
          const chunks = split(upstream.bytes, cuts);
          const r = await relay(upstream, true, { chunks, failAt: failAt % (chunks.length + 1), failCode, slow }, clientScript);
          checkRelay(r);
          if (!r.aborted) {
            // The upstream failed before its end: that can never be a clean 200.
            const status = r.outcome?.status ?? (r.error as GatewayError).status;
            expect(status).not.toBe(200);
            // On an otherwise valid stream the failure itself is what the client hears about.
            if (upstream.outcome === 'complete') expect(status).toBe(failCode === 'UND_ERR_BODY_TIMEOUT' ? 504 : 502);
          }
        },
      ),
      { seed: SEED + 2, numRuns: 200 },
    );
  });

  it('settles and ends the client stream properly on random bytes from the upstream', async () => {
    const SSEISH = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            'data: ',
            '\n\n',
            '\r\n',
            'data: [DONE]\n\n',
            'event: error\n',
            '{"choices":[{"delta":{"content":"x"},"finish_reason":null}]}',
            '{"type":"message_start","message":{"id":"m"}}',
            '{"candidates":[{"index":0,"finishReason":"STOP"}]}',
          ),
          fc.string({ maxLength: 10 }),
        ),
        { maxLength: 30 },
      )
      .map((parts) => encoder.encode(parts.join('')));
    await fc.assert(
      fc.asyncProperty(
        UPSTREAM,
        fc.oneof(fc.uint8Array({ maxLength: 200 }), SSEISH),
        CUTS,
        SLOW,
        ANY_CLIENT,
        async (upstream, bytes, cuts, slow, clientScript) => {
          checkRelay(
            await relay(
              upstream,
              false,
              { chunks: split(bytes, cuts), failAt: undefined, failCode: undefined, slow },
              clientScript,
            ),
          );
        },
      ),
      { seed: SEED + 3, numRuns: 300 },
    );
  });

  it('ends the client stream with an error event when a chunk cannot be serialised (deeply nested JSON upstream)', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const start = 'data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n';
    const bodies = [
      `${start}data: {"choices":[{"index":0,"delta":{"content":"x","extra":${deep}},"finish_reason":null}]}\n\ndata: [DONE]\n\n`,
      `${start}data: {"error":{"message":${deep}}}\n\ndata: [DONE]\n\n`,
    ];
    for (const body of bodies) {
      const bytes = encoder.encode(body);
      const upstream = UPSTREAMS[0] as Upstream;
      const r = await relay(
        upstream,
        false,
        { chunks: split(bytes, [start.length, start.length + 10]), failAt: undefined, failCode: undefined, slow: [] },
        { full: [], leaveAt: undefined },
      );
      const view = checkRelay(r);
      expect(view?.terminal).toBe('error');
    }
  });
});
