import { randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { createApp, type App } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { gitlabWebhookRoutes } from '../../src/gitlab/webhooks-http.js';
import { createHttpServer } from '../../src/http/create-server.js';
import { GITLAB_DELIVERY } from '../../src/pr-loop/pr-loop-jobs.js';
import { createPostgresDatabase } from '../support/backends.js';
import { REPO_ROOT } from '../support/child-process.js';
import { capturingLogger } from '../support/logger.js';
import {
  startAnthropicServer,
  TEST_API_KEY,
  type AnthropicServer,
} from '../vendors/anthropic/anthropic-server.js';
import { GitLabServer } from '../vendors/gitlab/gitlab-server.js';
import type { Project } from '../vendors/gitlab/gitlab-state.js';

export const GITLAB_TOKEN = 'glpat-gitlabRoundsToken0123456789';
export const WEBHOOK_SECRET = 'gitlab webhook secret token of the rounds test';
export const SECRETS = [GITLAB_TOKEN, WEBHOOK_SECRET, TEST_API_KEY];

/**
 * aidev serve's app with GitLab as version control, the local tracker and docs, the console
 * as channel and the scripted local Anthropic; its HTTP server takes GitLab's webhooks.
 */
export interface GitLabWorld {
  readonly gitlab: GitLabServer;
  readonly anthropic: AnthropicServer;
  readonly app: App;
  readonly server: FastifyInstance;
  readonly logLines: string[];
  /** `acme/shop` on the local GitLab: the demo's sample repository. */
  project(): Project;
  /** Sends a delivery as GitLab does (its event, a fresh UUID unless given, the token). */
  deliver(event: string, payload: object, id?: string): Promise<{ status: number; id: string }>;
  until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T>;
  stop(): Promise<void>;
}

/** The demo's sample repository (the shop whose order total ignores quantities). */
export async function sampleFiles(
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

export async function startGitLabWorld(
  scratch: string,
  options: { database: 'postgresql' | 'pglite'; settings?: string },
): Promise<GitLabWorld> {
  const gitlab = await GitLabServer.start({ token: GITLAB_TOKEN });
  const anthropic = await startAnthropicServer();
  gitlab.createProject('acme/shop', await sampleFiles());
  const seed = path.join(scratch, 'tasks.yaml');
  await writeFile(
    seed,
    [
      'projects:',
      '  - key: PROJ',
      '    name: Shop',
      '    tasks:',
      '      - title: Order total ignores item quantities',
      '        description: Two mugs cost as one. orderTotal in src/cart.ts must multiply by the quantity.',
      '',
    ].join('\n'),
  );
  const settings = path.join(scratch, 'aidev.config.yaml');
  await writeFile(
    settings,
    [
      'plugins:',
      '  task_management: { use: local, settings: { seed_file: ' + JSON.stringify(seed) + ' } }',
      '  documentation: { use: local_docs }',
      '  communication: { use: console }',
      'jobs:',
      '  poll_interval: 100ms',
      'ai:',
      '  test_timeout: 60s',
      options.settings ?? '',
    ].join('\n'),
  );
  const config = loadConfig({
    env: {
      AIDEV_DATA_DIR: path.join(scratch, 'data'),
      AIDEV_CONFIG: settings,
      ...(options.database === 'pglite' ? {} : { DATABASE_URL: await createPostgresDatabase() }),
      GITLAB_TOKEN,
      GITLAB_URL: gitlab.url,
      GITLAB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ANTHROPIC_API_KEY: TEST_API_KEY,
      ANTHROPIC_BASE_URL: anthropic.url,
    },
    cwd: REPO_ROOT,
  });
  const { logger, lines } = capturingLogger({ level: 'info', secrets: config.secrets });
  const app = await createApp({ config, logger, cwd: REPO_ROOT });
  await app.startWorker();
  // The route as aidev serve mounts it (src/cli/actions/serve.ts).
  const server = await createHttpServer({
    app,
    routes: [
      gitlabWebhookRoutes({
        store: app.store,
        secret: config.gitlab.webhookSecret,
        log: logger,
        onRecorded: (id) => app.jobs.enqueue(GITLAB_DELIVERY, { delivery_id: id }),
      }),
    ],
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;

  const until = async <T>(
    what: string,
    probe: () => T | undefined | Promise<T | undefined>,
  ): Promise<T> => {
    // A deadline, not a wait: generous for a loaded machine; a passing test never reaches it.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}\n${lines.slice(-15).join('\n')}`);
      await sleep(50);
    }
  };
  return {
    gitlab,
    anthropic,
    app,
    server,
    logLines: lines,
    project() {
      const found = gitlab.project('acme/shop');
      if (found === undefined) throw new Error('no acme/shop');
      return found;
    },
    async deliver(event, payload, id = randomUUID()) {
      const response = await fetch(`${baseUrl}/gitlab/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GitLab/18.6.0',
          'x-gitlab-event': event,
          'x-gitlab-event-uuid': id,
          'x-gitlab-instance': gitlab.url,
          'x-gitlab-token': WEBHOOK_SECRET,
        },
        body: JSON.stringify(payload),
      });
      await response.body?.cancel();
      return { status: response.status, id };
    },
    until,
    async stop() {
      await server.close();
      await app.stop();
      await Promise.all([gitlab.close(), anthropic.close()]);
    },
  };
}
