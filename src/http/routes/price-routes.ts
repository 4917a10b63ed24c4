/** Prices: the catalog plus the account's own prices. */
import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../../errors.js';
import type { Services } from '../../services.js';
import { currentUser } from '../session.js';

export function priceRoutes(app: FastifyInstance, services: Services): void {
  app.get('/api/prices', async (request) => ({ data: await services.prices.list(currentUser(request).id) }));

  // The body is parsed by the price's zod schema (billing/price-catalog.ts), shared with the catalog's.
  app.put('/api/prices', async (request) => services.prices.put(currentUser(request).id, request.body));

  app.delete<{ Querystring: { model?: string } }>('/api/prices', async (request, reply) => {
    const model = request.query.model;
    if (typeof model !== 'string' || model === '')
      throw invalidRequest('model is required as a query parameter: DELETE /api/prices?model=provider/model', 'model');
    await services.prices.remove(currentUser(request).id, model);
    return reply.code(204).send();
  });
}
