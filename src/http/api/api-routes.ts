import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { App } from '../../app/create-app.js';
import { Keyring } from '../../security/keyring.js';
import { problem, sendProblem } from '../problem.js';
import { auditor } from './audit.js';
import { authenticator, requirePrincipal, tokenRefusal } from './authenticate.js';
import { EventHub, type EventStreamOptions } from './event-stream.js';
import { openApiDocument } from './openapi.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimit } from './rate-limit.js';
import { registerRoutes, type ApiRoute } from './route.js';
import { channelRoutes } from './routes/channels.js';
import { costRoutes } from './routes/costs.js';
import { projectRoutes } from './routes/projects.js';
import { pluginRoutes } from './routes/plugins.js';
import { runRoutes } from './routes/runs.js';
import { taskRoutes } from './routes/tasks.js';
import { tokenRoutes } from './routes/tokens.js';
import { workflowRoutes, YAML_MEDIA_TYPES } from './routes/workflows.js';

export const API_PREFIX = '/api/v1';

export interface ApiOptions {
  /** Requests per second per token (default 20, bursts of 100). */
  readonly rateLimit?: RateLimit;
  readonly events?: EventStreamOptions;
  /** Opens stored credentials (default: AIDEV_ENCRYPTION_KEY and the data directory's keys). */
  readonly keyring?: Keyring;
}

/**
 * The REST API and the event WebSocket under /api/v1, for `createHttpServer({ routes })`:
 * every route validated with zod, authenticated with an API token and checked against its
 * role, rate limited per token, and, when it changes something, written to the audit log.
 *
 * @example
 * const server = await createHttpServer({ app, routes: [apiRoutes(app)] });
 */
export function apiRoutes(app: App, options: ApiOptions = {}): FastifyPluginAsync {
  return async (server) => {
    const keyring =
      options.keyring ??
      (await Keyring.open({
        dataDir: app.config.dataDir,
        envKey: app.config.security.encryptionKey,
        logger: app.logger,
        sharedDatabase: app.config.database.url !== undefined,
      }));
    const hub = eventHub(app, options.events ?? {});
    const routes: ApiRoute[] = [
      ...runRoutes(app),
      ...workflowRoutes(app),
      ...taskRoutes(app),
      ...projectRoutes(app),
      ...pluginRoutes(app, keyring),
      ...channelRoutes(app),
      ...costRoutes(app),
      // A token revoked here closes its event streams at once, not at the next check.
      ...tokenRoutes(app, { revoked: () => hub.checkTokens() }),
    ];
    const document = openApiDocument(routes);
    await server.register(
      async (api) => {
        // First: its own hooks must see every upgrade, also one refused by authentication.
        await api.register(websocket, { options: { maxPayload: 64 * 1024 } });
        api.addHook('onRoute', (route) => {
          // A route without a role would be open to anyone: refuse to start instead.
          if (route.config?.role === undefined)
            throw new Error(`API route ${route.method.toString()} ${route.url} declares no role`);
        });
        api.addHook(
          'onRequest',
          authenticator(app, new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT)),
        );
        api.addHook('onSend', auditor(app));
        api.addContentTypeParser(
          YAML_MEDIA_TYPES,
          { parseAs: 'string' },
          (_request, body, done) => {
            done(null, body);
          },
        );
        registerRoutes(api, routes);
        api.get('/openapi.json', { config: { role: 'viewer' } }, () => document);
        registerEvents(api, hub);
      },
      { prefix: API_PREFIX },
    );
  };
}

function eventHub(app: App, options: EventStreamOptions): EventHub {
  return new EventHub(
    app.engine.events,
    app.logger.child({ component: 'events' }),
    options,
    async (id) => (await app.store.runs.get(id)) !== null,
    // Read from the database: a revocation by another process counts too.
    async (tokenId) => tokenRefusal(await app.store.tokens.get(tokenId)),
  );
}

function registerEvents(api: FastifyInstance, hub: EventHub): void {
  // Before the server waits for its connections: a client that never reads would hold it open.
  api.addHook('preClose', (done) => {
    hub.close();
    done();
  });
  api.route({
    method: 'GET',
    url: '/events',
    config: { role: 'viewer', tokenInQuery: true },
    // A plain GET: without it the plugin answers an empty 404.
    handler: (_request, reply) =>
      sendProblem(
        reply,
        problem(
          426,
          'upgrade-required',
          'expected a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket), found a plain GET',
        ).problem,
      ),
    wsHandler: (socket, request) => {
      hub.attach(socket, requirePrincipal(request));
    },
  });
}
