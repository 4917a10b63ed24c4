/**
 * Sends provider calls: undici keep-alive pools per origin, the three timeouts (connect, first
 * byte, idle between chunks), aborts from the client, and network failures turned into
 * GatewayErrors with a failure class the fallback logic understands.
 *
 * Every socket is opened through the upstream address policy: the connector refuses IP literals
 * the account may not reach, and names are resolved by the policy's own lookup, which checks every
 * address and hands the socket only those (see egress/upstream-policy.ts). Redirects are never
 * followed: undici's dispatch does not, and a 3xx is an error answer like any other.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { GatewayError } from '../errors.js';
import type { AccountRole, UpstreamAccess } from '../egress/private-upstreams.js';
import { upstreamAddressNotAllowed } from '../egress/private-upstreams.js';
import { AddressRefusedError, type UpstreamPolicy } from '../egress/upstream-policy.js';
import type { UpstreamCall } from '../providers/provider.js';
import type { Cancellation } from './cancellation.js';
import { UpstreamBody } from './upstream-body.js';
import { Agent, buildConnector, undiciErrors } from './undici-agent.js';

export interface UpstreamTimeouts {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface UpstreamLimits {
  /** Largest answer read whole (chat, model lists) and largest single event of a stream. */
  maxBodyBytes: number;
  /** Largest embeddings answer. */
  maxEmbeddingsBodyBytes: number;
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

export interface UpstreamClientOptions extends UpstreamTimeouts, UpstreamLimits {
  policy: UpstreamPolicy;
  logger: Logger;
}

/**
 * One shared client for every upstream; pools are per origin and kept alive between requests.
 * One undici Agent per kind of access ('public', 'private'), so a connection opened for an account
 * that may reach private addresses never serves one that may not; an account's role picks its
 * Agent with one property read per call.
 */
export class UpstreamClient {
  private readonly agents: Record<AccountRole, Agent>;
  readonly limits: UpstreamLimits;

  constructor(private readonly options: UpstreamClientOptions) {
    this.limits = { maxBodyBytes: options.maxBodyBytes, maxEmbeddingsBodyBytes: options.maxEmbeddingsBodyBytes };
    const byAccess = new Map<UpstreamAccess, Agent>();
    const agentFor = (access: UpstreamAccess): Agent => {
      let agent = byAccess.get(access);
      if (agent === undefined) {
        agent = this.createAgent(access);
        byAccess.set(access, agent);
      }
      return agent;
    };
    this.agents = { admin: agentFor(options.policy.access('admin')), member: agentFor(options.policy.access('member')) };
  }

  private createAgent(access: UpstreamAccess): Agent {
    const { policy, connectTimeoutMs, firstByteTimeoutMs, idleTimeoutMs } = this.options;
    const connect = buildConnector({ timeout: connectTimeoutMs, lookup: policy.lookup(access) });
    return new Agent({
      // IP literals are never looked up, so the connector checks them before connecting.
      connect: (target, callback) => {
        const refused = policy.refusalForLiteral(target.hostname, access);
        if (refused === undefined) connect(target, callback);
        else queueMicrotask(() => callback(refused, null));
      },
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: firstByteTimeoutMs,
      bodyTimeout: idleTimeoutMs,
      // No cap per origin: a thousand concurrent streams to one provider must not queue in waves.
      pipelining: 1,
    });
  }

  /**
   * Sends a call on behalf of an account of role `owner` (the owner of the provider); resolves when
   * the response headers arrive. Throws GatewayError on network failure or a refused address.
   */
  async send(call: UpstreamCall, signal: Cancellation, owner: AccountRole): Promise<UpstreamResponse> {
    if (signal.aborted) throw clientGone();
    const { origin, path } = splitUrl(call.url);
    const exchange = new Exchange(signal);
    this.agents[owner].dispatch(
      {
        origin,
        path,
        method: call.method,
        headers: call.headers,
        body: call.body,
        headersTimeout: this.options.firstByteTimeoutMs,
        bodyTimeout: this.options.idleTimeoutMs,
      },
      exchange,
    );
    try {
      return await exchange.response;
    } catch (err) {
      if (signal.aborted) throw clientGone(err);
      if (err instanceof AddressRefusedError) {
        const { refusal } = err;
        // The URL without its query: a query may carry a key (Gemini's `?key=`).
        this.options.logger.warn(
          {
            url: `${origin}${path.split('?', 1)[0] ?? ''}`,
            host: refusal.host,
            address: refusal.address,
            range: refusal.addressClass,
            owner,
          },
          'upstream address refused',
        );
        throw upstreamAddressNotAllowed(this.options.policy.setting, refusal, err);
      }
      throw networkError(err, 'connect');
    }
  }

  async close(): Promise<void> {
    await Promise.all([...new Set(Object.values(this.agents))].map((agent) => agent.close()));
  }
}

/** The client went away; nothing is sent to anyone, but the request is logged with this code. */
export function clientGone(cause?: unknown): GatewayError {
  return new GatewayError({ status: 499, code: 'client_closed_request', message: 'The client closed the connection.', cause });
}

/** 502 `upstream_response_too_large`: nothing past the bound was read or kept. */
export function responseTooLarge(limitBytes: number, setting: string): GatewayError {
  return new GatewayError({
    status: 502,
    code: 'upstream_response_too_large',
    message: `The provider's answer is larger than this server accepts (${limitBytes} bytes, ${setting}).`,
    failure: 'protocol',
  });
}

/** Bytes of a body kept as they came before the reads are decoded one by one instead. */
const DECODE_FROM_BYTES = 1024 * 1024;

/**
 * Reads a whole body as text, bounded so a hostile upstream cannot fill memory: past `limitBytes`
 * the body is given up (the connection aborted) and 502 `upstream_response_too_large` thrown.
 *
 * A small body is kept as its reads and decoded once. Past DECODE_FROM_BYTES each read is decoded
 * as it comes, so its network buffer can go at once, and the text is made whole at the end: a
 * large answer is held about twice at most (its pieces and the whole text, for that moment),
 * never as bytes and pieces and text at once.
 */
export async function readText(
  body: AsyncIterable<Buffer>,
  limitBytes: number,
  setting = 'ZAI_MAX_UPSTREAM_BODY_BYTES',
): Promise<string> {
  const chunks: Buffer[] = [];
  // Made only for a large body: most answers need neither.
  let decoder: StringDecoder | undefined;
  let parts: string[] | undefined;
  let size = 0;
  try {
    // Leaving the loop by the throw gives the body up.
    for await (const chunk of body) {
      size += chunk.length;
      if (size > limitBytes) {
        chunks.length = 0;
        parts = undefined;
        throw responseTooLarge(limitBytes, setting);
      }
      if (decoder !== undefined && parts !== undefined) parts.push(decoder.write(chunk));
      else if (size <= DECODE_FROM_BYTES) chunks.push(chunk);
      else {
        const reader = new StringDecoder('utf8');
        parts = chunks.map((kept) => reader.write(kept));
        chunks.length = 0;
        parts.push(reader.write(chunk));
        decoder = reader;
      }
    }
  } catch (err) {
    // A reset or a stall while reading the body is an upstream failure like any other.
    if (err instanceof GatewayError) throw err;
    throw networkError(err, 'stream');
  }
  if (decoder !== undefined && parts !== undefined) {
    parts.push(decoder.end());
    return parts.join('');
  }
  if (chunks.length === 1) return (chunks[0] as Buffer).toString('utf8');
  return Buffer.concat(chunks, size).toString('utf8');
}

/**
 * An answer's body as text (see readText); an answer that declares a length over the bound is
 * refused before a byte of it is read.
 */
export function readAnswer(upstream: UpstreamResponse, limitBytes: number, setting?: string): Promise<string> {
  const declared = upstream.headers['content-length'];
  if (typeof declared === 'string' && Number(declared) > limitBytes) {
    upstream.body.destroy();
    return Promise.reject(responseTooLarge(limitBytes, setting ?? 'ZAI_MAX_UPSTREAM_BODY_BYTES'));
  }
  return readText(upstream.body, limitBytes, setting);
}
