import { App as Bolt, LogLevel, type Receiver } from '@slack/bolt';
import Bottleneck from 'bottleneck';
import type { FastifyPluginAsync } from 'fastify';
import type { App } from '../app/create-app.js';
import type { Logger } from '../log/create-logger.js';
import { CommandJournal } from './command-journal.js';
import { RunNotifier } from './run-notifier.js';
import { recoverUnhandled } from './slash-command.js';
import { registerListeners } from './slack-listeners.js';
import { slackHttpRoutes } from './slack-http.js';
import {
  createSlackWeb,
  SLACK_API_URL,
  slackCallError,
} from '../adapters/slack/slack-web-client.js';
import type { FrontEndCheck } from '../http/readiness.js';
import { Reconnector } from '../resilience/reconnector.js';

export interface SlackApp {
  /** `POST /slack/events` for aidev's HTTP server (nothing in Socket Mode). */
  readonly routes: FastifyPluginAsync;
  readonly notifier: RunNotifier;
  /** Whether the app is connected to Slack, for /ready. */
  readonly readiness: FrontEndCheck;
  /**
   * Connects to Slack (auth.test; Socket Mode's connection). Never throws: when Slack cannot
   * be reached, attempts go on in the background and /ready says so.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Bolt's requests come from our HTTP route; Bolt itself listens on nothing. */
const routeReceiver: Receiver = {
  init: () => undefined,
  start: () => Promise.resolve(),
  stop: () => Promise.resolve(),
};

/**
 * The Slack app (`@slack/bolt`): HTTP mode on aidev's server at /slack/events, or Socket Mode
 * when SLACK_APP_TOKEN is set. Undefined when Slack is not configured (no SLACK_BOT_TOKEN).
 */
export function createSlackApp(options: {
  app: App;
  /** Who this server is, for the notifier's lease on runs. */
  owner: string;
  observeAck?: (seconds: number, kind: string) => void;
  notifyIntervalMs?: number;
}): SlackApp | undefined {
  const { app } = options;
  const { slack } = app.config;
  if (slack.botToken === undefined) return undefined;
  const log = app.logger.child({ component: 'slack' });
  const web = createSlackWeb({
    token: slack.botToken,
    apiUrl: slack.apiUrl,
    guard: app.guards.for('slack', slack.apiUrl ?? SLACK_API_URL),
    logger: log,
  });
  const notifier = new RunNotifier({
    app,
    web,
    owner: options.owner,
    log,
    ...(options.notifyIntervalMs === undefined ? {} : { intervalMs: options.notifyIntervalMs }),
  });
  const socketMode = slack.appToken !== undefined;
  const bolt = new Bolt({
    token: slack.botToken,
    ...(socketMode ? { appToken: slack.appToken, socketMode: true } : { receiver: routeReceiver }),
    logger: boltLogger(log),
    clientOptions: {
      ...(slack.apiUrl === undefined
        ? {}
        : { slackApiUrl: slack.apiUrl.endsWith('/') ? slack.apiUrl : `${slack.apiUrl}/` }),
      retryConfig: { retries: 0 },
    },
    deferInitialization: true,
    ignoreSelf: true,
  });
  const journal = new CommandJournal(app.store, log);
  const work = new Bottleneck({ maxConcurrent: 4 });
  const deps = { app, web, notifier, journal, work, log };
  registerListeners(bolt, deps);
  let initialized = false;
  let working = false;
  const connection = new Reconnector({
    name: 'the Slack app',
    service: 'slack',
    logger: log,
    async connect() {
      try {
        // Bolt's init signs in (auth.test) and learns the bot's ids; done once it succeeded.
        if (!initialized) await bolt.init();
        initialized = true;
        if (socketMode) await bolt.start();
      } catch (error) {
        throw slackCallError(
          initialized ? 'apps.connections.open' : 'auth.test',
          error,
          slack.botToken ?? '',
        );
      }
    },
    onConnected() {
      if (working) return;
      working = true;
      notifier.start();
      // Commands a previous server acknowledged but did not carry out (it stopped first).
      void recoverUnhandled(deps).catch((error: unknown) =>
        log.warn({ err: error }, 'could not recover Slack commands'),
      );
    },
  });
  return {
    routes: socketMode
      ? () => Promise.resolve()
      : slackHttpRoutes({
          bolt: () => bolt,
          connected: () => connectedWithin(connection, CONNECT_ON_REQUEST_MS),
          signingSecret: slack.signingSecret ?? '',
          origin: { teamId: slack.teamId, appId: slack.appId },
          log,
          ...(options.observeAck === undefined ? {} : { observeAck: options.observeAck }),
        }),
    notifier,
    readiness: { name: 'slack', status: () => connection.status() },
    async start() {
      await connection.start();
    },
    async stop() {
      connection.stop();
      await work.stop({ dropWaitingJobs: false });
      if (working) await notifier.stop();
      if (socketMode) await bolt.stop();
    },
  };
}

/** Slack gives a request 3 s: a connection attempt on a request may take this long of it. */
const CONNECT_ON_REQUEST_MS = 2_000;

/**
 * Connected, or connected by an attempt now (joining one under way) within `ms`; otherwise
 * why not. Slack retries an event answered 503, and a person sees the command fail.
 */
async function connectedWithin(connection: Reconnector, ms: number): Promise<string | undefined> {
  if (connection.state === 'connected') return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      connection.ensure().then(
        () => undefined,
        (error: unknown) => (error as Error).message,
      ),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('still connecting'), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Bolt's log in ours; Bolt's debug chatter stays out. */
function boltLogger(log: Logger) {
  const text = (messages: unknown[]) =>
    messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: () => undefined,
    info: (...m: unknown[]) => log.debug(text(m)),
    warn: (...m: unknown[]) => log.warn(text(m)),
    error: (...m: unknown[]) => log.error(text(m)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
