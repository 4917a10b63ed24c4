/** Prices: the catalog plus the account's own prices. */
import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../../errors.js';
import type { Services } from '../../services.js';
import { currentUser, requireAdmin } from '../session.js';

/** LiteLLM's whole price list is a few MB of JSON. */
const IMPORT_BODY_LIMIT = 32 * 1024 * 1024;

export function priceRoutes(app: FastifyInstance, services: Services): void {
  app.get('/api/prices', async (request) => ({ data: await services.prices.list(currentUser(request).id) }));

  // The body is parsed by the price's zod schema (billing/price-catalog.ts), shared with the catalog's.
  app.put('/api/prices', async (request) => services.prices.put(currentUser(request).id, request.body));

  // The body is the price list itself (LiteLLM's model_prices_and_context_window.json format).
  app.post<{ Querystring: { yes?: string } }>('/api/admin/prices/import', { bodyLimit: IMPORT_BODY_LIMIT }, async (request) => {
    requireAdmin(request);
    return services.prices.importCatalog(request.body, request.query.yes === 'true' || request.query.yes === '1');
  });

  app.delete<{ Querystring: { model?: string } }>('/api/prices', async (request, reply) => {
    const model = request.query.model;
    if (typeof model !== 'string' || model === '')
      throw invalidRequest('model is required as a query parameter: DELETE /api/prices?model=provider/model', 'model');
    await services.prices.remove(currentUser(request).id, model);
    return reply.code(204).send();
  });
}
