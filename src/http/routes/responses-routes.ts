/**
 * OpenAI's Responses API. Thin: authenticate the Z-AI key, hand the request to the ingress, send
 * what it answers (streamed answers are written by the gateway itself).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createResponse } from '../../ingress/openai-responses/create-response.js';
import { forwardStoredResponse } from '../../ingress/openai-responses/stored-responses.js';
import type { Services } from '../../services.js';
import { authenticateApiKey } from '../api-key-auth.js';
import { bodyContext, gatewayContext, sendAnswer } from './v1-routes.js';

/** The query string of a request URL, without the `?`. */
function queryOf(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at + 1);
}

export function responsesRoutes(app: FastifyInstance, services: Services): void {
  app.post('/v1/responses', async (request, reply) => {
    const startedAt = performance.now();
    const auth = await authenticateApiKey(services.keys, request.headers.authorization);
    const ctx = bodyContext(request, reply, auth, startedAt);
    return sendAnswer(reply, await createResponse(services.gateway, ctx, request.body));
  });

  const stored =
    (method: 'GET' | 'DELETE', inputItems: boolean) =>
    async (request: FastifyRequest<{ Params: { id: string } }>, reply: Parameters<typeof sendAnswer>[0]) => {
      const startedAt = performance.now();
      const auth = await authenticateApiKey(services.keys, request.headers.authorization);
      const ctx = gatewayContext(request, reply, auth, startedAt);
      return sendAnswer(
        reply,
        await forwardStoredResponse(services.gateway, ctx, {
          method,
          id: request.params.id,
          inputItems,
          query: queryOf(request),
        }),
      );
    };
  app.get('/v1/responses/:id', stored('GET', false));
  app.delete('/v1/responses/:id', stored('DELETE', false));
  app.get('/v1/responses/:id/input_items', stored('GET', true));
}
