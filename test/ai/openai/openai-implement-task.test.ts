import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCRIPT } from '../../../scripts/demo-script.js';
import { createApp, type App } from '../../../src/app/create-app.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { formatUsd } from '../../../src/costs/money.js';
import { PriceTable } from '../../../src/costs/price-table.js';
import { DEMO_WORKFLOW, runDemoFlow, untilStatus } from '../../../src/demo/demo-flow.js';
import {
  createDemoTask,
  ensureSampleRepository,
  SAMPLE_REPOSITORY,
} from '../../../src/demo/sample-project.js';
import { git } from '../../../src/git/git.js';
import {
  backendAvailability,
  createPostgresDatabase,
  type BackendName,
} from '../../support/backends.js';
import { REPO_ROOT } from '../../support/child-process.js';
import { capturingLogger } from '../../support/logger.js';
import {
  startAnthropicServer,
  TEST_API_KEY,
  type AnthropicServer,
} from '../../vendors/anthropic/anthropic-server.js';
import {
  startOpenAiServer,
  type ScriptedReply,
  type OpenAiServer,
} from '../../vendors/openai/openai-server.js';

/**
 * The implement-task workflow end to end with OpenAI as the AI provider: aidev's app as
 * `aidev serve` builds it from the environment (OPENAI_API_KEY, OPENAI_BASE_URL), the real
 * `openai` SDK, and the local OpenAI server answering with the demo's script (a plan, then a
 * development conversation that runs the tests, fixes the line and finishes), validating every
 * request against OpenAI's published description.
 */

/** The demo's script, written for the Anthropic server, as OpenAI replies (the same blocks). */
const OPENAI_SCRIPT: ScriptedReply[] = DEMO_SCRIPT.map((reply) => ({
  content: reply.content.map((block) => {
    if (block.type === 'raw') throw new Error('the demo script has no raw blocks');
    return block;
  }),
}));

let scratch: string;
let openai: OpenAiServer;
let anthropic: AnthropicServer;
const apps: App[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-openai-e2e-'));
  openai = await startOpenAiServer();
  anthropic = await startAnthropicServer();
});
afterAll(async () => {
  for (const app of apps) await app.stop();
  await openai.close();
  await anthropic.close();
  await rm(scratch, { recursive: true, force: true });
});

/** aidev's app on a fresh data directory and database, its worker started. */
async function startApp(
  name: string,
  env: Record<string, string>,
  options: { backend?: BackendName; settings?: string } = {},
): Promise<App> {
  const dir = path.join(scratch, name);
  const settings = path.join(scratch, `${name}.yaml`);
  await writeFile(settings, `jobs:\n  poll_interval: 100ms\n${options.settings ?? ''}`);
  const config = loadConfig({
    env: {
      AIDEV_DATA_DIR: dir,
      AIDEV_CONFIG: settings,
      ...(options.backend === 'postgresql' ? { DATABASE_URL: await createPostgresDatabase() } : {}),
      ...env,
    },
    cwd: REPO_ROOT,
  });
  const { logger } = capturingLogger({ level: 'warn', secrets: config.secrets });
  const app = await createApp({ config, logger, cwd: REPO_ROOT });
  apps.push(app);
  await app.startWorker();
  return app;
}

const OPENAI_ENV = () => ({ OPENAI_API_KEY: openai.apiKey, OPENAI_BASE_URL: openai.url });
const ANTHROPIC_ENV = () => ({
  ANTHROPIC_API_KEY: TEST_API_KEY,
  ANTHROPIC_BASE_URL: anthropic.url,
});

/** The demo's task as a run in a Slack channel, its plan approved; until it ends. */
async function runInChannel(app: App, channelId: string) {
  await ensureSampleRepository(app.config.dataDir, app.logger);
  const taskKey = await createDemoTask(app);
  const { run } = await app.engine.startRun({
    workflow: DEMO_WORKFLOW,
    inputs: { task_key: taskKey, repository: SAMPLE_REPOSITORY, channel: channelId },
    trigger: 'slack',
    userId: 'U-dev',
    channelId,
    taskKey,
  });
  const deadline = Date.now() + 120_000;
  const paused = await untilStatus(app, run.id, ['waiting', 'failed', 'succeeded'], deadline);
  if (paused.status !== 'waiting') return paused;
  await app.engine.decide(run.id, { approve: true, by: 'U-dev' });
  return untilStatus(app, run.id, ['succeeded', 'failed'], deadline);
}

const steps = async (app: App, runId: string) =>
  JSON.stringify(
    (await app.store.steps.listForRun(runId)).map((s) => [s.stepName, s.status, s.error]),
  );

for (const backend of ['pglite', 'postgresql'] as const) {
  const { available, reason } = backendAvailability(backend);
  describe.skipIf(!available)(
    `implement-task with OpenAI as the provider [${backend}${available ? '' : `: skipped, ${reason}`}]`,
    () => {
      it('goes from the task to a fix on its branch; every request valid, every cost entry OpenAI’s usage × price', async () => {
        openai.reset();
        openai.reply(...OPENAI_SCRIPT);
        const app = await startApp(`openai-${backend}`, OPENAI_ENV(), { backend });
        expect(app.ai.provider.name).toBe('openai');
        expect(app.config.ai).toMatchObject({ provider: 'openai', model: 'gpt-5' });

        const { run, taskKey, repositoryPath } = await runDemoFlow(app, {
          approver: 'U-demo',
          timeoutMs: 120_000,
        });
        expect(run.status, await steps(app, run.id)).toBe('succeeded');
        expect(
          await git(['diff', '--name-only', `main..aidev/${taskKey}`], { cwd: repositoryPath }),
        ).toBe('src/cart.ts\n');

        const validated = openai.count('createChatCompletion');
        expect(validated).toBe(OPENAI_SCRIPT.length);
        expect(openai.violations).toEqual([]);
        expect(new Set(openai.completionBodies().map((b) => b.model))).toEqual(new Set(['gpt-5']));

        const entries = await app.store.costs.listForRun(run.id);
        expect(entries.map((e) => e.stepName)).toEqual([
          'plan',
          'implement',
          'implement',
          'implement',
          'implement',
        ]);
        const prices = new PriceTable();
        for (const entry of entries) {
          expect(entry).toMatchObject({
            provider: 'openai',
            model: 'gpt-5-2025-08-07',
            cacheWriteTokens: 0,
          });
          expect(entry.usd).toBe(formatUsd(prices.cost(entry.model, entry)));
        }
        // The development conversation re-sends its prefix each turn: OpenAI reads it from cache.
        const cached = entries.reduce((sum, e) => sum + e.cacheReadTokens, 0);
        expect(cached).toBeGreaterThan(0);
        console.log(
          `implement-task through OpenAI [${backend}]: ${validated} completion requests validated against OpenAI's description, ${openai.violations.length} invalid; ${entries.length} cost entries, ${cached} cached input tokens`,
        );
      }, 240_000);
    },
  );
}

describe('a channel chooses its provider with its model setting', () => {
  it('openai:gpt-5 in a channel sends that channel’s runs to OpenAI on an Anthropic installation', async () => {
    openai.reset();
    anthropic.reset();
    openai.reply(...OPENAI_SCRIPT);
    const app = await startApp('both', { ...ANTHROPIC_ENV(), ...OPENAI_ENV() });
    expect(app.config.ai).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-5-5' });
    await app.store.channels.put('C0OPENAI01', { model: 'openai:gpt-5' }, { updatedBy: 'U-admin' });
    const run = await runInChannel(app, 'C0OPENAI01');
    expect(run.status, await steps(app, run.id)).toBe('succeeded');
    expect(anthropic.count('messages/create')).toBe(0);
    expect(openai.count('createChatCompletion')).toBe(OPENAI_SCRIPT.length);
    expect(openai.violations).toEqual([]);
    const entries = await app.store.costs.listForRun(run.id);
    expect(new Set(entries.map((e) => e.provider))).toEqual(new Set(['openai']));
  }, 240_000);

  it('fails the step, naming the variable to set, when the channel’s provider is not configured', async () => {
    openai.reset();
    anthropic.reset();
    const app = await startApp('anthropic-only', ANTHROPIC_ENV());
    await app.store.channels.put('C0OPENAI02', { model: 'openai:gpt-5' }, { updatedBy: 'U-admin' });
    const run = await runInChannel(app, 'C0OPENAI02');
    expect(run.status).toBe('failed');
    const plan = (await app.store.steps.listForRun(run.id)).find((s) => s.stepName === 'plan');
    expect(plan?.error).toMatchObject({
      code: 'agent_not_configured',
      message: expect.stringContaining(
        'the model openai:gpt-5 is a model of openai, and openai is not configured: set OPENAI_API_KEY',
      ) as string,
    });
    expect(anthropic.count('messages/create')).toBe(0);
    expect(openai.count()).toBe(0);
  }, 240_000);
});
