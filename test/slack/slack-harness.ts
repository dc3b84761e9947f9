import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { createSlackApp, type SlackApp } from '../../src/slack/slack-app.js';
import { createApp, type App } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { apiRoutes } from '../../src/http/api/api-routes.js';
import { createHttpServer } from '../../src/http/create-server.js';
import type { Run, RunStatus } from '../../src/store/repositories/runs.js';
import { DEMO_SCRIPT } from '../../scripts/demo-script.js';
import { API_TOKEN as JIRA_TOKEN, EMAIL as JIRA_EMAIL } from '../plugins/jira/jira-setup.js';
import { createPostgresDatabase } from '../support/backends.js';
import { REPO_ROOT } from '../support/child-process.js';
import { capturingLogger } from '../support/logger.js';
import {
  startAnthropicServer,
  TEST_API_KEY,
  type AnthropicServer,
} from '../vendors/anthropic/anthropic-server.js';
import { ConfluenceServer } from '../vendors/confluence/confluence-server.js';
import { GitHubServer } from '../vendors/github/github-server.js';
import { githubWebhookRoutes } from '../../src/github/webhooks-http.js';
import { GITHUB_DELIVERY } from '../../src/pr-loop/pr-loop-jobs.js';
import { TRACKER_DELIVERY } from '../../src/tracker-triggers/tracker-jobs.js';
import { jiraWebhookRoutes } from '../../src/trackers/jira-webhooks.js';
import { linearWebhookRoutes } from '../../src/trackers/linear-webhooks.js';
import { JiraServer } from '../vendors/jira/jira-server.js';
import { LinearServer } from '../vendors/linear/linear-server.js';
import { buttonsOf } from '../vendors/slack/block-kit.js';
import { SlackRequests } from '../vendors/slack/signed-requests.js';
import type { GivenUser, StoredMessage } from '../vendors/slack/slack-model.js';
import { startSlackServer, type SlackServer } from '../vendors/slack/slack-server.js';
import { BOT_TOKEN, CHANNEL, SIGNING_SECRET } from '../vendors-slack/slack-test-setup.js';

export const GITHUB_TOKEN = 'ghp_slackEndToEndToken0123456789';
export const LINEAR_KEY = 'lin_api_slackEndToEndKey0123456789abcdefgh';
export const CONFLUENCE_EMAIL = 'aidev-bot@acme.test';
export const CONFLUENCE_TOKEN = 'ATATT-slack-e2e-confluence-token';
export const APP_TOKEN = 'xapp-1-A0AIDEV0APP-1234567890123-aidevTestAppLevelToken0';
export const SECRETS = [
  APP_TOKEN,
  BOT_TOKEN,
  SIGNING_SECRET,
  GITHUB_TOKEN,
  JIRA_TOKEN,
  LINEAR_KEY,
  CONFLUENCE_TOKEN,
  TEST_API_KEY,
];

/** Every vendor, local and validating; aidev serve's app, Slack app and HTTP server over them. */
export interface SlackWorld {
  readonly slack: SlackServer;
  readonly github: GitHubServer;
  readonly jira: JiraServer;
  /** The local Linear, when the world's tracker is Linear (`tracker: 'linear'`). */
  readonly linear: LinearServer | undefined;
  readonly confluence: ConfluenceServer;
  readonly anthropic: AnthropicServer;
  readonly app: App;
  readonly slackApp: SlackApp;
  readonly server: FastifyInstance;
  readonly requests: SlackRequests;
  readonly logLines: string[];
  /** The HTTP server's base address (Slack events at /slack/events, GitHub at /github/webhooks). */
  readonly baseUrl: string;
  waitForRun(
    predicate: (run: Run) => boolean,
    statuses: readonly RunStatus[],
    timeoutMs?: number,
  ): Promise<Run>;
  until<T>(
    what: string,
    probe: () => T | undefined | Promise<T | undefined>,
    timeoutMs?: number,
  ): Promise<T>;
  /** The run's parent message in the test channel, once posted (its text starts with `key`). */
  runMessage(key: string): Promise<StoredMessage>;
  /** The first reply in the thread of `parentTs` with a button `actionId`, once posted. */
  replyWithButton(parentTs: string, actionId: string): Promise<StoredMessage>;
  stop(): Promise<void>;
}

async function sampleFiles(
  dir = path.join(REPO_ROOT, 'demo', 'sample-repository'),
  prefix = '',
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory())
      Object.assign(files, await sampleFiles(path.join(dir, entry.name), relative));
    else files[relative] = await readFile(path.join(dir, entry.name), 'utf8');
  }
  return files;
}

/**
 * Starts the world. `socketMode`: aidev connects to the local Slack over Socket Mode
 * (SLACK_APP_TOKEN, no signing secret) and Slack's traffic comes through `slack.socketMode`.
 */
export async function startSlackWorld(
  scratch: string,
  options: {
    socketMode?: boolean;
    /** More of `aidev.config.yaml` (e.g. a `slack:` section). */
    settings?: string;
    /** The people of the workspace (default: Alice, an admin, and Bob). */
    users?: readonly GivenUser[];
    /** Also serve the REST API on the same server. */
    api?: boolean;
    /** Also serve /github/webhooks, with this secret (GITHUB_WEBHOOK_SECRET). */
    githubWebhookSecret?: string;
    /** The database: PostgreSQL (default), or the embedded one in the data directory. */
    database?: 'postgresql' | 'pglite';
    /** The tracker aidev uses: Jira (default) or Linear. */
    tracker?: 'jira' | 'linear';
    /** Also serve /jira/webhooks and /linear/webhooks, with this secret for both. */
    trackerWebhookSecret?: string;
  } = {},
): Promise<SlackWorld> {
  const socketMode = options.socketMode === true;
  const slack = await startSlackServer({
    botToken: BOT_TOKEN,
    ...(socketMode ? { appToken: APP_TOKEN } : {}),
    ...(options.users === undefined ? {} : { users: options.users }),
  });
  const github = await GitHubServer.start({ token: GITHUB_TOKEN });
  const jira = await JiraServer.start({ email: JIRA_EMAIL, apiToken: JIRA_TOKEN });
  const linear =
    options.tracker === 'linear' ? await LinearServer.start({ apiKey: LINEAR_KEY }) : undefined;
  const confluence = await ConfluenceServer.start({
    email: CONFLUENCE_EMAIL,
    apiToken: CONFLUENCE_TOKEN,
  });
  const anthropic = await startAnthropicServer();
  github.createRepository('acme/shop', await sampleFiles());
  jira.givenProject('PROJ');
  confluence.givenSpace('ENG');
  const settings = path.join(scratch, 'aidev.config.yaml');
  await writeFile(
    settings,
    'plugins:\n  documentation:\n    use: confluence\n    settings: { space: ENG }\njobs:\n  poll_interval: 100ms\nai:\n  test_timeout: 60s\n' +
      (options.settings ?? ''),
  );
  const config = loadConfig({
    env: {
      AIDEV_DATA_DIR: path.join(scratch, 'data'),
      AIDEV_CONFIG: settings,
      ...(options.database === 'pglite' ? {} : { DATABASE_URL: await createPostgresDatabase() }),
      ...(options.githubWebhookSecret === undefined
        ? {}
        : { GITHUB_WEBHOOK_SECRET: options.githubWebhookSecret }),
      ...(options.trackerWebhookSecret === undefined
        ? {}
        : {
            JIRA_WEBHOOK_SECRET: options.trackerWebhookSecret,
            LINEAR_WEBHOOK_SECRET: options.trackerWebhookSecret,
          }),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      ...(socketMode ? { SLACK_APP_TOKEN: APP_TOKEN } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
      SLACK_API_URL: slack.apiUrl,
      GITHUB_TOKEN,
      GITHUB_API_URL: github.url,
      ...(linear === undefined
        ? { JIRA_URL: jira.url, JIRA_EMAIL, JIRA_API_TOKEN: JIRA_TOKEN }
        : { LINEAR_API_KEY: LINEAR_KEY, LINEAR_API_URL: linear.url }),
      CONFLUENCE_URL: confluence.url,
      CONFLUENCE_EMAIL,
      CONFLUENCE_API_TOKEN: CONFLUENCE_TOKEN,
      ANTHROPIC_API_KEY: TEST_API_KEY,
      ANTHROPIC_BASE_URL: anthropic.url,
    },
    cwd: REPO_ROOT,
  });
  const { logger, lines } = capturingLogger({ level: 'info', secrets: config.secrets });
  const app = await createApp({ config, logger, cwd: REPO_ROOT });
  await app.startWorker();
  const slackApp = createSlackApp({ app, owner: 'test-server', notifyIntervalMs: 100 });
  if (slackApp === undefined) throw new Error('Slack is configured in this test');
  const server = await createHttpServer({
    app,
    routes: [
      slackApp.routes,
      ...(options.api === true ? [apiRoutes(app)] : []),
      ...(options.githubWebhookSecret === undefined
        ? []
        : [
            githubWebhookRoutes({
              store: app.store,
              secret: config.github.webhookSecret,
              log: logger,
              onRecorded: (id) => app.jobs.enqueue(GITHUB_DELIVERY, { delivery_id: id }),
            }),
          ]),
      ...(options.trackerWebhookSecret === undefined
        ? []
        : [
            jiraWebhookRoutes({
              store: app.store,
              secret: config.jira.webhookSecret,
              log: logger,
              onRecorded: (id) =>
                app.jobs.enqueue(TRACKER_DELIVERY, { source: 'jira', delivery_id: id }),
            }),
            linearWebhookRoutes({
              store: app.store,
              secret: config.linear.webhookSecret,
              log: logger,
              onRecorded: (id) =>
                app.jobs.enqueue(TRACKER_DELIVERY, { source: 'linear', delivery_id: id }),
            }),
          ]),
    ],
  });
  await slackApp.start();
  await server.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const url = `${baseUrl}/slack/events`;
  const requests = await SlackRequests.create({
    url,
    signingSecret: SIGNING_SECRET,
    server: slack,
  });
  const until = async <T>(
    what: string,
    probe: () => T | undefined | Promise<T | undefined>,
    // A deadline, not a wait: generous, so that a loaded machine (CI with other suites beside
    // it) is not a failure; a passing test never reaches it.
    timeoutMs = 90_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}\n${lines.slice(-15).join('\n')}`);
      await sleep(50);
    }
  };
  return {
    slack,
    github,
    jira,
    linear,
    confluence,
    anthropic,
    app,
    slackApp,
    server,
    requests,
    logLines: lines,
    baseUrl,
    until,
    runMessage: (key) =>
      until(`the run message of ${key}`, () =>
        slack.channel(CHANNEL).messages.find((m) => m.text.startsWith(key)),
      ),
    replyWithButton: (parentTs, actionId) =>
      until(`a reply with the ${actionId} button`, () =>
        slack
          .threadOf(CHANNEL, parentTs)
          .find((m) => buttonsOf(m.blocks).some((b) => b.actionId === actionId)),
      ),
    waitForRun: (predicate, statuses, timeoutMs) =>
      until(
        `a run in ${statuses.join('/')}`,
        async () =>
          (await app.store.runs.list({ limit: 50 })).items.find(
            (r) => predicate(r) && statuses.includes(r.status),
          ),
        timeoutMs,
      ),
    async stop() {
      await server.close();
      await slackApp.stop();
      await app.stop();
      await Promise.all([
        slack.close(),
        github.close(),
        jira.close(),
        linear?.stop(),
        confluence.close(),
        anthropic.close(),
      ]);
    },
  };
}

/** The answers of a model that plans and then fixes the sample shop (the demo's script). */
export function scriptTheModel(world: SlackWorld): void {
  world.anthropic.reply(...DEMO_SCRIPT);
}
