import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inject } from 'vitest';
import { createOtelMonitoring } from '../../src/adapters/opentelemetry/otel-monitoring.js';
import { envSchema, pickEnv } from '../../src/config/env-schema.js';
import { monitoringOf } from '../../src/config/otel-env.js';
import type { Engine } from '../../src/engine/engine.js';
import { silentLogger } from '../../src/log/create-logger.js';
import type { Monitoring } from '../../src/plugins/interfaces/monitoring.js';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../vendors/anthropic/anthropic-server.js';
import { OtlpReceiver } from '../vendors/otlp/otlp-receiver.js';
import type { TestDatabase } from './backends.js';
import { childEnv, JsonLineProcess, REPO_ROOT } from './child-process.js';
import { controllingEngine } from './engine-processes.js';
import { setupGit } from './setup-git.js';

/** `aidev worker` as the composition root builds it from the environment. */
const APP_WORKER = path.join(REPO_ROOT, 'test/fixtures/app-worker.ts');

/**
 * Runs traced across processes (#20): a controlling engine in the test process that starts
 * runs (it makes each run's trace, as a server does, and runs no step), `aidev worker`
 * processes that run the steps, all exporting over OTLP/HTTP to a local receiver, the model
 * answered by the local Anthropic server. The repository `shop` holds `greeting.txt`.
 */
export interface TracedWorkers {
  readonly engine: Engine;
  readonly anthropic: AnthropicServer;
  readonly receiver: OtlpReceiver;
  /** The environment of the worker processes. */
  readonly env: NodeJS.ProcessEnv;
  /** Starts `count` workers and waits until each is ready. */
  start(count: number): Promise<JsonLineProcess[]>;
  /** Kills the workers still running (after each test). */
  killWorkers(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The setting: `workflows` by name (YAML), `otel` the OTEL_* variables of every process (the
 * controller's and the workers'), beside the endpoint and a header.
 */
export async function tracedWorkers(
  t: TestDatabase,
  workflows: Readonly<Record<string, string>>,
  otel: Readonly<Record<string, string>> = {},
): Promise<TracedWorkers> {
  const root = await mkdtemp(path.join(inject('scratchDir'), 'trace-'));
  const dataDir = t.env.AIDEV_DATA_DIR ?? path.join(root, 'data');
  const repo = path.join(dataDir, 'repos', 'shop');
  await mkdir(repo, { recursive: true });
  await writeFile(path.join(repo, 'greeting.txt'), 'hello\n');
  setupGit(repo, 'init', '--quiet', '--initial-branch=main');
  setupGit(repo, 'add', '--all');
  setupGit(repo, 'commit', '--quiet', '-m', 'greeting');
  const directory = path.join(root, 'workflows');
  await mkdir(directory);
  for (const [name, yaml] of Object.entries(workflows))
    await writeFile(path.join(directory, `${name}.yaml`), yaml);
  const configFile = path.join(root, 'aidev.config.yaml');
  await writeFile(
    configFile,
    [
      'jobs:',
      // Ample for a loaded machine (as in graceful-stop): a lock renewal 2 s late through
      // PGlite in this busy process made a second, unasked-for takeover of the step.
      '  lock_lifetime: 10s',
      '  poll_interval: 100ms',
      '  drain_timeout: 300ms',
      `workflows:\n  directory: ${directory}`,
    ].join('\n'),
  );
  const anthropic = await startAnthropicServer();
  const receiver = await OtlpReceiver.start();
  const otelEnv = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_HEADERS: 'x-otlp-key=otlp-secret-5678',
    ...otel,
  };
  const env = childEnv({
    ...t.env,
    AIDEV_DATA_DIR: dataDir,
    AIDEV_CONFIG: configFile,
    AIDEV_SANDBOX: 'none',
    ANTHROPIC_API_KEY: anthropic.apiKey,
    ANTHROPIC_BASE_URL: anthropic.url,
    ...otelEnv,
  });
  const controller: Monitoring = createOtelMonitoring({
    settings: monitoringOf(envSchema.parse(pickEnv(otelEnv))),
    serviceVersion: 'test',
    instanceId: 'controller',
    logger: silentLogger(),
  });
  const engine = await controllingEngine(t, directory, controller);
  const running: JsonLineProcess[] = [];
  return {
    engine,
    anthropic,
    receiver,
    env,
    async start(count) {
      const workers = Array.from({ length: count }, () => new JsonLineProcess(APP_WORKER, [], env));
      running.push(...workers);
      await Promise.all(workers.map((w) => w.next('ready')));
      return workers;
    },
    async killWorkers() {
      await Promise.all(running.splice(0).map((w) => w.kill()));
    },
    async close() {
      await controller.shutdown();
      await anthropic.close();
      await receiver.close();
    },
  };
}
