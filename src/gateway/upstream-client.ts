/**
 * Sends provider calls: undici keep-alive pools per origin, the three timeouts (connect, first
 * byte, idle between chunks), aborts from the client, and network failures turned into
 * GatewayErrors with a failure class the fallback logic understands.
 */
import { Agent, request, errors as undiciErrors } from 'undici';
import type { Readable } from 'node:stream';
import { GatewayError } from '../errors.js';
import type { UpstreamCall } from '../providers/provider.js';

export interface UpstreamTimeouts {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Readable & AsyncIterable<Buffer>;
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
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
  async send(call: UpstreamCall, signal: AbortSignal): Promise<UpstreamResponse> {
    try {
      const res = await request(call.url, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        signal,
        dispatcher: this.agent,
        headersTimeout: this.timeouts.firstByteTimeoutMs,
        bodyTimeout: this.timeouts.idleTimeoutMs,
      });
      return {
        status: res.statusCode,
        headers: flatten(res.headers),
        body: res.body as unknown as Readable & AsyncIterable<Buffer>,
      };
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
      if (size > limitBytes) throw new GatewayError({ status: 502, code: 'upstream_error', message: 'The provider answer was too large.', failure: 'protocol' });
      chunks.push(chunk);
    }
  } catch (err) {
    // A reset or a stall while reading the body is an upstream failure like any other.
    if (err instanceof GatewayError) throw err;
    throw networkError(err, 'stream');
  }
  return Buffer.concat(chunks).toString('utf8');
}
