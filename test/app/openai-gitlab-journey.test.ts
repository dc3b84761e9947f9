import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCRIPT } from '../../scripts/demo-script.js';
import { createApp, type App } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { formatUsd } from '../../src/costs/money.js';
import { PriceTable } from '../../src/costs/price-table.js';
import { DEMO_WORKFLOW, untilStatus } from '../../src/demo/demo-flow.js';
import { createDemoTask } from '../../src/demo/sample-project.js';
import {
  backendAvailability,
  createPostgresDatabase,
  type BackendName,
} from '../support/backends.js';
import { REPO_ROOT } from '../support/child-process.js';
import { capturingLogger } from '../support/logger.js';
import { GitLabServer } from '../vendors/gitlab/gitlab-server.js';
import {
  startOpenAiServer,
  type OpenAiServer,
  type ScriptedReply,
} from '../vendors/openai/openai-server.js';

/**
 * Issue 20's first must-show in one run: aidev's app as `aidev serve` builds it from the
 * environment alone — OPENAI_API_KEY/OPENAI_BASE_URL (the real `openai` SDK, the local OpenAI
 * server answering with the demo's script) and GITLAB_TOKEN/GITLAB_URL (the real
 * @gitbeaker/rest and git's smart HTTP, the local GitLab) — takes the demo's task from the
 * local tracker to a merge request on GitLab with the development agent's fix, on each
 * database. Each local server validates every request against the vendor's description.
 */

const TOKEN = 'glpat-journeyToken0123456789abc';
/** The demo's script, written for the Anthropic server, as OpenAI replies (the same blocks). */
const OPENAI_SCRIPT: ScriptedReply[] = DEMO_SCRIPT.map((reply) => ({
  content: reply.content.map((block) => {
    if (block.type === 'raw') throw new Error('the demo script has no raw blocks');
    return block;
  }),
}));
const PROJECT = 'acme/sample-shop';
const SAMPLE = path.join(REPO_ROOT, 'demo', 'sample-repository');

let scratch: string;
let openai: OpenAiServer;
let gitlab: GitLabServer;
const apps: App[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-openai-gitlab-'));
  openai = await startOpenAiServer();
  gitlab = await GitLabServer.start({ token: TOKEN });
});
afterAll(async () => {
  for (const app of apps) await app.stop();
  await openai.close();
  await gitlab.close();
  await rm(scratch, { recursive: true, force: true });
});

/** The sample shop's files, as the GitLab project's first commit. */
async function sampleFiles(dir = SAMPLE, prefix = ''): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory())
      Object.assign(files, await sampleFiles(path.join(dir, entry.name), relative));
    else files[relative] = await readFile(path.join(dir, entry.name), 'utf8');
  }
  return files;
}

async function startApp(backend: BackendName): Promise<{ app: App; lines: string[] }> {
  const settings = path.join(scratch, `${backend}.yaml`);
  await writeFile(settings, 'jobs:\n  poll_interval: 100ms\n');
  const config = loadConfig({
    env: {
      AIDEV_DATA_DIR: path.join(scratch, backend),
      AIDEV_CONFIG: settings,
      ...(backend === 'postgresql' ? { DATABASE_URL: await createPostgresDatabase() } : {}),
      OPENAI_API_KEY: openai.apiKey,
      OPENAI_BASE_URL: openai.url,
      GITLAB_TOKEN: TOKEN,
      GITLAB_URL: gitlab.url,
    },
    cwd: REPO_ROOT,
  });
  const { logger, lines } = capturingLogger({ level: 'info', secrets: config.secrets });
  const app = await createApp({ config, logger, cwd: REPO_ROOT });
  apps.push(app);
  await app.startWorker();
  return { app, lines };
}

for (const backend of ['pglite', 'postgresql'] as const) {
  const { available, reason } = backendAvailability(backend);
  describe.skipIf(!available)(
    `implement-task with OpenAI and GitLab [${backend}${available ? '' : `: skipped, ${reason}`}]`,
    () => {
      it('takes the task to a merge request with the agent’s fix; every request valid', async () => {
        gitlab.reset();
        const project = gitlab.createProject(PROJECT, await sampleFiles());
        openai.reset();
        openai.reply(...OPENAI_SCRIPT);
        const { app, lines } = await startApp(backend);
        expect(app.ai.provider.name).toBe('openai');
        expect(app.config.plugins.choices.version_control.use).toBe('gitlab');

        const taskKey = await createDemoTask(app);
        const { run } = await app.engine.startRun({
          workflow: DEMO_WORKFLOW,
          inputs: { task_key: taskKey, repository: PROJECT, channel: 'demo' },
          trigger: 'cli',
          userId: 'U-dev',
          taskKey,
        });
        const deadline = Date.now() + 180_000;
        const waiting = await untilStatus(app, run.id, ['waiting', 'failed'], deadline);
        expect(waiting.status).toBe('waiting');
        await app.engine.decide(run.id, { approve: true, by: 'U-dev' });
        const done = await untilStatus(app, run.id, ['succeeded', 'failed'], deadline);
        const steps = await app.store.steps.listForRun(run.id);
        expect(done.status, JSON.stringify(steps.map((s) => [s.stepName, s.error]))).toBe(
          'succeeded',
        );

        // The merge request on GitLab: the agent's one-line fix on aidev's branch, main as it was.
        const [mr] = project.mergeRequests;
        expect(project.mergeRequests).toHaveLength(1);
        expect(mr).toMatchObject({
          state: 'opened',
          sourceBranch: `aidev/${taskKey}`,
          targetBranch: 'main',
        });
        const before = await sampleFiles();
        const after = project.repository.filesAt(`aidev/${taskKey}`);
        const changed = Object.keys(after).filter((file) => after[file] !== before[file]);
        expect(changed).toEqual(['src/cart.ts']);
        expect(after['src/cart.ts']).toContain('quantity');
        expect(project.repository.filesAt('main')).toEqual(before);
        const task = await app.store.tasks.get('local', taskKey);
        expect(task?.status).toBe('In Review');

        // Every request each local server got was checked against the vendor's description.
        const completions = openai.count('createChatCompletion');
        expect(completions).toBe(DEMO_SCRIPT.length);
        expect(openai.violations).toEqual([]);
        expect(gitlab.http.violations).toEqual([]);
        const checked = gitlab.validated();
        expect(checked.other).toBe(0);
        expect(checked.published + checked.documented).toBe(gitlab.http.requests.length);
        const prices = new PriceTable();
        const entries = await app.store.costs.listForRun(run.id);
        for (const entry of entries) {
          expect(entry.provider).toBe('openai');
          expect(entry.usd).toBe(formatUsd(prices.cost(entry.model, entry)));
        }
        expect(lines.join('\n')).not.toContain(TOKEN);
        console.log(
          `implement-task with OpenAI and GitLab [${backend}]: merge request !${mr?.iid ?? 0} ${mr?.sourceBranch ?? ''} → main; OpenAI: ${completions} requests validated, ${openai.violations.length} invalid; GitLab: ${checked.published} requests validated against its published description and ${checked.documented} against its documented operations, ${checked.answers} answers against its entities, ${gitlab.http.violations.length} invalid, ${gitlab.gitRequests.length} git smart-HTTP requests; ${entries.length} cost entries, each usage × price`,
        );
      }, 300_000);
    },
  );
}
