import { z } from 'zod';
import type { ActionCall, ActionRunner } from '../engine/runners.js';
import type { Store } from '../store/store.js';
import { localRepositoryOf } from './local-ci.js';

/** A push to test: the local pull request and the commit now on its branch. */
export interface LocalPush {
  readonly pull_url: string;
  readonly sha: string;
}

const opened = z.object({ pr_url: z.string().min(1), number: z.number().int().positive() });
const committed = z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/) });

/**
 * Starts the local CI after each push to a local pull request aidev opened: a pull request
 * opened (its branch's head) or a commit on its branch. Wraps PullRequestOwnership, so a pull
 * request just opened is already owned. Only enqueues: the job (LocalCi) does the work. If the
 * enqueue fails the step fails, and its retry finds the commit or pull request made and
 * enqueues then.
 */
export class LocalCiTrigger implements ActionRunner {
  constructor(
    private readonly inner: ActionRunner,
    private readonly store: Store,
    private readonly enqueue: (push: LocalPush) => Promise<unknown>,
  ) {}

  async run(call: ActionCall): Promise<unknown> {
    const result = await this.inner.run(call);
    if (call.plugin !== 'version_control') return result;
    const push =
      call.action === 'create_pull_request'
        ? await this.opened(result)
        : call.action === 'commit_changes'
          ? await this.committed(call, result)
          : undefined;
    if (push !== undefined) await this.enqueue(push);
    return result;
  }

  private async opened(result: unknown): Promise<LocalPush | undefined> {
    const pull = opened.safeParse(result);
    if (!pull.success || !pull.data.pr_url.startsWith('file:')) return undefined;
    const owned = await this.store.pullRequests.byUrl(pull.data.pr_url);
    if (owned?.state !== 'open') return undefined;
    const local = await this.store.localPullRequests.get(
      localRepositoryOf(pull.data.pr_url),
      pull.data.number,
    );
    return local === null ? undefined : { pull_url: owned.url, sha: local.headSha };
  }

  private async committed(call: ActionCall, result: unknown): Promise<LocalPush | undefined> {
    const commit = committed.safeParse(result);
    const { repository, branch } = call.input;
    if (!commit.success || typeof repository !== 'string' || typeof branch !== 'string')
      return undefined;
    // A commit before the pull request is opened is tested when it opens.
    const owned = await this.store.pullRequests.openFor(repository, branch);
    if (owned === null || !owned.url.startsWith('file:')) return undefined;
    return { pull_url: owned.url, sha: commit.data.sha };
  }
}
