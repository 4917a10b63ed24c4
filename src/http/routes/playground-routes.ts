/**
 * The dashboard's Playground and model picker. The Playground sends a chat through the real
 * gateway path as one of the account's keys, chosen by id: keys are shown only once, so the
 * browser never holds one; the session cookie stands in for the bearer token.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import { chatCompletions } from '../../gateway/gateway.js';
import type { Services } from '../../services.js';
import { parseBody } from '../parse-body.js';
import { currentUser } from '../session.js';
import { gatewayContext, sendAnswer } from './v1-routes.js';

/** The chat request as on /v1/chat/completions, plus the id of the key to send it as. */
const playgroundSchema = z.looseObject(
  { key_id: z.string({ error: 'key_id is required: the id of the key to send the chat as.' }) },
  { error: 'The request body must be a JSON object: a chat request and key_id.' },
);

export function playgroundRoutes(app: FastifyInstance, services: Services): void {
  app.get('/api/models', async (request) => ({ data: await services.models.listForUser(currentUser(request).id) }));

  app.post('/api/playground/chat', async (request, reply) => {
    const startedAt = performance.now();
    const { key_id: keyId, ...chat } = parseBody(playgroundSchema, request.body);
    const auth = await services.keys.authById(currentUser(request).id, keyId);
    if (auth.revoked) throw invalidRequest('This key is revoked; pick another key.', 'key_id');
    return sendAnswer(reply, await chatCompletions(services.gateway, gatewayContext(request, reply, auth, startedAt), chat));
  });
}
