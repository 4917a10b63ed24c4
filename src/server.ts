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
  /** Resolves to how many usage rows and settlements could not be written before the grace period ended. */
  close(): Promise<number>;
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
  let closing: Promise<number> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    app,
    services,
    logger,
    close() {
      closing ??= (async () => {
        // Stop accepting; let in-flight requests and streams finish within the grace period; then
        // drop whatever sockets remain (idle keep-alives, clients that vanished) and write what is
        // left (usage, settlements), retrying while the grace period lasts (a database briefly down).
        const deadline = Date.now() + config.shutdownGraceMs;
        const closed = app.close();
        const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
        await Promise.race([app.whenIdle(), grace]);
        app.server.closeAllConnections();
        await closed;
        const lost = await services.close(deadline);
        logger.flush();
        return lost;
      })();
      return closing;
    },
  };
}
