/**
 * The hot path: `POST /v1/chat/completions`, `/v1/embeddings` and `/v1/responses` from API
 * clients, served right on Node's http server in front of Fastify: see docs/performance.md, "A fast
 * path in front of Fastify". The path is deliberately narrow: anything it does not recognise
 * exactly — another method or URL, a non-JSON content type, an `Origin` header (CORS is Fastify's)
 * — is left to Fastify, which serves the same routes with the same answers (the error renderer,
 * headers, authentication and gateway are shared).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { requestTooLarge } from '../errors.js';
import { embeddings } from '../gateway/embeddings.js';
import { chatCompletions, type GatewayDeps } from '../gateway/gateway.js';
import { createResponse } from '../ingress/openai-responses/create-response.js';
import type { JsonAnswer, PiecewiseAnswer, RequestContext } from '../gateway/request-context.js';
import type { Services } from '../services.js';
import { authenticateApiKey } from './api-key-auth.js';
import { errorAnswer, toGatewayError } from './error-handler.js';
import { responseContext, writeJsonAnswer } from './gateway-context.js';
import { parseJsonBody } from './json-body.js';
import { nextRequestId } from './request-id.js';

type Endpoint = (deps: GatewayDeps, ctx: RequestContext, body: unknown) => Promise<JsonAnswer | PiecewiseAnswer | undefined>;

const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map<string, Endpoint>([
  ['/v1/chat/completions', chatCompletions],
  ['/v1/embeddings', embeddings],
  ['/v1/responses', createResponse],
]);

function isJson(contentType: string | undefined): boolean {
  return contentType === 'application/json' || (contentType !== undefined && contentType.startsWith('application/json;'));
}

/** Returns a request listener step: true when it took the request, false to hand it to Fastify. */
export function v1FastPath(services: Services, logger: Logger): (req: IncomingMessage, res: ServerResponse) => boolean {
  const limit = services.config.maxBodyBytes;

  const fail = (
    res: ServerResponse,
    requestId: string,
    startedAt: number,
    path: string,
    err: unknown,
    closeConnection = false,
  ): void => {
    const error = toGatewayError(err, logger, requestId);
    if (res.headersSent) {
      // A streamed answer already committed: nothing can be rendered any more.
      res.destroy();
      return;
    }
    const answer = errorAnswer(error);
    // The client may still be sending a body we will not read.
    writeJsonAnswer(
      res,
      requestId,
      closeConnection ? { ...answer, headers: { ...answer.headers, connection: 'close' } } : answer,
    );
    logger.info(
      { reqId: requestId, requestId, method: 'POST', path, status: error.status, ms: Math.round(performance.now() - startedAt) },
      'request',
    );
  };

  const run = async (
    req: IncomingMessage,
    res: ServerResponse,
    endpoint: Endpoint,
    path: string,
    requestId: string,
    startedAt: number,
    text: string,
  ): Promise<void> => {
    try {
      const body = parseJsonBody(text);
      const auth = await authenticateApiKey(services.keys, req.headers.authorization);
      const ctx = responseContext(res, requestId, auth, startedAt);
      ctx.bodyText = text;
      // The context owns the text now and lets it go once it is sent; a parameter of this function
      // would hold it for as long as the answer lasts.
      text = '';
      const answer = await endpoint(services.gateway, ctx, body);
      if (answer !== undefined) writeJsonAnswer(res, requestId, answer);
      // The client left before anything was sent: nothing to render.
      else if (!res.headersSent) res.destroy();
    } catch (err) {
      fail(res, requestId, startedAt, path, err);
    }
  };

  return (req, res) => {
    if (req.method !== 'POST' || req.headers.origin !== undefined) return false;
    const path = req.url ?? '';
    const endpoint = ENDPOINTS.get(path);
    if (endpoint === undefined || !isJson(req.headers['content-type'])) return false;

    const startedAt = performance.now();
    const requestId = nextRequestId();
    if (Number(req.headers['content-length']) > limit) {
      fail(res, requestId, startedAt, path, requestTooLarge(), true);
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.removeListener('data', onData);
        req.removeListener('end', onEnd);
        fail(res, requestId, startedAt, path, requestTooLarge(), true);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
      // The listeners live as long as the request: the bytes must not (an agent's body is 100 KB).
      chunks.length = 0;
      void run(req, res, endpoint, path, requestId, startedAt, text);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    // A client that goes away mid-body: there is no one to answer; the socket is already gone.
    req.on('error', () => res.destroy());
    return true;
  };
}
