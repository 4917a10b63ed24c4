/** Gateway keys: create (shown once), list, change, revoke. */
import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../../errors.js';
import type { KeyInput } from '../../keys/api-keys.js';
import type { Services } from '../../services.js';
import { currentActor, currentUser } from '../session.js';

function keyInput(body: unknown): KeyInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidRequest('The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  return {
    name: b.name,
    allowed_models: b.allowed_models,
    spend_cap_micro_usd: b.spend_cap_micro_usd,
    fallback_model: b.fallback_model,
    rate_limit_rpm: b.rate_limit_rpm,
  };
}

type IdParams = { Params: { id: string } };

export function keyRoutes(app: FastifyInstance, services: Services): void {
  app.post('/api/keys', async (request, reply) => {
    const record = await services.keys.create(currentActor(request), keyInput(request.body));
    return reply.code(201).header('cache-control', 'no-store').send(record);
  });

  app.get('/api/keys', async (request) => ({ data: await services.keys.list(currentUser(request).id) }));

  app.patch<IdParams>('/api/keys/:id', async (request) =>
    services.keys.patch(currentActor(request), request.params.id, keyInput(request.body)),
  );

  app.delete<IdParams>('/api/keys/:id', async (request, reply) => {
    await services.keys.revoke(currentActor(request), request.params.id);
    return reply.code(204).send();
  });
}
