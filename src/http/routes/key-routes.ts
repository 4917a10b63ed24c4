/** Gateway keys: create (shown once), list, change, revoke. */
import type { FastifyInstance } from 'fastify';
import { keyInputSchema } from '../../keys/key-input.js';
import type { Services } from '../../services.js';
import { parseBody } from '../parse-body.js';
import { currentActor, currentUser } from '../session.js';

type IdParams = { Params: { id: string } };

export function keyRoutes(app: FastifyInstance, services: Services): void {
  app.post('/api/keys', async (request, reply) => {
    const record = await services.keys.create(currentActor(request), parseBody(keyInputSchema, request.body));
    return reply.code(201).header('cache-control', 'no-store').send(record);
  });

  app.get('/api/keys', async (request) => ({ data: await services.keys.list(currentUser(request).id) }));

  app.patch<IdParams>('/api/keys/:id', async (request) =>
    services.keys.patch(currentActor(request), request.params.id, parseBody(keyInputSchema, request.body)),
  );

  app.delete<IdParams>('/api/keys/:id', async (request, reply) => {
    await services.keys.revoke(currentActor(request), request.params.id);
    return reply.code(204).send();
  });
}
