/**
 * Sends provider calls: undici keep-alive pools per origin, the three timeouts (connect, first
 * byte, idle between chunks), aborts from the client, and network failures turned into
 * GatewayErrors with a failure class the fallback logic understands.
 */
import type { Dispatcher } from 'undici';
import { GatewayError } from '../errors.js';
import type { UpstreamCall } from '../providers/provider.js';
import type { Cancellation } from './cancellation.js';
import { UpstreamBody } from './upstream-body.js';
import { Agent, undiciErrors } from './undici-agent.js';

export interface UpstreamTimeouts {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
}

/** What the gateway reads of an upstream body: chunks in order, or give up the rest. */
export interface UpstreamBodyReader extends AsyncIterable<Buffer> {
  destroy(): void;
}

export interface UpstreamResponse {
  status: number;
  /** As undici parsed them (lower-case names; a repeated header as an array). */
  headers: Record<string, string | string[] | undefined>;
  body: UpstreamBodyReader;
}

/** Headers with repeated values joined, as the error mapping reads them. Only errors need this. */
export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name in headers) {
    const value = headers[name];
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Origin and path of a provider URL; the few distinct URLs are parsed once. */
const splitUrls = new Map<string, { origin: string; path: string }>();
function splitUrl(url: string): { origin: string; path: string } {
  let split = splitUrls.get(url);
  if (split === undefined) {
    const parsed = new URL(url);
    split = { origin: parsed.origin, path: parsed.pathname + parsed.search };
    // Bounded: base URLs are configuration, but a misbehaving caller must not grow this forever.
    if (splitUrls.size >= 1000) splitUrls.clear();
    splitUrls.set(url, split);
  }
  return split;
}

/**
 * One upstream call as undici dispatch callbacks: resolves with the status and headers, then feeds
 * the body. Cheaper than undici's request(): no Readable and no per-request abort plumbing beyond
 * the client's own signal.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private abortReason: Error | undefined;
  private body: UpstreamBody | undefined;
  private settle: { resolve: (response: UpstreamResponse) => void; reject: (err: unknown) => void } | undefined;
  readonly response: Promise<UpstreamResponse>;
  private readonly stopListening: () => void;

  constructor(signal: Cancellation) {
    this.response = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.stopListening = signal.onAbort(() => this.abort(new Error('The client closed the connection.')));
  }

  private abort(reason: Error): void {
    if (this.controller !== undefined) this.controller.abort(reason);
    else this.abortReason = reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason !== undefined) controller.abort(this.abortReason);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // 1xx informational answers are not the response.
    if (statusCode < 200) return;
    // undici's controller is the body's flow as it is (pause, resume, abort).
    const body = new UpstreamBody(controller);
    this.body = body;
    this.settle?.resolve({ status: statusCode, headers, body });
    this.settle = undefined;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.body?.push(chunk);
  }

  onResponseEnd(): void {
    this.stopListening();
    this.body?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.stopListening();
    if (this.settle !== undefined) {
      this.settle.reject(err);
      this.settle = undefined;
    } else this.body?.fail(err);
  }
}

/** Maps a network-level failure of an upstream call to a GatewayError (502 unreachable / 504 timeout). */
export function networkError(err: unknown, phase: 'connect' | 'stream'): GatewayError {
  const code = (err as { code?: string } | null)?.code;
  if (
    err instanceof undiciErrors.ConnectTimeoutError ||
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return new GatewayError({
      status: 504,
      type: 'timeout_error',
      code: 'upstream_timeout',
      message: phase === 'stream' ? 'The provider stopped sending data (idle timeout).' : 'The provider did not answer in time.',
      retryable: true,
      failure: 'timeout',
      cause: err,
    });
  }
  const reset = phase === 'stream' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
  return new GatewayError({
    status: 502,
    code: reset ? 'upstream_error' : 'upstream_unreachable',
    message: reset
      ? 'The connection to the provider was lost before the answer was complete.'
      : `The provider could not be reached (${code ?? 'connection error'}).`,
    retryable: true,
    failure: reset ? 'reset' : 'connect',
    cause: err,
  });
}

/** One shared client for every upstream; pools are per origin and kept alive between requests. */
export class UpstreamClient {
  private readonly agent: Agent;

  constructor(private readonly timeouts: UpstreamTimeouts) {
    this.agent = new Agent({
      connect: { timeout: timeouts.connectTimeoutMs },
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: timeouts.firstByteTimeoutMs,
      bodyTimeout: timeouts.idleTimeoutMs,
      // No cap per origin: a thousand concurrent streams to one provider must not queue in waves.
      pipelining: 1,
    });
  }

  /** Sends a call; resolves when the response headers arrive. Throws GatewayError on network failure. */
  async send(call: UpstreamCall, signal: Cancellation): Promise<UpstreamResponse> {
    if (signal.aborted) throw clientGone();
    const { origin, path } = splitUrl(call.url);
    const exchange = new Exchange(signal);
    this.agent.dispatch(
      {
        origin,
        path,
        method: call.method,
        headers: call.headers,
        body: call.body,
        headersTimeout: this.timeouts.firstByteTimeoutMs,
        bodyTimeout: this.timeouts.idleTimeoutMs,
      },
      exchange,
    );
    try {
      return await exchange.response;
    } catch (err) {
      if (signal.aborted) throw clientGone(err);
      throw networkError(err, 'connect');
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** The client went away; nothing is sent to anyone, but the request is logged with this code. */
export function clientGone(cause?: unknown): GatewayError {
  return new GatewayError({ status: 499, code: 'client_closed_request', message: 'The client closed the connection.', cause });
}

/** Reads a whole (small) body as text, bounded so a hostile upstream cannot fill memory. */
export async function readText(body: AsyncIterable<Buffer>, limitBytes = 16 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > limitBytes)
        throw new GatewayError({
          status: 502,
          code: 'upstream_error',
          message: 'The provider answer was too large.',
          failure: 'protocol',
        });
      chunks.push(chunk);
    }
  } catch (err) {
    // A reset or a stall while reading the body is an upstream failure like any other.
    if (err instanceof GatewayError) throw err;
    throw networkError(err, 'stream');
  }
  return Buffer.concat(chunks).toString('utf8');
}
