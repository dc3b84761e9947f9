import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { createApp, type App } from '../../../src/app/create-app.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { loadWorkflowText } from '../../../src/engine/load-workflow.js';
import { apiRoutes, type ApiOptions } from '../../../src/http/api/api-routes.js';
import { createHttpServer } from '../../../src/http/create-server.js';
import { issueToken, type TokenRole } from '../../../src/security/api-tokens.js';
import type { Run, RunStatus } from '../../../src/store/repositories/runs.js';
import { openTestDatabase, type TestDatabase } from '../../support/backends.js';
import { REPO_ROOT } from '../../support/child-process.js';
import { waitForRun } from '../../support/engine-processes.js';
import { capturingLogger } from '../../support/logger.js';
import { ScriptedActions, ScriptedAgents } from '../../support/scripted-runners.js';

/** A 64-hex key for the suites that set AIDEV_ENCRYPTION_KEY. */
export const TEST_ENCRYPTION_KEY = 'a1'.repeat(32);

/** A run as the API answers it (the fields the tests read). */
export interface RunJson {
  id: string;
  status: string;
  workflow: string;
  waiting_for: string | null;
  channel_id: string | null;
  user_id: string | null;
}

/** An application/problem+json answer. */
export interface ProblemJson {
  type: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string; in?: string; where?: string }[];
}

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface ApiHarness {
  readonly database: TestDatabase;
  readonly app: App;
  readonly server: FastifyInstance;
  readonly base: string;
  readonly dataDir: string;
  /** Every log line of the app and the server, as JSON text. */
  readonly logLines: string[];
  readonly actions: ScriptedActions;
  readonly agents: ScriptedAgents;
  /** A token of each role. */
  readonly tokens: Readonly<Record<TokenRole, string>>;
  call<T = unknown>(
    method: string,
    url: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  /** Adds a workflow from YAML text. */
  workflow(name: string, yaml: string): void;
  waitFor(runId: string, statuses: readonly RunStatus[]): Promise<Run>;
  /** Stops the server and the app (the database stays, for a restart). */
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly api?: ApiOptions;
  readonly env?: Record<string, string>;
  /** Reuse a database (and data directory) of an earlier harness: an app restart. */
  readonly database?: TestDatabase;
  readonly dataDir?: string;
}

/** The whole app on a fresh PostgreSQL database, serving the API on a real port. */
export async function startApi(options: HarnessOptions = {}): Promise<ApiHarness> {
  const database = options.database ?? (await openTestDatabase('postgresql'));
  // The embedded database lives in the data directory: the app must open that one.
  const dataDir =
    options.dataDir ??
    database.env.AIDEV_DATA_DIR ??
    (await mkdtemp(path.join(inject('scratchDir'), 'api-')));
  const configFile = path.join(dataDir, 'aidev.config.yaml');
  await writeFile(configFile, 'jobs:\n  lock_lifetime: 2s\n  poll_interval: 100ms\n');
  const config = loadConfig({
    env: { ...database.env, AIDEV_DATA_DIR: dataDir, AIDEV_CONFIG: configFile, ...options.env },
    cwd: REPO_ROOT,
  });
  const { logger, lines } = capturingLogger({ level: 'info', secrets: config.secrets });
  const actions = new ScriptedActions();
  const agents = new ScriptedAgents();
  const app = await createApp({ config, logger, cwd: REPO_ROOT, actions, agents });
  await app.startWorker();
  const server = await createHttpServer({
    app,
    routes: [apiRoutes(app, { rateLimit: { perSecond: 10_000, burst: 10_000 }, ...options.api })],
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const tokens = {} as Record<TokenRole, string>;
  for (const role of ['viewer', 'operator', 'admin'] as const)
    tokens[role] = (
      await issueToken(app.store, { name: `test-${role}`, role, createdBy: 'test' })
    ).token;

  return {
    database,
    app,
    server,
    base,
    dataDir,
    logLines: lines,
    actions,
    agents,
    tokens,
    async call<T>(
      method: string,
      url: string,
      callOptions: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
    ): Promise<ApiResponse<T>> {
      const token = callOptions.token === undefined ? tokens.admin : callOptions.token;
      const headers: Record<string, string> = { ...callOptions.headers };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (callOptions.body !== undefined) {
        body =
          typeof callOptions.body === 'string'
            ? callOptions.body
            : JSON.stringify(callOptions.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${base}/api/v1${url}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: (text === '' ? null : JSON.parse(text)) as T,
      };
    },
    workflow(name, yaml) {
      const loaded = loadWorkflowText(yaml, `${name}.yaml`, app.engine.workflows.env);
      if (!loaded.ok)
        throw new Error(loaded.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
      app.engine.workflows.add(name, loaded.workflow);
    },
    waitFor: (runId, statuses) => waitForRun(database, runId, statuses, 20_000),
    async stop() {
      await server.close();
      await app.stop();
    },
  };
}

/** A workflow of `count` plugin steps (scripted: each sends a message), then the end. */
export function stepsWorkflow(count: number): string {
  const steps = Array.from(
    { length: count },
    (_, i) => `  - name: step_${i + 1}
    plugin: communication
    action: send_message
    inputs: { channel: 'C-TEST', message: 'step ${i + 1} of ${'${'}task_key}' }`,
  );
  return `name: steps\ninputs:\n  task_key: { type: string }\nsteps:\n${steps.join('\n')}\n`;
}

/** A workflow that waits for approval, then does one step. */
export const APPROVAL_WORKFLOW = `name: gated
inputs:
  task_key: { type: string }
steps:
  - name: approve_plan
    type: approval
    message: 'Plan for \${task_key}'
  - name: announce
    plugin: communication
    action: send_message
    inputs: { channel: 'C-TEST', message: 'approved \${task_key}' }
`;
