/**
 * The OpenAI-compatible gateway routes. Thin: authenticate the Z-AI key, hand the body to the
 * gateway, send what it answers. Streamed answers are written by the gateway itself.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors.js';
import { embeddings } from '../../gateway/embeddings.js';
import { chatCompletions } from '../../gateway/gateway.js';
import type { JsonAnswer, RequestContext } from '../../gateway/request-context.js';
import type { KeyAuth } from '../../keys/api-keys.js';
import type { Services } from '../../services.js';

function invalidKey(message: string): GatewayError {
  return new GatewayError({ status: 401, type: 'invalid_request_error', code: 'invalid_api_key', message });
}

async function authenticate(services: Services, request: FastifyRequest): Promise<KeyAuth> {
  const header = request.headers.authorization;
  if (header === undefined) throw invalidKey('Missing API key: send "Authorization: Bearer zai-…".');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw invalidKey('Malformed Authorization header: expected "Bearer zai-…".');
  const auth = await services.keys.authenticate(match[1]);
  // One message for unknown and revoked keys alike.
  if (auth === undefined || auth.revoked) throw invalidKey('Incorrect or revoked Z-AI key.');
  return auth;
}

export function gatewayContext(request: FastifyRequest, reply: FastifyReply, auth: KeyAuth, startedAt: number): RequestContext {
  const controller = new AbortController();
  // 'close' on the response fires when it finished or when the socket went away; only the second aborts.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  const requestId = String(request.id);
  return {
    requestId,
    auth,
    startedAt,
    signal: controller.signal,
    openStream(headers) {
      void reply.hijack();
      // No flushHeaders(): the headers go out with the first chunk, in one write.
      reply.raw.writeHead(200, { ...headers, 'x-zai-request-id': requestId });
      return reply.raw;
    },
  };
}

export function sendAnswer(reply: FastifyReply, answer: JsonAnswer | undefined): FastifyReply {
  if (answer !== undefined) return reply.code(answer.status).headers(answer.headers).send(answer.body);
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
    return sendAnswer(reply, await chatCompletions(services.gateway, gatewayContext(request, reply, auth, startedAt), request.body));
  });

  app.post('/v1/embeddings', async (request, reply) => {
    const startedAt = performance.now();
    const auth = await authenticate(services, request);
    return sendAnswer(reply, await embeddings(services.gateway, gatewayContext(request, reply, auth, startedAt), request.body));
  });

  app.get('/v1/models', async (request) => services.models.list(await authenticate(services, request)));
}
