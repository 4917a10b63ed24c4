/**
 * Relays a streamed answer: upstream bytes → the one SSE parser → the provider's stream transform
 * → the one SSE encoder → the client, one write per upstream read (no buffering beyond that).
 *
 * Nothing is sent to the client until the transform produced its first chunk, so an upstream
 * that fails before that can still fall back to another model. After the first byte an error
 * becomes a final SSE error event and the end of the stream, never a fake clean finish.
 */
import { GatewayError } from '../errors.js';
import { SSE_DONE, SSE_HEADERS, SSE_KEEPALIVE, encodeSseData, encodeSseError } from '../openai/sse-encoder.js';
import type { ChatCompletionChunk, TokenUsage } from '../openai/types.js';
import { SseParser } from '../providers/sse-parser.js';
import type { StreamTransform } from '../providers/provider.js';
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
    const opened = ctx.openStream({ ...SSE_HEADERS, ...headers });
    client = opened;
    ttftMs = Math.round(performance.now() - ctx.startedAt);
    metrics.streamOpened();
    // During long upstream silences (a reasoning model thinking), a comment line keeps proxies
    // and clients from timing the stream out; SSE parsers ignore it.
    keepAlive = setInterval(() => {
      if (performance.now() - lastWrite >= KEEPALIVE_MS && !opened.destroyed) opened.write(SSE_KEEPALIVE);
    }, KEEPALIVE_MS);
    keepAlive.unref();
    return opened;
  };

  const send = async (chunks: ChatCompletionChunk[]): Promise<void> => {
    if (chunks.length === 0) return;
    let out = '';
    for (const chunk of chunks) {
      completionBytes += textBytes(chunk);
      out += encodeSseData(JSON.stringify(chunk));
    }
    const stream = open();
    lastWrite = performance.now();
    if (!stream.write(out) && !stream.destroyed) await waitForDrain(stream);
  };

  try {
    for await (const buffer of upstream.body) {
      for (const event of parser.push(buffer)) await send(transform.push(event));
    }
    for (const event of parser.end()) await send(transform.push(event));
    const unframed = parser.unframedText();
    const bare = unframed.trimStart().startsWith('{') || unframed.trimStart().startsWith('[') ? mapUnframed(unframed) : undefined;
    if (bare !== undefined) throw bare;
    await send(transform.end());
    // A stream with no content at all (e.g. only [DONE]) still answers in SSE form.
    open().end(SSE_DONE);
    return { status: 200, errorCode: null, usage: transform.usage(), completionBytes, ttftMs };
  } catch (err) {
    upstream.body.destroy();
    const error = ctx.signal.aborted
      ? clientGone(err)
      : err instanceof GatewayError
        ? err
        : networkError(err, 'stream');
    // Before the first byte the caller may still fall back; a client that left gets nothing more.
    if (client === undefined && !ctx.signal.aborted) throw error;
    if (client !== undefined && !ctx.signal.aborted) client.end(encodeSseError(error));
    return { status: error.status, errorCode: error.code, usage: transform.usage(), completionBytes, ttftMs };
  } finally {
    clearInterval(keepAlive);
    if (client !== undefined) metrics.streamClosed();
  }
}
