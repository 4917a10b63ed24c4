/**
 * Relays a streamed answer: upstream bytes → the one SSE parser → the provider's stream transform
 * → the one SSE encoder → the client, one write per upstream read (a read is everything that has
 * arrived, see upstream-body.ts; no buffering beyond that).
 *
 * Nothing is sent to the client until the transform produced its first chunk, so an upstream
 * that fails before that can still fall back to another model. After the first byte an error
 * becomes a final SSE error event and the end of the stream, never a fake clean finish.
 */
import { GatewayError } from '../errors.js';
import { SSE_DONE, SSE_HEADERS, SSE_KEEPALIVE, encodeSseData, encodeSseError } from '../openai/sse-encoder.js';
import type { ChatCompletionChunk, TokenUsage } from '../openai/types.js';
import { SseParser } from '../providers/sse-parser.js';
import { EncodedChunk, type SseEvent, type StreamOutput, type StreamTransform } from '../providers/provider.js';
import type { Metrics } from '../usage/metrics.js';
import type { ClientStream, RequestContext } from './request-context.js';
import { clientGone, networkError, type UpstreamResponse } from './upstream-client.js';

/** Silence after which a keep-alive comment is sent to the client. */
export const KEEPALIVE_MS = 15_000;

export interface StreamOutcome {
  /** 200 for a complete answer; the error status for one cut after the first byte. */
  status: number;
  errorCode: string | null;
  usage: TokenUsage | undefined;
  /** Bytes of generated text seen, for a conservative cost when no usage was reported. */
  completionBytes: number;
  ttftMs: number | null;
}

function textBytes(chunk: ChatCompletionChunk): number {
  let n = 0;
  for (const choice of chunk.choices) {
    const delta = choice.delta;
    if (typeof delta.content === 'string') n += Buffer.byteLength(delta.content);
    if (delta.tool_calls) for (const call of delta.tool_calls) n += Buffer.byteLength(call.function?.arguments ?? '');
  }
  return n;
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
 * Reads the upstream stream to its end. Throws GatewayError only while nothing has been sent (the
 * caller may fall back); once committed, it always finishes the client stream itself.
 */
export async function relayStream(
  ctx: RequestContext,
  upstream: UpstreamResponse,
  transform: StreamTransform,
  headers: Record<string, string>,
  metrics: Metrics,
  /** Maps a bare (non-SSE) JSON error body written into the stream to the provider's error. */
  mapUnframed: (text: string) => GatewayError | undefined,
): Promise<StreamOutcome> {
  const parser = new SseParser();
  let client: ClientStream | undefined;
  let ttftMs: number | null = null;
  let completionBytes = 0;

  let lastWrite = 0;
  let keepAlive: NodeJS.Timeout | undefined;
  const open = (): ClientStream => {
    if (client !== undefined) return client;
    // Object.assign, not a literal with two spreads (a slow path in V8 on Node 20; see gateway-context).
    const opened = ctx.openStream(Object.assign({}, SSE_HEADERS, headers));
    client = opened;
    ttftMs = Math.round(performance.now() - ctx.startedAt);
    metrics.streamOpened();
    return opened;
  };
  // During long upstream silences (a reasoning model thinking), a comment line keeps proxies and
  // clients from timing the stream out; SSE parsers ignore it. Armed only once the relay waits on
  // the upstream with the client's answer open: an answer that arrives whole needs no timer.
  const armKeepAlive = (): void => {
    const opened = client;
    if (opened === undefined || keepAlive !== undefined) return;
    keepAlive = setInterval(() => {
      if (performance.now() - lastWrite >= KEEPALIVE_MS && !opened.destroyed) opened.write(SSE_KEEPALIVE);
    }, KEEPALIVE_MS);
    keepAlive.unref();
  };

  const encode = (chunks: readonly StreamOutput[]): string => {
    let out = '';
    for (const chunk of chunks) {
      if (chunk instanceof EncodedChunk) {
        // Pre-encoded by the transform (already one line of JSON): framed, never re-serialised.
        completionBytes += chunk.textBytes;
        out += encodeSseData(chunk.json);
      } else {
        completionBytes += textBytes(chunk);
        out += encodeSseData(JSON.stringify(chunk));
      }
    }
    return out;
  };
  // Bound once, not looked up per event.
  const pushEvent: (event: SseEvent) => StreamOutput[] = transform.push.bind(transform);

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
        pending += encode(pushEvent(event));
        if (transform.complete) break;
      }
      if (transform.complete) {
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
        open().end(out + SSE_DONE);
        if (read !== undefined) drainInBackground(upstream, reads, read);
        return { status: 200, errorCode: null, usage: transform.usage(), completionBytes, ttftMs };
      }
      await flush();
    }
    for (const event of parser.end()) pending += encode(pushEvent(event));
    await flush();
    const unframed = parser.unframedText();
    const bare = unframed.trimStart().startsWith('{') || unframed.trimStart().startsWith('[') ? mapUnframed(unframed) : undefined;
    if (bare !== undefined) throw bare;
    pending += encode(transform.end());
    await flush();
    // A stream with no content at all (e.g. only [DONE]) still answers in SSE form.
    open().end(SSE_DONE);
    return { status: 200, errorCode: null, usage: transform.usage(), completionBytes, ttftMs };
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
    const error = ctx.signal.aborted ? clientGone(err) : err instanceof GatewayError ? err : networkError(err, 'stream');
    // Before the first byte the caller may still fall back; a client that left gets nothing more.
    if (client === undefined && !ctx.signal.aborted) throw error;
    if (client !== undefined && !ctx.signal.aborted) client.end(encodeSseError(error));
    return { status: error.status, errorCode: error.code, usage: transform.usage(), completionBytes, ttftMs };
  } finally {
    clearInterval(keepAlive);
    if (client !== undefined) metrics.streamClosed();
  }
}
