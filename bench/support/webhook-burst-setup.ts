/**
 * The set-up of bench/webhook-burst.ts: pull requests aidev opened (in its database and on the
 * local GitHub), a real `aidev serve` to send to, and what that process costs in CPU.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../../src/store/store.js';
import { AidevProcess, freePort } from '../../test/support/serve-process.js';
import { AUTHENTICATED_USER } from '../../test/vendors/github/github-json.js';
import type { GitHubServer } from '../../test/vendors/github/github-server.js';
import { READER, REPOSITORY, WRITER } from './webhook-burst-plan.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A pull request's head commit, and the commit before it (main's tip). */
export interface PullCommits {
  readonly head: string;
  readonly older: string;
}

/**
 * The pull requests aidev opened: runs of implement-task that ended, on the local GitHub too,
 * each with a commit of its own on its branch. Returns each one's commits, by number.
 */
export async function seedPullRequests(
  github: GitHubServer,
  store: Store,
  pulls: number,
): Promise<ReadonlyMap<number, PullCommits>> {
  const commits = new Map<number, PullCommits>();
  const repo = github.createRepository(REPOSITORY, {
    'README.md': '# shop\n',
    'src/cart.ts': 'export const orderTotal = (items: { price: number }[]) => 0;\n',
  });
  repo.collaborators.set(WRITER, 'write');
  repo.collaborators.set(READER, 'read');
  const main = (await repo.refSha('heads/main')) ?? '';
  for (let n = 1; n <= pulls; n++) {
    const branch = `aidev/BENCH-${n}`;
    repo.setBranch(branch, main);
    const head = repo.commitFiles(
      branch,
      { 'src/cart.ts': `export const orderTotal = () => ${n};\n` },
      `BENCH-${n}: a change`,
    );
    repo.pulls.push({
      number: github.takePullNumber(),
      author: AUTHENTICATED_USER,
      state: 'open',
      title: `BENCH-${n}: a change`,
      body: null,
      head: branch,
      base: 'main',
      draft: false,
      labels: [],
      reviewers: [],
      reviewedBy: [],
    });
    const { run } = await store.runs.create({
      workflowName: 'implement-task',
      workflowVersion: '1.0.0',
      trigger: 'cli',
      taskKey: `BENCH-${n}`,
      inputs: { task: `BENCH-${n}`, repository: REPOSITORY },
    });
    // Ended, so that no worker picks the run up as one left behind.
    await store.runs.transition(run.id, 'running');
    await store.runs.transition(run.id, 'succeeded');
    await store.pullRequests.record({
      url: `https://github.com/${REPOSITORY}/pull/${n}`,
      runId: run.id,
      stepName: 'open_pull_request',
      repository: REPOSITORY,
      number: n,
      branch,
    });
    commits.set(n, { head, older: main });
  }
  return commits;
}

export async function startServe(env: Record<string, string>): Promise<AidevProcess> {
  const serve = new AidevProcess(['serve'], env, ROOT, await freePort());
  await serve.until(
    '/ready to answer 200',
    async () =>
      (await serve.get('/ready').catch(() => undefined))?.status === 200 ? true : undefined,
    60_000,
  );
  return serve;
}

/**
 * CPU time a process has used, in ms, from /proc (Linux; undefined elsewhere). The kernel counts
 * in clock ticks of 10 ms (USER_HZ is 100 on Linux whatever the kernel's own HZ).
 */
export async function cpuMsOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
