/** Usage: the request list, a request's details, the summary, the CSV export, and the account's own audit log. */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../errors.js';
import type { Services } from '../../services.js';
import { parseCursor, parseFilter, parseLimit, parsePeriod, parseSummaryPeriod } from '../../usage/analytics/usage-params.js';
import { currentUser } from '../session.js';

type UsageQuery = { Querystring: Record<string, string | undefined> };

/** A file-name-safe stamp of a time: 2026-01-31T00-00-00Z. */
function stamp(ms: number | undefined, fallback: string): string {
  return ms === undefined
    ? fallback
    : new Date(ms)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z')
        .replaceAll(':', '-');
}

export function usageRoutes(app: FastifyInstance, services: Services): void {
  app.get<UsageQuery>('/api/usage', async (request) => {
    const q = request.query;
    const { since, until } = parsePeriod(q);
    return services.analytics.page({
      userId: currentUser(request).id,
      since,
      until,
      filter: parseFilter(q),
      limit: parseLimit(q, 50, 1000),
      cursor: parseCursor(q),
    });
  });

  app.get<UsageQuery>('/api/usage/summary', async (request) => {
    const q = request.query;
    const { since, until, bucketMs } = parseSummaryPeriod(q, Date.now());
    return services.analytics.summary({
      userId: currentUser(request).id,
      since,
      until,
      bucketMs,
      filter: parseFilter(q),
      percentiles: true,
    });
  });

  // Only the account's own rows, admins included: another account's id is as unknown as a made-up one.
  app.get<{ Params: { id: string } }>('/api/usage/:id', async (request) => {
    const detail = await services.analytics.detail({ userId: currentUser(request).id, id: request.params.id });
    if (detail === undefined) throw notFound('Request');
    return detail;
  });

  app.get<UsageQuery>('/api/usage/export', async (request, reply) => {
    const q = request.query;
    const { since, until } = parsePeriod(q);
    const filter = parseFilter(q);
    const csv = services.analytics.exportCsv({ userId: currentUser(request).id, since, until, filter });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="zai-usage-${stamp(since, 'start')}-${stamp(until, 'now')}.csv"`)
      .send(csv);
  });

  app.get<{ Querystring: { limit?: string; cursor?: string } }>('/api/audit', async (request) =>
    services.audit.list({ userId: currentUser(request).id, limit: request.query.limit, cursor: request.query.cursor }),
  );
}
