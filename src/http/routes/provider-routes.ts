/** "Z-AI → Providers": paste, list, change, remove and test provider keys. */
import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../../errors.js';
import { PROVIDERS } from '../../providers/registry.js';
import type { Services } from '../../services.js';
import { currentActor, currentUser } from '../session.js';

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${field} must be a string.`, field);
  return value;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidRequest('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

type IdParams = { Params: { id: string } };

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
    const body = objectBody(request.body);
    const provider = optionalString(body, 'provider');
    if (provider === undefined) throw invalidRequest('provider is required.', 'provider');
    const record = await services.providers.create(currentActor(request), {
      provider,
      api_key: optionalString(body, 'api_key') ?? '',
      base_url: optionalString(body, 'base_url'),
      name: optionalString(body, 'name'),
    });
    return reply.code(201).send(record);
  });

  app.get('/api/providers', async (request) => ({ data: await services.providers.list(currentUser(request).id) }));

  app.patch<IdParams>('/api/providers/:id', async (request) => {
    const body = objectBody(request.body);
    return services.providers.patch(currentActor(request), request.params.id, {
      api_key: optionalString(body, 'api_key'),
      base_url: optionalString(body, 'base_url'),
      name: optionalString(body, 'name'),
    });
  });

  app.delete<IdParams>('/api/providers/:id', async (request, reply) => {
    await services.providers.remove(currentActor(request), request.params.id);
    return reply.code(204).send();
  });

  // The result is kept with the connection: the dashboard shows the status the provider last gave.
  app.post<IdParams>('/api/providers/:id/test', async (request) => {
    const userId = currentUser(request).id;
    const route = await services.providers.routeById(userId, request.params.id);
    const result = await services.models.test(route);
    await services.providers.recordCheck(userId, route, result);
    return result;
  });
}
