import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyPluginAsync } from 'fastify';
import type { Logger } from '../../../src/log/create-logger.js';
import { capturingLogger } from '../../support/logger.js';

/**
 * One vendor's webhook routes (GitHub's, Jira's, Linear's…) on a Fastify server of their own,
 * on a free port, logging at debug level into `lines` for the tests to read.
 */
export async function serveWebhookRoutes(routes: (log: Logger) => FastifyPluginAsync) {
  const { logger, lines } = capturingLogger({ level: 'debug' });
  const server = Fastify();
  await server.register(routes(logger));
  await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    server,
    lines,
    base: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
  };
}
