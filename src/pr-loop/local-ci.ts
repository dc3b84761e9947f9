import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { analyseFiles } from '../agents/repository-analysis.js';
import { versionControl } from '../agents/repository-reads.js';
import type { RepositoryTests } from '../agents/repository-tests.js';
import type { ActionRunner } from '../engine/runners.js';
import { defineJob, type JobDefinition } from '../jobs/job-queue.js';
import type { Logger } from '../log/create-logger.js';
import type { Store } from '../store/store.js';
import { loopCall } from './may-ask.js';
import type { PrLoop } from './pr-loop.js';

/** Runs a local pull request's tests on one pushed commit (enqueued by LocalCiTrigger). */
export const LOCAL_CI_RUN = 'local-ci.run';

/** The name of the check the tests are recorded as; a round reads it back by this name. */
const CHECK_PREFIX = 'tests (';
export const checkName = (command: string) => `${CHECK_PREFIX}${command})`;

export interface LocalCiOptions {
  readonly store: Store;
  /** The configured plugins: the checkout and the tree's reads go through version control. */
  readonly actions: ActionRunner;
  readonly loop: Pick<PrLoop, 'addFeedback'>;
  readonly tests: RepositoryTests;
  /** The commit a branch of a local repository is at now; undefined: there is no such branch. */
  readonly branchHead: (repositoryDir: string, branch: string) => Promise<string | undefined>;
  /** Scratch working copies go under its `workspaces/local-ci/`. */
  readonly dataDir: string;
}

/** What one run of the job did, for its log line (and tests). */
export type LocalCiOutcome =
  | { readonly outcome: 'skipped'; readonly reason: string }
  | { readonly outcome: 'recorded'; readonly passed: boolean; readonly feedback: string };

/** The local repository's directory, as local pull requests and checks name it, from its URL. */
export function localRepositoryOf(pullUrl: string): string {
  const url = new URL(pullUrl);
  url.hash = '';
  return fileURLToPath(url);
}

/**
 * The embedded default's CI: after each push to a local pull request aidev opened, the
 * repository's tests run on the pushed commit — found and run as the agents run them, in their
 * sandbox — and are recorded as a local check. A failure on the branch's head becomes a
 * failing check in the pull-request loop, as a failing GitHub check does.
 */
export class LocalCi {
  constructor(private readonly options: LocalCiOptions) {}

  /** Tests `sha` of the pull request's branch once: a retried job finds its check recorded. */
  async run(
    pullUrl: string,
    sha: string,
    signal: AbortSignal,
    log: Logger,
  ): Promise<LocalCiOutcome> {
    const { store, actions } = this.options;
    const owned = await store.pullRequests.byUrl(pullUrl);
    if (owned === null) return skipped('aidev did not open this pull request');
    if (owned.state !== 'open') return skipped(`the pull request is ${owned.state}`);
    const run = await store.runs.get(owned.runId);
    if (run === null) return skipped('the run that opened it was deleted');
    const repositoryDir = localRepositoryOf(pullUrl);
    const recorded = (await store.localChecks.forRef(repositoryDir, sha)).find((check) =>
      check.name.startsWith(CHECK_PREFIX),
    );
    if (recorded !== undefined) return skipped(`already tested: ${recorded.conclusion}`);

    const call = { ...loopCall(run, log, `local-ci:${pullUrl}@${sha}`), signal };
    const { analysis } = await analyseFiles({
      actions,
      call,
      repository: owned.repository,
      ref: sha,
    });
    if (analysis.testCommand === null)
      return skipped('no test command found (package.json test script, pytest, go.mod, …)');

    const directory = path.join(
      this.options.dataDir,
      'workspaces',
      'local-ci',
      `${sha.slice(0, 12)}-${randomUUID()}`,
    );
    try {
      const out = (await versionControl(
        actions,
        call,
        'check-out',
      )('check_out', {
        repository: owned.repository,
        ref: owned.branch,
        directory,
      })) as { head: string };
      // A newer push is on the branch: its own job tests it.
      if (out.head !== sha)
        return skipped(`the branch ${owned.branch} moved on to ${out.head.slice(0, 12)}`);
      const result = await this.options.tests({
        runId: run.id,
        channelId: run.channelId,
        cwd: directory,
        command: analysis.testCommand,
        signal,
        logger: log,
      });
      const verdict = result.timedOut
        ? `stopped after ${Math.round(result.durationMs / 1000)} s`
        : `exit code ${String(result.exitCode)}`;
      const check = await store.localChecks.record({
        repository: repositoryDir,
        sha,
        name: checkName(analysis.testCommand),
        conclusion: result.passed ? 'success' : result.timedOut ? 'timed_out' : 'failure',
        log: `$ ${analysis.testCommand}\n${result.output}\n(${verdict})`,
      });
      if (result.passed) return { outcome: 'recorded', passed: true, feedback: 'none' };
      return {
        outcome: 'recorded',
        passed: false,
        feedback: await this.report(pullUrl, owned.branch, check),
      };
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  /** A failure on the branch's head is feedback for the pull request's loop. */
  private async report(
    pullUrl: string,
    branch: string,
    check: { sha: string; name: string; conclusion: string; id: number },
  ): Promise<string> {
    const repositoryDir = localRepositoryOf(pullUrl);
    const head = await this.options.branchHead(repositoryDir, branch);
    if (head !== check.sha)
      return `none: the branch moved on to ${head?.slice(0, 12) ?? 'nothing'}`;
    const outcome = await this.options.loop.addFeedback(pullUrl, {
      sourceId: `check:${check.sha}`,
      kind: 'failing_check',
      author: check.name,
      item: {
        name: check.name,
        conclusion: check.conclusion,
        headSha: check.sha,
        // As get_failing_checks names it.
        url: `${pathToFileURL(repositoryDir).href}#check=${check.id}`,
      },
      origin: 'local-ci',
    });
    return 'reason' in outcome
      ? `${outcome.outcome}: ${outcome.reason}`
      : `${outcome.outcome}: ${outcome.next.kind}`;
  }
}

function skipped(reason: string): LocalCiOutcome {
  return { outcome: 'skipped', reason };
}

/** The job that runs LocalCi; its data is what LocalCiTrigger enqueues. */
export function localCiJob(ci: LocalCi): JobDefinition {
  return defineJob({
    name: LOCAL_CI_RUN,
    schema: z.object({
      pull_url: z.string().startsWith('file:'),
      sha: z.string().regex(/^[0-9a-f]{40}$/, 'expected a full 40-hex commit'),
    }),
    removeOnComplete: true,
    async handler({ data, signal, log }) {
      const outcome = await ci.run(data.pull_url, data.sha, signal, log);
      log.info(
        { pullRequest: data.pull_url, sha: data.sha, ...outcome },
        outcome.outcome === 'skipped'
          ? `local CI: nothing recorded for ${data.sha.slice(0, 12)}: ${outcome.reason}`
          : `local CI: the tests ${outcome.passed ? 'passed' : 'failed'} on ${data.sha.slice(0, 12)}`,
      );
    },
  });
}
