/** "Z-AI → Providers": paste, list, change, remove and test provider keys and their pools. */
import type { FastifyInstance } from 'fastify';
import { addPoolKeySchema, createProviderSchema, patchPoolKeySchema, patchProviderSchema } from '../../keys/provider-input.js';
import { PROVIDERS } from '../../providers/registry.js';
import type { Services } from '../../services.js';
import { notFound } from '../../errors.js';
import { parseBody } from '../parse-body.js';
import { currentActor, currentUser } from '../session.js';

type IdParams = { Params: { id: string } };
type KeyParams = { Params: { id: string; keyId: string } };

export function providerRoutes(app: FastifyInstance, services: Services): void {
  /** The eight providers, their key formats and where to get a key (for the dashboard). */
  app.get('/api/provider-types', async () => ({
    data: Object.values(PROVIDERS).map((p) => ({
      id: p.id,
      label: p.label,
      default_base_url: p.defaultBaseUrl || null,
      key_format: p.keyFormat,
      key_url: p.keyUrl ?? null,
      key_optional: p.keyOptional,
    })),
  }));

  app.post('/api/providers', async (request, reply) => {
    const record = await services.providers.create(currentActor(request), parseBody(createProviderSchema, request.body));
    return reply.code(201).send(record);
  });

  app.get('/api/providers', async (request) => ({ data: await services.providers.list(currentUser(request).id) }));

  app.patch<IdParams>('/api/providers/:id', async (request) =>
    services.providers.patch(currentActor(request), request.params.id, parseBody(patchProviderSchema, request.body)),
  );

  app.delete<IdParams>('/api/providers/:id', async (request, reply) => {
    await services.providers.remove(currentActor(request), request.params.id);
    return reply.code(204).send();
  });

  // The result is kept with the connection: the dashboard shows the status the provider last gave.
  // Every key of the pool is tested; a key that passes is no longer failing.
  app.post<IdParams>('/api/providers/:id/test', async (request) => {
    const userId = currentUser(request).id;
    const route = await services.providers.routeById(userId, request.params.id);
    const result = await services.models.testPool(route);
    await services.providers.recordCheck(userId, route, result);
    return result;
  });

  app.post<IdParams>('/api/providers/:id/keys', async (request, reply) => {
    const record = await services.poolKeys.add(
      currentActor(request),
      request.params.id,
      parseBody(addPoolKeySchema, request.body),
    );
    return reply.code(201).send(record);
  });

  app.patch<KeyParams>('/api/providers/:id/keys/:keyId', async (request) =>
    services.poolKeys.patch(
      currentActor(request),
      request.params.id,
      request.params.keyId,
      parseBody(patchPoolKeySchema, request.body),
    ),
  );

  app.delete<KeyParams>('/api/providers/:id/keys/:keyId', async (request, reply) => {
    await services.poolKeys.remove(currentActor(request), request.params.id, request.params.keyId);
    return reply.code(204).send();
  });

  app.post<KeyParams>('/api/providers/:id/keys/:keyId/test', async (request) => {
    const route = await services.providers.routeById(currentUser(request).id, request.params.id);
    if (!route.keys.some((k) => k.id === request.params.keyId)) throw notFound('Provider key');
    const { keys } = await services.models.testPool(route, request.params.keyId);
    return keys[0];
  });
}
