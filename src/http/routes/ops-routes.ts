/** Health, readiness and Prometheus metrics. */
import type { FastifyInstance } from 'fastify';
import { timingSafeEqualText } from '../../crypto/secrets.js';
import { GatewayError } from '../../errors.js';
import type { Services } from '../../services.js';

export function opsRoutes(app: FastifyInstance, services: Services): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const ready = await services.ready();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable' });
  });

  app.get('/metrics', async (request, reply) => {
    const token = services.config.metricsToken;
    if (token !== undefined) {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      if (!timingSafeEqualText(given, token)) {
        throw new GatewayError({
          status: 401,
          code: 'invalid_metrics_token',
          message: 'GET /metrics needs "Authorization: Bearer <ZAI_METRICS_TOKEN>".',
        });
      }
    }
    // Requests still waiting to be reported are counted now.
    services.reporter.drain();
    const registry = services.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
