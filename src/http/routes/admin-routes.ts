/** Admins: every account (status, role, total usage), changing one, and the audit log of all. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { parseBody } from '../parse-body.js';
import { currentActor, requireAdmin } from '../session.js';

const accountChangeSchema = z
  .strictObject(
    {
      role: z.enum(['admin', 'member'], { error: 'role must be "admin" or "member".' }).optional(),
      disabled: z.boolean({ error: 'disabled must be true or false.' }).optional(),
    },
    { error: 'The request body must be a JSON object with role and/or disabled (and nothing else).' },
  )
  .refine((body) => body.role !== undefined || body.disabled !== undefined, {
    message: 'Name what to change: role ("admin" or "member") and/or disabled (true or false).',
  });

type AuditQuery = { Querystring: { user_id?: string; limit?: string; cursor?: string } };

export function adminRoutes(app: FastifyInstance, services: Services): void {
  app.get('/api/admin/accounts', async (request) => {
    requireAdmin(request);
    const [accounts, totals] = await Promise.all([services.accounts.list(), services.analytics.accountTotals()]);
    const byUser = new Map(totals.map((t) => [t.user_id, t]));
    return {
      data: accounts.map((a) => {
        const t = byUser.get(a.id);
        return { ...a, requests: t?.requests ?? 0, cost_micro_usd: Math.round((t?.cost_nano_usd ?? 0) / 1000) };
      }),
    };
  });

  app.patch<{ Params: { id: string } }>('/api/admin/accounts/:id', async (request) => {
    requireAdmin(request);
    const change = parseBody(accountChangeSchema, request.body);
    return services.accountAdmin.update(currentActor(request), request.params.id, change);
  });

  app.get<AuditQuery>('/api/admin/audit', async (request) => {
    requireAdmin(request);
    const q = request.query;
    return services.audit.list({ userId: q.user_id || undefined, limit: q.limit, cursor: q.cursor });
  });
}
