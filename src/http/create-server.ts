import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type RawServerDefault,
} from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import type { App } from '../app/create-app.js';
import { AIDEV_VERSION } from '../version.js';
import { clientErrorHandler, frameworkErrors } from './client-errors.js';
import { createMetrics, type AidevMetrics } from './metrics.js';
import { problem, problemOf, sendProblem } from './problem.js';
import { readinessRoute, type FrontEndCheck } from './readiness.js';
import { requestForLog } from './url-for-log.js';

export interface HttpServerOptions {
  readonly app: App;
  /** More routes on the same server and port: the Slack app, the REST API. */
  readonly routes?: readonly FastifyPluginAsync[];
  /**
   * aidev's metrics (`createMetrics(app)`, made first when a front end observes into them), or
   * the registry to create them on. Each server has its own, so tests can run several.
   */
  readonly metrics?: AidevMetrics | Registry;
  /** Front ends with their own vendor connection (the Slack app), for /ready. */
  readonly frontEnds?: readonly FrontEndCheck[];
}

/**
 * The one HTTP server of `aidev serve`: health (`/health`, `/api/v1/health`), readiness
 * (`/ready`: 503 naming the failing part, its details only for an admin token), Prometheus metrics (`/metrics`), and whatever routes
 * the front ends add. Every error leaves as application/problem+json, without a stack trace.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const { app } = options;
  const aidevMetrics =
    options.metrics === undefined || options.metrics instanceof Registry
      ? createMetrics(app, options.metrics)
      : options.metrics;
  const metrics = aidevMetrics.registry;
  // Typed with Fastify's base logger: ours is the same pino underneath.
  const server = Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    // Fastify logs a request's URL wherever it logs the request: with its query's values cut.
    loggerInstance: app.logger.child(
      { component: 'http' },
      { serializers: { req: requestForLog } },
    ),
    logController: new LogController({ disableRequestLogging: true }),
    // Slack sends 3 s deadlines; nothing here should hold a socket long.
    requestTimeout: 30_000,
    bodyLimit: 1024 * 1024,
    // Problems before routing (an over-long path, headers too large) are problem+json too.
    frameworkErrors,
    clientErrorHandler,
  });
  server.decorate('aidev', app);
  server.decorate('metrics', metrics);
  server.decorate('aidevMetrics', aidevMetrics);

  server.setErrorHandler((error, request, reply) => {
    const known = problemOf(error);
    if (known !== undefined) return sendProblem(reply, known);
    request.log.error({ err: error }, 'request failed');
    return sendProblem(
      reply,
      problem(500, 'internal', 'something went wrong on the server; the error is in its log')
        .problem,
    );
  });
  server.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problem(
        404,
        'not-found',
        `there is no ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}`,
      ).problem,
    ),
  );

  const health = () => ({ status: 'ok', version: AIDEV_VERSION });
  server.get('/health', health);
  server.get('/api/v1/health', health);
  server.get('/ready', readinessRoute(app, options.frontEnds));
  server.get('/metrics', async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.metrics()),
  );

  for (const routes of options.routes ?? []) await server.register(routes);
  return server;
}

declare module 'fastify' {
  interface FastifyInstance {
    aidev: App;
    metrics: Registry;
    aidevMetrics: AidevMetrics;
  }
}
