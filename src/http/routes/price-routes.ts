/** Prices: the catalog plus the account's own prices. */
import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../../errors.js';
import type { Services } from '../../services.js';
import { currentUser } from '../session.js';

export function priceRoutes(app: FastifyInstance, services: Services): void {
  app.get('/api/prices', async (request) => ({ data: await services.prices.list(currentUser(request).id) }));

  app.put('/api/prices', async (request) => {
    if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
      throw invalidRequest('The request body must be a JSON object.');
    }
    return services.prices.put(currentUser(request).id, request.body as Record<string, unknown>);
  });

  app.delete<{ Querystring: { model?: string } }>('/api/prices', async (request, reply) => {
    const model = request.query.model;
    if (typeof model !== 'string' || model === '')
      throw invalidRequest('model is required as a query parameter: DELETE /api/prices?model=provider/model', 'model');
    await services.prices.remove(currentUser(request).id, model);
    return reply.code(204).send();
  });
}
