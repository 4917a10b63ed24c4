/** Usage: per-request rows, totals, and the admin's accounts view. */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { queryUsage } from '../../usage/usage-query.js';
import { currentUser, requireAdmin } from '../session.js';

type UsageQuery = { Querystring: Record<string, string | undefined> };

export function usageRoutes(app: FastifyInstance, services: Services): void {
  app.get<UsageQuery>('/api/usage', async (request) => {
    const q = request.query;
    return queryUsage(services.store.db, currentUser(request).id, {
      keyId: q.key_id,
      model: q.model,
      since: q.since,
      until: q.until,
      limit: q.limit,
      cursor: q.cursor,
    });
  });

  app.get<{ Querystring: { limit?: string } }>('/api/audit', async (request) => ({
    data: await services.audit.list(currentUser(request).id, Number(request.query.limit ?? 100) || 100),
  }));

  app.get<{ Querystring: { limit?: string } }>('/api/admin/audit', async (request) => {
    requireAdmin(request);
    return { data: await services.audit.list(undefined, Number(request.query.limit ?? 100) || 100) };
  });

  app.get('/api/admin/accounts', async (request) => {
    requireAdmin(request);
    const accounts = await services.accounts.listWithUsage();
    return { data: accounts.map(({ cost_nano_usd, ...a }) => ({ ...a, cost_micro_usd: Math.round(cost_nano_usd / 1000) })) };
  });
}
