/**
 * What both ways into the gateway (the fast path and Fastify's routes) hand it for one `/v1`
 * request: the RequestContext over Node's response object, and the answer written back.
 */
import type { ServerResponse } from 'node:http';
import { Readable, pipeline } from 'node:stream';
import { AttemptLog } from '../gateway/attempt-log.js';
import { Cancellation } from '../gateway/cancellation.js';
import type { JsonAnswer, PiecewiseAnswer, RequestContext } from '../gateway/request-context.js';
import type { KeyAuth } from '../keys/api-keys.js';
import { JSON_CONTENT_TYPE } from './json-body.js';
import { API_SECURITY_HEADERS } from './security-headers.js';

export function responseContext(
  res: ServerResponse,
  requestId: string,
  auth: KeyAuth,
  startedAt: number,
  /** Headers that are already the answer's (CORS from Fastify's hooks), and what to do before streaming. */
  stream: { headers?: () => Record<string, string | number | string[] | undefined>; beforeOpen?: () => void } = {},
): RequestContext {
  const cancellation = new Cancellation();
  // 'close' on the response fires once, when it finished or when the socket went away; only the
  // second aborts. (on, not once: once wraps the listener in two more objects per request.)
  res.on('close', () => {
    if (!res.writableFinished) cancellation.abort();
  });
  return {
    requestId,
    auth,
    startedAt,
    signal: cancellation,
    attempts: new AttemptLog(),
    bodyText: undefined,
    openStream(headers) {
      stream.beforeOpen?.();
      // No flushHeaders(): the headers go out with the first chunk, in one write.
      res.writeHead(200, apiHeaders(requestId, stream.headers?.(), headers));
      return res;
    },
  };
}

/** Writes a complete JSON answer (or an error rendered as one) with the headers every JSON answer carries. */
export function writeJsonAnswer(res: ServerResponse, requestId: string, answer: JsonAnswer | PiecewiseAnswer): void {
  const headers = apiHeaders(requestId, answer.headers);
  headers['content-type'] = JSON_CONTENT_TYPE;
  if ('pieces' in answer) {
    // Chunked, as fast as the client reads; a client that leaves ends the pipeline.
    res.writeHead(answer.status, headers);
    pipeline(piecesStream(answer), res, () => {});
    return;
  }
  headers['content-length'] = Buffer.byteLength(answer.body);
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/** The pieces of an answer as a byte stream that yields to backpressure. */
export function piecesStream(answer: PiecewiseAnswer): Readable {
  return Readable.from(answer.pieces, { objectMode: false });
}

type Headers = Record<string, string | number | string[] | undefined>;

/**
 * The security headers, then each of `sources` in turn (later ones win), then the request id. Built
 * with Object.assign, not spreads: see docs/performance.md, "No properties after a spread".
 */
function apiHeaders(requestId: string, ...sources: Array<Headers | undefined>): Headers {
  const headers: Headers = Object.assign({}, API_SECURITY_HEADERS);
  for (const source of sources) if (source !== undefined) Object.assign(headers, source);
  headers['x-zai-request-id'] = requestId;
  return headers;
}
