import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { consoleChannel } from '../../../src/adapters/console/console-channel.js';
import { gitlab } from '../../../src/adapters/gitlab/gitlab.js';
import { localDocs } from '../../../src/adapters/local-docs/local-docs.js';
import { localTracker } from '../../../src/adapters/local-tracker/local-tracker.js';
import { cloneBranch } from '../../../src/git/clone.js';
import { git } from '../../../src/git/git.js';
import { PluginRegistry } from '../../../src/plugins/plugin-registry.js';
import { RegistryActionRunner } from '../../../src/plugins/registry-action-runner.js';
import { Guards } from '../../../src/resilience/guards.js';
import { describeEachBackend } from '../../support/backends.js';
import { REPO_ROOT } from '../../support/child-process.js';
import { startEngine, type EngineHarness } from '../../support/engine-harness.js';
import { capturingLogger } from '../../support/logger.js';
import { GitLabServer } from '../../vendors/gitlab/gitlab-server.js';
import { STARTING_FILES } from '../contracts/version-control.contract.js';
import { GITLAB_TOKEN } from './gitlab-setup.js';

let server: GitLabServer;
const validated = { published: 0, documented: 0, answers: 0, runs: 0 };

beforeAll(async () => {
  server = await GitLabServer.start({ token: GITLAB_TOKEN });
});
afterAll(async () => {
  await server.close();
  console.log(
    `implement-task with GitLab, ${validated.runs} runs: ${validated.published + validated.documented} GitLab requests validated (${validated.published} against GitLab's published OpenAPI description, ${validated.documented} against the operations described from its REST docs), 0 invalid; ${validated.answers} answers validated against GitLab's entities, 0 invalid; plus ${server.gitRequests.length} git smart-HTTP requests of the last run`,
  );
});

describeEachBackend('implement-task with GitLab as version control', (database) => {
  const { logger, lines } = capturingLogger({ level: 'info' });
  let scratch: string;
  let h: EngineHarness;

  beforeAll(async () => {
    server.reset();
    server.createProject('acme/shop', STARTING_FILES);
    scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-implement-gitlab-'));
    const seed = path.join(scratch, 'tasks.yaml');
    await writeFile(
      seed,
      'projects:\n  - key: PROJ\n    name: Shop\n    tasks:\n      - title: Round totals to the cent\n        description: Totals are off by a cent.\n',
    );
    const registry = new PluginRegistry({
      logger,
      store: database().store,
      guards: new Guards(logger),
      dataDir: scratch,
    });
    for (const definition of [localTracker, gitlab, localDocs, consoleChannel])
      registry.register(definition);
    registry.configure('task_management', 'local', { seed_file: seed });
    registry.configure('version_control', 'gitlab', { token: GITLAB_TOKEN, url: server.url });
    registry.configure('documentation', 'local_docs', {});
    registry.configure('communication', 'console', {});
    await registry.connectAll();
    h = await startEngine(database(), {}, { actions: new RegistryActionRunner(registry) });
    h.workflow(
      'implement-task',
      await readFile(path.join(REPO_ROOT, 'workflows/implement-task.yaml'), 'utf8'),
    );
  });

  afterAll(async () => {
    await h.stop();
    await rm(scratch, { recursive: true, force: true });
    expect(lines.filter((line) => line.includes(GITLAB_TOKEN))).toEqual([]);
  });

  it('goes from a task to a merge request with the change on GitLab, every request valid', async () => {
    // The agent's change as the development agent hands it over: a git diff from main's tip,
    // made in a clone of the GitLab project (over smart HTTP, as the sandbox's copy would be).
    const copy = path.join(scratch, 'agent-copy');
    const basic = Buffer.from(`oauth2:${GITLAB_TOKEN}`).toString('base64');
    await cloneBranch({
      url: `${server.url}/acme/shop.git`,
      headers: [`Authorization: Basic ${basic}`],
      ref: 'main',
      directory: copy,
    });
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
    server.http.resetTraffic();
    server.gitRequests.length = 0;
    const { run } = await h.engine.startRun({
      workflow: 'implement-task',
      inputs: { task_key: 'PROJ-1', repository: 'acme/shop', channel: 'eng' },
      trigger: 'cli',
      userId: 'U-dev',
    });
    await h.waitFor(run.id, ['waiting']);
    await h.engine.decide(run.id, { approve: true, by: 'U-dev' });
    const done = await h.waitFor(run.id, ['succeeded', 'failed']);
    const steps = await database().store.steps.listForRun(run.id);
    expect(done.status, JSON.stringify(steps.map((s) => [s.stepName, s.status, s.error]))).toBe(
      'succeeded',
    );

    // The merge request on GitLab, with the change on its branch.
    const project = server.project('acme/shop');
    const [mr] = project?.mergeRequests ?? [];
    expect(project?.mergeRequests).toHaveLength(1);
    expect(mr).toMatchObject({
      state: 'opened',
      sourceBranch: 'aidev/PROJ-1',
      targetBranch: 'main',
      title: 'PROJ-1: Round totals',
    });
    const files = project?.repository.filesAt('aidev/PROJ-1') ?? {};
    expect(files['src/cart.ts']).toBe('export const total = () => 0;\n');
    expect(files['src/legacy.ts']).toBeUndefined();
    expect(project?.repository.history('aidev/PROJ-1')).toEqual([
      'PROJ-1: Round totals',
      'Initial commit',
    ]);
    expect(project?.repository.filesAt('main')).toEqual(STARTING_FILES);

    // The task in review, pointing at the merge request; the docs page; the message.
    const mrUrl = `${server.url}/acme/shop/-/merge_requests/${mr?.iid ?? 0}`;
    const task = await database().store.tasks.get('local', 'PROJ-1');
    expect(task?.status).toBe('In Review');
    const comments = await database().store.taskComments.listForTask(task?.id ?? '');
    expect(comments.map((c) => c.body)).toEqual([expect.stringContaining(mrUrl)]);
    expect(await readdir(path.join(scratch, 'docs', 'engineering'))).toEqual([
      'proj-1-round-totals-to-the-cent.md',
    ]);
    const notify = steps.find((s) => s.stepName === 'notify');
    expect(
      lines.some((l) => l.includes(`#eng PROJ-1 is ready for review: ${mrUrl}`)),
      JSON.stringify({ notify, said: lines.filter((l) => l.includes('"plugin":"console"')) }),
    ).toBe(true);

    // Every request the run sent to GitLab was valid, and each was checked.
    expect(server.http.violations).toEqual([]);
    const counted = server.validated();
    expect(counted.other).toBe(0);
    expect(counted.published + counted.documented).toBe(server.http.requests.length);
    expect(server.gitRequests.some((r) => r.service === 'git-receive-pack')).toBe(true);
    validated.published += counted.published;
    validated.documented += counted.documented;
    validated.answers += counted.answers;
    validated.runs += 1;
  });
});
