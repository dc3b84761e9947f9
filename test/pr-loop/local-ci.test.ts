import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Run } from '../../src/store/repositories/runs.js';
import { LOCAL_CI_RUN } from '../../src/pr-loop/local-ci.js';
import { backendAvailability, createPostgresDatabase } from '../support/backends.js';
import { REPO_ROOT } from '../support/child-process.js';
import { capturingLogger } from '../support/logger.js';
import { setupGit } from '../support/setup-git.js';

const BRANCH = 'aidev/value';
const CHECK = 'tests (npm test)';

/** A push: a change of value.js on the branch, as one commit. */
const COMMIT_STEP = `
  - name: commit
    plugin: version_control
    action: commit_changes
    inputs:
      repository: '\${repository}'
      branch: '\${branch}'
      message: 'value.js: \${content}'
      changes: [{ path: value.js, content: '\${content}' }]
`;
const INPUTS = `
inputs:
  repository: { type: string, description: 'The local repository' }
  branch: { type: string, description: 'The branch' }
  content: { type: string, description: 'value.js' }
`;

/** A run that opens a local pull request with a change, and one that pushes another change. */
const WORKFLOWS = {
  'open-local-pr.yaml': `name: open-local-pr
description: A change on a new branch, and a local pull request for it
version: '1.0.0'
${INPUTS}
steps:
  - name: branch
    plugin: version_control
    action: create_branch
    inputs: { repository: '\${repository}', branch: '\${branch}' }
${COMMIT_STEP}
  - name: open
    plugin: version_control
    action: create_pull_request
    inputs: { repository: '\${repository}', source_branch: '\${branch}', title: 'Change the value' }
`,
  'push-local.yaml': `name: push-local
description: Another change on the branch
version: '1.0.0'
${INPUTS}
steps:
${COMMIT_STEP}
`,
};

/** The repository's tests pass when value.js exports 2. */
const REPOSITORY = {
  'package.json': JSON.stringify({
    name: 'shop',
    private: true,
    scripts: { test: 'node test.js' },
  }),
  'value.js': 'module.exports = 1;\n',
  'test.js': [
    "const value = require('./value.js');",
    'if (value !== 2) {',
    '  console.error(`value.test: expected 2, found ${value}`);',
    '  process.exit(1);',
    '}',
    "console.log('value.test: ok');",
    '',
  ].join('\n'),
};

/**
 * The embedded default's CI end to end, on the real app with local_git and bubblewrap: each push
 * to a local pull request aidev opened has the repository's tests run on it and recorded as a
 * local check; a failure starts a round of fixes, a success does not.
 */
describe.each(['pglite', 'postgresql'] as const)(
  'local CI of local pull requests [%s]',
  (database) => {
    const { available, reason } = backendAvailability(database);
    let scratch: string;
    let app: App;
    let lines: string[];
    let repoDir: string;
    let pullUrl: string;

    beforeAll(async () => {
      if (!available) return;
      scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-local-ci-'));
      const dataDir = path.join(scratch, 'data');
      repoDir = path.join(dataDir, 'repos', 'shop');
      await mkdir(repoDir, { recursive: true });
      setupGit(repoDir, 'init', '--quiet', '--initial-branch=main');
      for (const [file, content] of Object.entries(REPOSITORY))
        await writeFile(path.join(repoDir, file), content);
      setupGit(repoDir, 'add', '.');
      setupGit(repoDir, 'commit', '--quiet', '-m', 'the shop');

      const workflows = path.join(scratch, 'workflows');
      await mkdir(workflows);
      for (const [file, text] of Object.entries(WORKFLOWS))
        await writeFile(path.join(workflows, file), text);
      await copyFile(
        path.join(REPO_ROOT, 'workflows', 'address-feedback.yaml'),
        path.join(workflows, 'address-feedback.yaml'),
      );
      const settings = path.join(scratch, 'aidev.config.yaml');
      // No model: a round starts and its agent step fails, which is all this test needs of it.
      await writeFile(
        settings,
        `workflows:\n  directory: ${workflows}\njobs:\n  poll_interval: 100ms\nai:\n  test_timeout: 60s\n  transcript: ${path.join(scratch, 'no-transcript.json')}\n`,
      );
      const config = loadConfig({
        env: {
          AIDEV_DATA_DIR: dataDir,
          AIDEV_CONFIG: settings,
          AIDEV_SANDBOX: 'bubblewrap',
          ...(database === 'postgresql' ? { DATABASE_URL: await createPostgresDatabase() } : {}),
        },
        cwd: REPO_ROOT,
      });
      const captured = capturingLogger({ level: 'info' });
      lines = captured.lines;
      app = await createApp({ config, logger: captured.logger, cwd: REPO_ROOT });
      await app.startWorker();
    }, 60_000);
    afterAll(async () => {
      if (!available) return;
      await app.stop();
      await rm(scratch, { recursive: true, force: true });
    });

    async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const found = await probe();
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(100);
      }
    }
    async function runWorkflow(workflow: string, content: string): Promise<Run> {
      const { run } = await app.engine.startRun({
        workflow,
        inputs: { repository: 'shop', branch: BRANCH, content },
        trigger: 'cli',
      });
      return until(`run ${run.id} to end`, async () => {
        const current = await app.store.runs.get(run.id);
        return current?.status === 'succeeded' || current?.status === 'failed'
          ? current
          : undefined;
      });
    }
    const checkOf = (sha: string) =>
      until(`a local check on ${sha}`, async () =>
        (await app.store.localChecks.forRef(repoDir, sha)).find((c) => c.name === CHECK),
      );
    const head = () => setupGit(repoDir, 'rev-parse', `refs/heads/${BRANCH}`);
    const checkRows = async (sha: string) =>
      (
        await app.store.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM local_checks WHERE sha = $1',
          [sha],
        )
      ).rows[0]?.n;

    it.skipIf(!available)(
      `a pull request whose tests fail: a failing check with the output, and one round for it${available ? '' : ` (skipped: ${reason})`}`,
      async () => {
        const run = await runWorkflow('open-local-pr', 'module.exports = 3;\n');
        expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
        const [owned] = await app.store.pullRequests.forRun(run.id);
        pullUrl = owned?.url ?? '';
        expect(pullUrl).toMatch(/^file:.*#pull=1$/);
        const sha = head();

        const check = await checkOf(sha);
        expect(check.conclusion).toBe('failure');
        expect(check.log).toContain('$ npm test');
        expect(check.log).toContain('value.test: expected 2, found 3');

        const feedback = await until('the failing check queued on the pull request', async () => {
          const rows = await app.store.db.query<{ kind: string; author: string; origin: string }>(
            'SELECT kind, author, origin FROM pr_feedback WHERE pull_url = $1 AND source_id = $2',
            [pullUrl, `check:${sha}`],
          );
          return rows.rows[0];
        });
        expect(feedback).toEqual({ kind: 'failing_check', author: CHECK, origin: 'local-ci' });
        const rounds = await until('a round started', async () => {
          const all = await app.store.prRounds.forPull(pullUrl);
          return all.length > 0 && all.every((r) => r.runId !== null) ? all : undefined;
        });
        expect(rounds).toHaveLength(1);
        const round = await app.store.runs.get(rounds[0]?.runId ?? '');
        expect(round).toMatchObject({ workflowName: 'address-feedback', trigger: 'feedback' });
        // The round reads the check back through get_failing_checks.
        const readChecks = await until('the round to read the checks', async () => {
          const steps = await app.store.steps.listForRun(round?.id ?? '');
          const step = steps.find((s) => s.stepName === 'read_checks');
          return step?.status === 'succeeded' ? step : undefined;
        });
        expect(JSON.stringify(readChecks.outputs)).toContain('value.test: expected 2, found 3');
        // The scratch working copy is removed once the job ends; the round may be faster.
        const copies = path.join(app.config.dataDir, 'workspaces', 'local-ci');
        await until('the scratch working copy to be removed', async () =>
          (await readdir(copies)).length === 0 ? true : undefined,
        );
      },
      120_000,
    );

    it.skipIf(!available)(
      'a push whose tests pass: a passing check, and no round',
      async () => {
        const run = await runWorkflow('push-local', 'module.exports = 2;\n');
        expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
        const sha = head();
        const check = await checkOf(sha);
        expect(check.conclusion).toBe('success');
        expect(check.log).toContain('value.test: ok');
        await until('the job to end', () =>
          Promise.resolve(
            lines.find((line) => line.includes(`the tests passed on ${sha.slice(0, 12)}`)),
          ),
        );
        const feedback = await app.store.db.query(
          'SELECT source_id FROM pr_feedback WHERE pull_url = $1 AND source_id = $2',
          [pullUrl, `check:${sha}`],
        );
        expect(feedback.rows).toEqual([]);
        expect(await app.store.prRounds.forPull(pullUrl)).toHaveLength(1);
      },
      120_000,
    );

    it.skipIf(!available)(
      'the same job run again records no second check',
      async () => {
        const sha = head();
        expect(await checkRows(sha)).toBe(1);
        await app.jobs.enqueue(LOCAL_CI_RUN, { pull_url: pullUrl, sha });
        await until('the second job to finish', () =>
          Promise.resolve(
            lines.find(
              (line) =>
                line.includes(`nothing recorded for ${sha.slice(0, 12)}`) &&
                line.includes('already tested: success'),
            ),
          ),
        );
        expect(await checkRows(sha)).toBe(1);
      },
      60_000,
    );
  },
);
