/** Usage: per-request rows and totals; the account's own audit log. */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { queryUsage } from '../../usage/usage-query.js';
import { currentUser } from '../session.js';

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

  app.get<{ Querystring: { limit?: string; cursor?: string } }>('/api/audit', async (request) =>
    services.audit.list({ userId: currentUser(request).id, limit: request.query.limit, cursor: request.query.cursor }),
  );
}
