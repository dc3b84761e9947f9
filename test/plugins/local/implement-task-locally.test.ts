import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../../src/git/git.js';
import { RegistryActionRunner } from '../../../src/plugins/registry-action-runner.js';
import { openTestDatabase, type TestDatabase } from '../../support/backends.js';
import { REPO_ROOT } from '../../support/child-process.js';
import { startEngine, type EngineHarness } from '../../support/engine-harness.js';
import { capturingLogger } from '../../support/logger.js';
import { connectLocalPlugins } from './local-plugins.js';
import { STARTING_FILES } from '../contracts/version-control.contract.js';

let database: TestDatabase;
let scratch: string;
let h: EngineHarness;
const { logger, lines } = capturingLogger({ level: 'info' });

beforeAll(async () => {
  database = await openTestDatabase('pglite');
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-implement-'));
  const repo = path.join(scratch, 'repos', 'shop');
  await mkdir(repo, { recursive: true });
  await git(['init', '--quiet', '--initial-branch=main'], { cwd: repo });
  for (const [file, content] of Object.entries(STARTING_FILES)) {
    await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
    await writeFile(path.join(repo, file), content);
  }
  await git(['add', '.'], { cwd: repo });
  await git(['commit', '--quiet', '-m', 'Initial commit'], { cwd: repo });
  const seed = path.join(scratch, 'tasks.yaml');
  await writeFile(
    seed,
    'projects:\n  - key: PROJ\n    name: Shop\n    tasks:\n      - title: Round totals to the cent\n        description: Totals are off by a cent.\n',
  );

  const { registry } = await connectLocalPlugins({
    store: database.store,
    dataDir: scratch,
    logger,
    trackerSettings: { seed_file: seed },
  });
  h = await startEngine(database, {}, { actions: new RegistryActionRunner(registry) });
  h.workflow(
    'implement-task',
    await readFile(path.join(REPO_ROOT, 'workflows/implement-task.yaml'), 'utf8'),
  );
});

afterAll(async () => {
  await h.stop();
  await database.dispose();
  await rm(scratch, { recursive: true, force: true });
});

describe('implement-task on the embedded defaults', () => {
  it('goes from a seeded task to a pull request, a task in review, a docs page and a message', async () => {
    // The agent's change as the development agent hands it over: a git diff from main's tip.
    const copy = path.join(scratch, 'agent-copy');
    await git(['clone', '--quiet', path.join(scratch, 'repos', 'shop'), copy], { cwd: scratch });
    await writeFile(path.join(copy, 'src/cart.ts'), 'export const total = () => 0;\n');
    await rm(path.join(copy, 'src/legacy.ts'));
    await git(['add', '--all'], { cwd: copy });
    const patch = {
      base: (await git(['rev-parse', 'HEAD'], { cwd: copy })).trim(),
      diff_base64: Buffer.from(
        await git(['diff', '--cached', '--binary', '--full-index', 'HEAD'], { cwd: copy }),
      ).toString('base64'),
    };
    h.agents
      .on('analyse_repository', () => ({ analysis: { language: 'typescript' } }))
      .on('plan', () => ({ plan: { summary: 'Round in total()' } }))
      .on('implement', () => ({
        implementation: {
          pr_title: 'Round totals',
          pr_description: 'Rounds to the cent.',
          documentation: 'Totals are now rounded to the cent.',
          patch,
          changed_files: [
            { status: 'modified', path: 'src/cart.ts' },
            { status: 'deleted', path: 'src/legacy.ts' },
          ],
        },
      }));
    const { run } = await h.engine.startRun({
      workflow: 'implement-task',
      inputs: { task_key: 'PROJ-1', repository: 'shop', channel: 'eng' },
      trigger: 'cli',
      userId: 'U-dev',
    });
    await h.waitFor(run.id, ['waiting']);
    await h.engine.decide(run.id, { approve: true, by: 'U-dev' });
    const done = await h.waitFor(run.id, ['succeeded', 'failed']);
    const steps = await database.store.steps.listForRun(run.id);
    expect(done.status, JSON.stringify(steps.map((s) => [s.stepName, s.status, s.error]))).toBe(
      'succeeded',
    );

    const repo = path.join(scratch, 'repos', 'shop');
    const files = await git(['ls-tree', '-r', '--name-only', 'aidev/PROJ-1'], { cwd: repo });
    expect(files.split('\n')).not.toContain('src/legacy.ts');
    const [pull] = await database.store.localPullRequests.list(repo);
    expect(pull).toMatchObject({ sourceBranch: 'aidev/PROJ-1', title: 'PROJ-1: Round totals' });
    expect(pull?.diff).toContain('-export {};');

    const task = await database.store.tasks.get('local', 'PROJ-1');
    expect(task?.status).toBe('In Review');
    const comments = await database.store.taskComments.listForTask(task?.id ?? '');
    expect(comments.map((c) => c.body)).toEqual([
      expect.stringContaining(`#pull=${pull?.number ?? 0}`),
    ]);
    const pages = await readdir(path.join(scratch, 'docs', 'engineering'));
    expect(pages).toEqual(['proj-1-round-totals-to-the-cent.md']);
    expect(lines.some((l) => l.includes('#eng PROJ-1 is ready for review: file://'))).toBe(true);
  });
});
