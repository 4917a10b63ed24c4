/**
 * The OpenAI-compatible gateway routes. Thin: authenticate the Z-AI key, hand the body to the
 * gateway, send what it answers. Streamed answers are written by the gateway itself.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { embeddings } from '../../gateway/embeddings.js';
import { chatCompletions } from '../../gateway/gateway.js';
import type { JsonAnswer, PiecewiseAnswer, RequestContext } from '../../gateway/request-context.js';
import type { KeyAuth } from '../../keys/api-keys.js';
import type { Services } from '../../services.js';
import { authenticateApiKey } from '../api-key-auth.js';
import { piecesStream, responseContext } from '../gateway-context.js';
import { JSON_CONTENT_TYPE } from '../json-body.js';

const authenticate = (services: Services, request: FastifyRequest): Promise<KeyAuth> =>
  authenticateApiKey(services.keys, request.headers.authorization);

/** The gateway's view of a Fastify request: a streamed answer takes over the response with the headers set so far (CORS). */
export function gatewayContext(request: FastifyRequest, reply: FastifyReply, auth: KeyAuth, startedAt: number): RequestContext {
  return responseContext(reply.raw, String(request.id), auth, startedAt, {
    headers: () => reply.getHeaders(),
    beforeOpen: () => void reply.hijack(),
  });
}

/**
 * The context for a route that hands the gateway `request.body` itself: with the body's text (see
 * RequestContext.bodyText), taken off the request so that it lives no longer than the context. Never
 * for a route that builds the gateway's body from its own (the Playground): the text must be that body's.
 */
export function bodyContext(request: FastifyRequest, reply: FastifyReply, auth: KeyAuth, startedAt: number): RequestContext {
  const ctx = gatewayContext(request, reply, auth, startedAt);
  ctx.bodyText = request.bodyText;
  request.bodyText = undefined;
  return ctx;
}

export function sendAnswer(reply: FastifyReply, answer: JsonAnswer | PiecewiseAnswer | undefined): FastifyReply {
  if (answer !== undefined) {
    const body = 'pieces' in answer ? piecesStream(answer) : answer.body;
    return reply.code(answer.status).headers(answer.headers).type(JSON_CONTENT_TYPE).send(body);
  }
  if (!reply.sent) {
    // The client left before anything was sent: nothing to render.
    void reply.hijack();
    reply.raw.destroy();
  }
  return reply;
}

export function v1Routes(app: FastifyInstance, services: Services): void {
  app.post('/v1/chat/completions', async (request, reply) => {
    const startedAt = performance.now();
    const auth = await authenticate(services, request);
    return sendAnswer(reply, await chatCompletions(services.gateway, bodyContext(request, reply, auth, startedAt), request.body));
  });

  app.post('/v1/embeddings', async (request, reply) => {
    const startedAt = performance.now();
    const auth = await authenticate(services, request);
    return sendAnswer(reply, await embeddings(services.gateway, gatewayContext(request, reply, auth, startedAt), request.body));
  });

  app.get('/v1/models', async (request) => services.models.list(await authenticate(services, request)));
}
