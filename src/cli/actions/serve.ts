import type { FastifyInstance } from 'fastify';
import { createApp, type App } from '../../app/create-app.js';
import { githubWebhookRoutes } from '../../github/webhooks-http.js';
import { gitlabWebhookRoutes } from '../../gitlab/webhooks-http.js';
import { GITHUB_DELIVERY, GITLAB_DELIVERY } from '../../pr-loop/pr-loop-jobs.js';
import { TRACKER_DELIVERY } from '../../tracker-triggers/tracker-jobs.js';
import { createSlackApp, type SlackApp } from '../../slack/slack-app.js';
import { apiRoutes } from '../../http/api/api-routes.js';
import { createHttpServer } from '../../http/create-server.js';
import { createMetrics } from '../../http/metrics.js';
import { jiraWebhookRoutes } from '../../trackers/jira-webhooks.js';
import { linearWebhookRoutes } from '../../trackers/linear-webhooks.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import {
  configOrReport,
  describeFailure,
  loggerFor,
  type GlobalOptions,
} from '../command-support.js';

export interface ServeOptions extends GlobalOptions {
  /** commander's negated flag: false with --no-worker. */
  readonly worker: boolean;
}

export async function runServe(io: CliIo, options: ServeOptions): Promise<ExitCode> {
  const shutdown = io.shutdownRequested;
  const config = configOrReport(io, options);
  if (config === undefined) return EXIT.failed;
  const logger = loggerFor(config, 'info');
  let app: App | undefined;
  let server: FastifyInstance | undefined;
  let slack: SlackApp | undefined;
  try {
    app = await createApp({ config, logger, cwd: io.cwd });
    const jobs = app.jobs;
    if (options.worker) await app.startWorker();
    const metrics = createMetrics(app);
    slack = createSlackApp({
      app,
      owner: config.jobs.workerName,
      observeAck: (seconds, kind) => metrics.slackAck.observe({ kind }, seconds),
    });
    server = await createHttpServer({
      app,
      metrics,
      routes: [
        ...(slack === undefined ? [] : [slack.routes]),
        githubWebhookRoutes({
          store: app.store,
          secret: config.github.webhookSecret,
          log: logger.child({ component: 'github-webhooks' }),
          onRecorded: (deliveryId) => jobs.enqueue(GITHUB_DELIVERY, { delivery_id: deliveryId }),
        }),
        gitlabWebhookRoutes({
          store: app.store,
          secret: config.gitlab.webhookSecret,
          log: logger.child({ component: 'gitlab-webhooks' }),
          onRecorded: (deliveryId) => jobs.enqueue(GITLAB_DELIVERY, { delivery_id: deliveryId }),
        }),
        // Recorded only, for now: what acts on tracker deliveries is issue 19's next step.
        jiraWebhookRoutes({
          store: app.store,
          secret: config.jira.webhookSecret,
          log: logger.child({ component: 'jira-webhooks' }),
          onRecorded: (deliveryId) =>
            jobs.enqueue(TRACKER_DELIVERY, { source: 'jira', delivery_id: deliveryId }),
        }),
        linearWebhookRoutes({
          store: app.store,
          secret: config.linear.webhookSecret,
          log: logger.child({ component: 'linear-webhooks' }),
          onRecorded: (deliveryId) =>
            jobs.enqueue(TRACKER_DELIVERY, { source: 'linear', delivery_id: deliveryId }),
        }),
        apiRoutes(app),
      ],
      frontEnds: slack === undefined ? [] : [slack.readiness],
    });
    // Never fails for Slack's sake: an unreachable Slack is retried and named on /ready.
    await slack?.start();
    await server.listen({ host: config.server.host, port: config.server.port });
  } catch (error) {
    await slack?.stop();
    await server?.close();
    await app?.stop();
    io.stderr.write(`aidev serve: ${listenFailure(error, config.server)}\n`);
    return EXIT.failed;
  }
  logger.info(
    { host: config.server.host, port: config.server.port, worker: options.worker },
    `serving on http://${config.server.host}:${config.server.port} (health /health, metrics /metrics${slack === undefined ? '; Slack not configured' : config.slack.appToken === undefined ? ', Slack at /slack/events' : ', Slack in Socket Mode'})`,
  );
  const signal = await shutdown;
  // In this order: the jobs finish while the front ends can still tell people about them;
  // then the front ends close, then the plugins and the store (app.stop).
  logger.info({ signal }, 'stopping: taking no more jobs, finishing running ones');
  await app.stopWorker();
  logger.info('closing the server');
  await server.close();
  await slack?.stop();
  await app.stop();
  logger.info('stopped');
  return EXIT.ok;
}

function listenFailure(error: unknown, where: { host: string; port: number }): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return `port ${where.port} on ${where.host} is already in use; stop what uses it or set PORT`;
  if (code === 'EACCES')
    return `not allowed to listen on port ${where.port}; choose PORT above 1024`;
  return describeFailure(error);
}
