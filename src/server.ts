/**
 * Starts Z-AI: services, HTTP app, listening socket; and stops it gracefully (stop accepting,
 * let in-flight requests finish within the grace period, flush usage, close storage).
 */
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { Config } from './config.js';
import { buildApp } from './http/app.js';
import { createLogger } from './logger.js';
import { createServices, type Services, type ServicesOptions } from './services.js';

export interface RunningServer {
  url: string;
  port: number;
  app: FastifyInstance;
  services: Services;
  logger: Logger;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  options: ServicesOptions & { logDestination?: DestinationStream } = {},
): Promise<RunningServer> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const services = await createServices(config, logger, options);
  const app = await buildApp(services, logger);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    app,
    services,
    logger,
    close() {
      closing ??= (async () => {
        // Stop accepting; let in-flight requests and streams finish within the grace period; then
        // drop whatever sockets remain (idle keep-alives, clients that vanished) and flush usage.
        const closed = app.close();
        const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
        await Promise.race([app.whenIdle(), grace]);
        app.server.closeAllConnections();
        await closed;
        await services.close();
        logger.flush();
      })();
      return closing;
    },
  };
}
