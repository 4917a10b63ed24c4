/**
 * The HTTP application: middleware order and routes only. `/v1` is the OpenAI-compatible gateway
 * (Z-AI key), `/api` the management API (dashboard session), `/` the dashboard.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { randomBase62 } from '../crypto/secrets.js';
import type { Services } from '../services.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { authRoutes } from './routes/auth-routes.js';
import { keyRoutes } from './routes/key-routes.js';
import { priceRoutes } from './routes/price-routes.js';
import { playgroundRoutes } from './routes/playground-routes.js';
import { providerRoutes } from './routes/provider-routes.js';
import { usageRoutes } from './routes/usage-routes.js';
import { v1Routes } from './routes/v1-routes.js';
import { checkSameOrigin, requireSession } from './session.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves once no request is in flight. */
    whenIdle(): Promise<void>;
  }
}

/** Where `npm run build` puts the dashboard. */
export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export async function buildApp(services: Services, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Our own onResponse hook writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: services.config.maxBodyBytes,
    genReqId: () => `req_${randomBase62(12)}`,
    trustProxy: false,
    return503OnClosing: true,
  });

  app.decorateRequest('user', undefined);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  await app.register(cookie);

  // In-flight requests, for a graceful shutdown that waits for them and not for idle sockets.
  let inFlight = 0;
  const idleWaiters: Array<() => void> = [];
  app.decorate('whenIdle', () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))));

  app.addHook('onRequest', async (request, reply) => {
    inFlight += 1;
    reply.raw.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) for (const resolve of idleWaiters.splice(0)) resolve();
    });
    void reply.header('x-zai-request-id', String(request.id));
    void reply.header('x-content-type-options', 'nosniff');
  });

  // One log line per answered request: never a body, header value or key.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { requestId: request.id, method: request.method, path: request.routeOptions.url ?? 'unknown', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await services.ready();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable' });
  });

  v1Routes(app, services);

  await app.register(async (api) => {
    api.addHook('onRequest', async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
    });
    api.addHook('preHandler', checkSameOrigin(services.config.publicUrl));
    authRoutes(api, services);
    await api.register(async (scoped) => {
      scoped.addHook('preHandler', requireSession(services.accounts));
      providerRoutes(scoped, services);
      keyRoutes(scoped, services);
      priceRoutes(scoped, services);
      usageRoutes(scoped, services);
      playgroundRoutes(scoped, services);
    });
  });

  if (fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    await app.register(async (web) => {
      web.addHook('onSend', async (_request, reply, payload) => {
        void reply.header('content-security-policy', DASHBOARD_CSP);
        void reply.header('referrer-policy', 'no-referrer');
        void reply.header('x-frame-options', 'DENY');
        return payload;
      });
      await web.register(fastifyStatic, { root: WEB_DIST, wildcard: false });
      // Client-side routes (/keys, /usage…) load the app shell.
      web.get('/*', async (request, reply) => {
        // API paths never fall back to the app shell: an unknown one is a JSON 404.
        if (/^\/(api|v1)(\/|$)/.test(request.url)) return notFoundHandler(request, reply);
        return reply.type('text/html').sendFile('index.html');
      });
    });
  }
  return app;
}
