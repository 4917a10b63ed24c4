/**
 * The HTTP application: middleware order and routes only. `/v1` is the OpenAI-compatible gateway
 * (Z-AI key), `/api` the management API (dashboard session), `/` the dashboard.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Services } from '../services.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { adminRoutes } from './routes/admin-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { keyRoutes } from './routes/key-routes.js';
import { messagesRoutes } from './routes/messages-routes.js';
import { opsRoutes } from './routes/ops-routes.js';
import { priceRoutes } from './routes/price-routes.js';
import { playgroundRoutes } from './routes/playground-routes.js';
import { providerRoutes } from './routes/provider-routes.js';
import { responsesRoutes } from './routes/responses-routes.js';
import { usageRoutes } from './routes/usage-routes.js';
import { v1Routes } from './routes/v1-routes.js';
import { InFlight } from './in-flight.js';
import { parseJsonBody } from './json-body.js';
import { nextRequestId } from './request-id.js';
import { API_SECURITY_HEADERS, DASHBOARD_CSP } from './security-headers.js';
import { checkSameOrigin, requireSession } from './session.js';
import { v1FastPath } from './v1-fast-path.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves once no request is in flight. */
    whenIdle(): Promise<void>;
  }
  interface FastifyRequest {
    /** The JSON body's text as the client sent it, until a gateway route takes it (see bodyContext). */
    bodyText: string | undefined;
  }
}

/** Where `npm run build` puts the dashboard. */
export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

export async function buildApp(services: Services, logger: Logger): Promise<FastifyInstance> {
  const inFlight = new InFlight();
  const fastPath = v1FastPath(services, logger);
  const app = Fastify({
    // Every request is counted for the graceful shutdown; the gateway's hot routes are served by
    // the fast path unless it hands them on (see v1-fast-path.ts), and once the server stops
    // accepting, everything goes to Fastify, which answers 503 on connections still open.
    serverFactory: (handler) => {
      const server = http.createServer((req, res) => {
        inFlight.track(res);
        if (!app.server.listening || !fastPath(req, res)) handler(req, res);
      });
      // Fastify's own default for servers it creates: idle keep-alive connections outlive the
      // 60 s of common load balancers, so they never reuse one Z-AI has just closed.
      server.keepAliveTimeout = 72_000;
      return server;
    },
    loggerInstance: logger as FastifyBaseLogger,
    // Our own onResponse hook writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: services.config.maxBodyBytes,
    genReqId: nextRequestId,
    trustProxy: false,
    return503OnClosing: true,
    // Router-level refusals (a malformed URL, an over-long id) get the same error shape.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
  });

  app.decorateRequest('user', undefined);
  app.decorateRequest('bodyText', undefined);
  // The fast path's JSON body parser, so both ways into the gateway answer alike.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      const parsed = parseJsonBody(body as string);
      request.bodyText = body as string;
      done(null, parsed);
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  await app.register(cookie);

  app.decorate('whenIdle', () => inFlight.whenIdle());

  // Callback-style hooks: no promise per request and hook.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.headers(API_SECURITY_HEADERS);
    void reply.header('x-zai-request-id', String(request.id));
    done();
  });

  // One log line per answered request: never a body, header value or key. Gateway requests log
  // their own richer line (model, tokens, cost) when their usage is recorded.
  app.addHook('onResponse', (request, reply, done) => {
    const url = request.url;
    if (
      reply.statusCode < 400 &&
      (url.startsWith('/v1/chat') ||
        url.startsWith('/v1/embeddings') ||
        request.routeOptions.url === '/v1/messages' ||
        request.routeOptions.url === '/v1/responses')
    )
      return done();
    request.log.info(
      {
        requestId: request.id,
        method: request.method,
        path: request.routeOptions.url ?? 'unknown',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });

  opsRoutes(app, services);

  await app.register(async (v1) => {
    // Browser apps may call /v1 with a Z-AI key from the configured origins only.
    const origins = services.config.corsOrigins;
    await v1.register(cors, {
      origin: origins.includes('*') ? '*' : origins.length === 0 ? false : origins,
      methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
      allowedHeaders: [
        'authorization',
        'content-type',
        // Anthropic's SDKs (the Messages API): the key, the API version, beta flags, browser opt-in.
        'x-api-key',
        'anthropic-version',
        'anthropic-beta',
        'anthropic-dangerous-direct-browser-access',
        'x-stainless-arch',
        'x-stainless-lang',
        'x-stainless-os',
        'x-stainless-package-version',
        'x-stainless-runtime',
        'x-stainless-runtime-version',
        'x-stainless-retry-count',
        'x-stainless-timeout',
      ],
      exposedHeaders: [
        'x-zai-request-id',
        'x-zai-model',
        'x-zai-cost-micro-usd',
        'x-zai-warnings',
        'x-zai-max-tokens',
        'retry-after',
        'request-id',
      ],
      maxAge: 600,
    });
    v1Routes(v1, services);
    messagesRoutes(v1, services);
    responsesRoutes(v1, services);
  });

  await app.register(async (api) => {
    api.addHook('onRequest', (_request, reply, done) => {
      void reply.header('cache-control', 'no-store');
      done();
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
      adminRoutes(scoped, services);
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
