/**
 * The dashboard's Playground and model picker. The Playground sends a chat through the real
 * gateway path as one of the account's keys, chosen by id: keys are shown only once, so the
 * browser never holds one; the session cookie stands in for the bearer token.
 */
import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../../errors.js';
import { chatCompletions } from '../../gateway/gateway.js';
import type { Services } from '../../services.js';
import { currentUser } from '../session.js';
import { gatewayContext, sendAnswer } from './v1-routes.js';

export function playgroundRoutes(app: FastifyInstance, services: Services): void {
  app.get('/api/models', async (request) => ({ data: await services.models.listForUser(currentUser(request).id) }));

  app.post('/api/playground/chat', async (request, reply) => {
    const startedAt = performance.now();
    const body = request.body as Record<string, unknown> | null;
    if (typeof body !== 'object' || body === null || typeof body.key_id !== 'string') {
      throw invalidRequest('key_id is required: the id of the key to send the chat as.', 'key_id');
    }
    const { key_id: keyId, ...chat } = body;
    const auth = await services.keys.authById(currentUser(request).id, keyId);
    if (auth.revoked) throw invalidRequest('This key is revoked; pick another key.', 'key_id');
    return sendAnswer(reply, await chatCompletions(services.gateway, gatewayContext(request, reply, auth, startedAt), chat));
  });
}
