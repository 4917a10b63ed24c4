/**
 * Relays a streamed answer: upstream bytes → the one SSE parser → an event relay (for chat: the
 * provider's stream transform, then the client API's chunk encoder) → the client, one write per
 * upstream read (a read is everything that has arrived, see upstream-body.ts; no buffering beyond
 * that).
 *
 * Nothing is sent to the client until the relay produced its first text, so an upstream that fails
 * before that can still fall back to another model. After the first byte an error becomes a final
 * error event (in the client API's shape) and the end of the stream, never a fake clean finish.
 */
import { GatewayError } from '../errors.js';
import { SSE_HEADERS } from '../openai/sse-encoder.js';
import type { TokenUsage } from '../openai/types.js';
import { SseEventTooLargeError, SseParser } from '../providers/sse-parser.js';
import type { SseEvent, StreamOutput, StreamTransform } from '../providers/provider.js';
import type { Metrics } from '../usage/metrics.js';
import { chunkTextBytes, openAIChunks, type ChunkEncoder } from './client-codec.js';
import type { ClientStream, RequestContext } from './request-context.js';
import { clientGone, networkError, responseTooLarge, type UpstreamResponse } from './upstream-client.js';

/** Silence after which a keep-alive is sent to the client. */
export const KEEPALIVE_MS = 15_000;

export interface StreamOutcome {
  /** 200 for a complete answer; the error status for one cut after the first byte. */
  status: number;
  errorCode: string | null;
  /** What the client was told of an error after the first byte; null for a complete answer. */
  errorMessage: string | null;
  usage: TokenUsage | undefined;
  /** Bytes of generated text seen, for a conservative cost when no usage was reported. */
  completionBytes: number;
  ttftMs: number | null;
}

/**
 * Turns upstream events into the client's text. The chat relay below composes a provider's stream
 * transform with a chunk encoder; a native passthrough (see native-attempt.ts) relays the events
 * of a provider that speaks the client's API with little more than the model rewritten.
 */
export interface EventRelay {
  /** One upstream event → text for the client ('' for none). Throws GatewayError on an upstream error event. */
  push(event: SseEvent): string;
  /** The upstream closed the connection: any last text. Throws GatewayError (failure 'reset') if the answer was incomplete. */
  end(): string;
  /** The text that ends a complete answer (after the last push() or end()). */
  close(): string;
  /** The last text of an answer that failed after its first byte. */
  error(error: GatewayError): string;
  /** Written during long upstream silences. */
  readonly keepAlive: string;
  /** Nothing more can come out (same meaning as StreamTransform.complete): the answer may end at once. */
  readonly complete: boolean;
  /** The usage reported so far (final once the stream ended). */
  usage(): TokenUsage | undefined;
  /** UTF-8 bytes of generated text relayed so far. */
  readonly completionBytes: number;
}

/** A provider's stream transform written through a client API's chunk encoder. */
class ChatEventRelay implements EventRelay {
  completionBytes = 0;
  readonly keepAlive: string;
  // Bound once, not looked up per event.
  private readonly pushEvent: (event: SseEvent) => StreamOutput[];

  constructor(
    private readonly transform: StreamTransform,
    private readonly encoder: ChunkEncoder,
  ) {
    this.keepAlive = encoder.keepAlive;
    this.pushEvent = transform.push.bind(transform);
  }

  get complete(): boolean {
    return this.transform.complete;
  }

  push(event: SseEvent): string {
    return this.write(this.pushEvent(event));
  }

  end(): string {
    return this.write(this.transform.end());
  }

  close(): string {
    return this.encoder.done(this.transform.usage());
  }

  error(error: GatewayError): string {
    return this.encoder.error(error);
  }

  usage(): TokenUsage | undefined {
    return this.transform.usage();
  }

  private write(chunks: readonly StreamOutput[]): string {
    if (chunks.length === 0) return '';
    for (const chunk of chunks) this.completionBytes += chunkTextBytes(chunk);
    return this.encoder.encode(chunks);
  }
}

function waitForDrain(stream: ClientStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.removeListener('drain', done);
      stream.removeListener('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/** Bytes read after a complete answer before the upstream body is given up (destroyed) instead. */
const MAX_DRAIN_BYTES = 64 * 1024;

/**
 * How long a complete answer waits for the upstream's end before the client's answer ends anyway
 * (the rest of the body is then drained in the background). Upstreams end right after their end
 * marker, so this is a safety net for one that holds the connection open; it is generous because
 * a failure seen before the end must still read as a failure, never as a clean finish.
 */
const COMPLETE_GRACE_MS = 1000;
const COMPLETE_GRACE = Symbol('grace');
const NOT_YET_VALUE = Symbol('not yet');
const NOT_YET = Promise.resolve(NOT_YET_VALUE);

/** Reads what is left of an upstream body so its keep-alive connection goes back to the pool. */
function drainInBackground(
  upstream: UpstreamResponse,
  reads: AsyncIterator<Buffer>,
  pendingRead: Promise<IteratorResult<Buffer>>,
): void {
  void (async () => {
    let bytes = 0;
    let read: Promise<IteratorResult<Buffer>> | undefined = pendingRead;
    try {
      for (;;) {
        const next = await (read ?? reads.next());
        read = undefined;
        if (next.done === true) return;
        bytes += next.value.length;
        if (bytes > MAX_DRAIN_BYTES) {
          upstream.body.destroy();
          return;
        }
      }
    } catch {
      // A reset after the answer was complete changes nothing for the client.
    }
  })();
}

/**
 * Relays a chat stream: the provider's transform, written in OpenAI's chunks unless `encoder` is
 * another client API's. Throws GatewayError only while nothing has been sent (the caller may fall
 * back); once committed, it always finishes the client stream itself.
 */
export function relayStream(
  ctx: RequestContext,
  upstream: UpstreamResponse,
  transform: StreamTransform,
  headers: Record<string, string>,
  metrics: Metrics,
  /** Maps a bare (non-SSE) JSON error body written into the stream to the provider's error. */
  mapUnframed: (text: string) => GatewayError | undefined,
  /** Largest single event (ZAI_MAX_UPSTREAM_BODY_BYTES): a larger one ends the stream with an error. */
  maxEventBytes: number,
  encoder: ChunkEncoder = openAIChunks(),
): Promise<StreamOutcome> {
  return relayEvents(ctx, upstream, new ChatEventRelay(transform, encoder), headers, metrics, mapUnframed, maxEventBytes);
}

/**
 * Reads the upstream stream to its end through `relay`. Throws GatewayError only while nothing has
 * been sent (the caller may fall back); once committed, it always finishes the client stream itself.
 */
export async function relayEvents(
  ctx: RequestContext,
  upstream: UpstreamResponse,
  relay: EventRelay,
  headers: Record<string, string>,
  metrics: Metrics,
  /** Maps a bare (non-SSE) JSON error body written into the stream to the provider's error. */
  mapUnframed: (text: string) => GatewayError | undefined,
  /** Largest single event (ZAI_MAX_UPSTREAM_BODY_BYTES): a larger one ends the stream with an error. */
  maxEventBytes: number,
): Promise<StreamOutcome> {
  const parser = new SseParser(maxEventBytes);
  let client: ClientStream | undefined;
  let ttftMs: number | null = null;
  /** The outcome of a stream relayed to its end. */
  const completed = (): StreamOutcome => ({
    status: 200,
    errorCode: null,
    errorMessage: null,
    usage: relay.usage(),
    completionBytes: relay.completionBytes,
    ttftMs,
  });

  let lastWrite = 0;
  let keepAlive: NodeJS.Timeout | undefined;
  const open = (): ClientStream => {
    if (client !== undefined) return client;
    // Object.assign, not spreads: see docs/performance.md, "No properties after a spread".
    const opened = ctx.openStream(Object.assign({}, SSE_HEADERS, headers));
    client = opened;
    ttftMs = Math.round(performance.now() - ctx.startedAt);
    metrics.streamOpened();
    return opened;
  };
  // During long upstream silences (a reasoning model thinking), a keep-alive (a comment line, or
  // the client API's ping event) keeps proxies and clients from timing the stream out. Armed only once the relay waits on
  // the upstream with the client's answer open: an answer that arrives whole needs no timer.
  const armKeepAlive = (): void => {
    const opened = client;
    if (opened === undefined || keepAlive !== undefined) return;
    keepAlive = setInterval(() => {
      if (performance.now() - lastWrite >= KEEPALIVE_MS && !opened.destroyed) opened.write(relay.keepAlive);
    }, KEEPALIVE_MS);
    keepAlive.unref();
  };

  // Encoded but not yet written: one write per upstream read. If the transform throws in the
  // middle of a read, what it produced before is written first (as if sent event by event).
  let pending = '';
  const flush = async (): Promise<void> => {
    if (pending === '') return;
    const out = pending;
    pending = '';
    const stream = open();
    lastWrite = performance.now();
    if (!stream.write(out) && !stream.destroyed) await waitForDrain(stream);
  };

  // A manual iterator (not for-await): leaving a for-await loop early would destroy the body,
  // and an answer that is complete early keeps draining it so the connection is reused.
  const reads = upstream.body[Symbol.asyncIterator]();
  try {
    for (;;) {
      armKeepAlive();
      const next = await reads.next();
      if (next.done === true) break;
      for (const event of parser.push(next.value)) {
        pending += relay.push(event);
        if (relay.complete) break;
      }
      if (relay.complete) {
        // The answer is whole (`[DONE]`, `message_stop`). The upstream's end normally arrives with
        // or right after it: wait for the next read a short moment, so a connection that fails
        // right there still reads as a failure (never a clean finish); then the rest and the end
        // marker go out in one write and anything left of the body is drained in the background.
        let timer: NodeJS.Timeout | undefined;
        let grace: Promise<typeof COMPLETE_GRACE> | undefined;
        let read: Promise<IteratorResult<Buffer>> | undefined = reads.next();
        let extra = 0;
        try {
          // Whatever follows is ignored by the transform; only the end (or a failure) matters.
          while (read !== undefined) {
            // Usually the end came in the same read as the end marker: then the read is already
            // settled, wins the race against an already-settled "not yet", and no timer is needed.
            let result: IteratorResult<Buffer> | typeof NOT_YET_VALUE | typeof COMPLETE_GRACE = await Promise.race([
              read,
              NOT_YET,
            ]);
            if (result === NOT_YET_VALUE) {
              grace ??= new Promise((resolve) => (timer = setTimeout(resolve, COMPLETE_GRACE_MS, COMPLETE_GRACE)));
              result = await Promise.race([read, grace]);
            }
            if (result === COMPLETE_GRACE) break;
            if (result.done === true) read = undefined;
            else if ((extra += result.value.length) > MAX_DRAIN_BYTES) {
              upstream.body.destroy();
              read = undefined;
            } else read = reads.next();
          }
        } finally {
          clearTimeout(timer);
        }
        const out = pending;
        pending = '';
        open().end(out + relay.close());
        if (read !== undefined) drainInBackground(upstream, reads, read);
        return completed();
      }
      await flush();
    }
    for (const event of parser.end()) pending += relay.push(event);
    await flush();
    const unframed = parser.unframedText();
    const bare = unframed.trimStart().startsWith('{') || unframed.trimStart().startsWith('[') ? mapUnframed(unframed) : undefined;
    if (bare !== undefined) throw bare;
    pending += relay.end();
    await flush();
    // A stream with no content at all (e.g. only [DONE]) still answers in SSE form.
    open().end(relay.close());
    return completed();
  } catch (err) {
    upstream.body.destroy();
    // What the transform produced before it threw goes out first, as if written event by event.
    if (pending !== '' && !ctx.signal.aborted) {
      const out = pending;
      pending = '';
      const stream = open();
      lastWrite = performance.now();
      stream.write(out);
    }
    const error = ctx.signal.aborted
      ? clientGone(err)
      : err instanceof GatewayError
        ? err
        : err instanceof SseEventTooLargeError
          ? responseTooLarge(err.limit, 'ZAI_MAX_UPSTREAM_BODY_BYTES')
          : networkError(err, 'stream');
    // Before the first byte the caller may still fall back; a client that left gets nothing more.
    if (client === undefined && !ctx.signal.aborted) throw error;
    if (client !== undefined && !ctx.signal.aborted) client.end(relay.error(error));
    return {
      status: error.status,
      errorCode: error.code,
      errorMessage: error.message,
      usage: relay.usage(),
      completionBytes: relay.completionBytes,
      ttftMs,
    };
  } finally {
    clearInterval(keepAlive);
    if (client !== undefined) metrics.streamClosed();
  }
}
