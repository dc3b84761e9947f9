import type { CommitIdentity } from '../../git/commit-patch.js';
import { StepError } from '../../engine/step-errors.js';
import { VendorError } from '../../resilience/vendor-error.js';
import { hasStatus, type GitHubClient } from './github-client.js';

export interface ChangeSet {
  readonly owner: string;
  readonly repo: string;
  readonly branch: string;
  readonly message: string;
  readonly changes: readonly ({ path: string; content: string } | { path: string; delete: true })[];
  readonly idempotencyKey: string;
  /** Author and committer; unset, GitHub uses the signed-in account. */
  readonly author?: CommitIdentity | undefined;
}

const TRAILER = 'Aidev-Step';

/**
 * Commits a change set as one commit through the git data API, in five requests: the branch
 * tip, its commit (for the base tree), one tree with every write inline and every deletion as a
 * null sha, the commit, and the branch update. The commit message ends with the step's
 * idempotency key as a trailer, so a retried step finds its commit at the tip and stops there.
 */
export async function commitChangeSet(octokit: GitHubClient, set: ChangeSet): Promise<string> {
  const { owner, repo, branch } = set;
  const ref = `heads/${branch}`;
  const tipSha = await octokit.rest.git
    .getRef({ owner, repo, ref })
    .then((r) => r.data.object.sha)
    .catch((error: unknown) => {
      if (hasStatus(error, 404))
        throw new StepError(`no branch ${branch} in ${owner}/${repo}; create it first`, {
          code: 'not_found',
          cause: error,
        });
      throw error;
    });
  const tip = (await octokit.rest.git.getCommit({ owner, repo, commit_sha: tipSha })).data;
  const trailer = `${TRAILER}: ${set.idempotencyKey}`;
  if (tip.message.split('\n').includes(trailer)) return tip.sha;

  const tree = await octokit.rest.git.createTree({
    owner,
    repo,
    base_tree: tip.tree.sha,
    tree: set.changes.map((change) =>
      'delete' in change
        ? { path: change.path, mode: '100644' as const, type: 'blob' as const, sha: null }
        : {
            path: change.path,
            mode: '100644' as const,
            type: 'blob' as const,
            content: change.content,
          },
    ),
  });
  const commit = await octokit.rest.git.createCommit({
    owner,
    repo,
    message: `${set.message.trimEnd()}\n\n${trailer}`,
    tree: tree.data.sha,
    parents: [tip.sha],
    ...(set.author === undefined ? {} : { author: set.author, committer: set.author }),
  });
  await octokit.rest.git
    .updateRef({ owner, repo, ref, sha: commit.data.sha, force: false })
    .catch((error: unknown) => {
      throw refusedUpdate(error, `${owner}/${repo}`, branch);
    });
  return commit.data.sha;
}

/**
 * Why GitHub refused to move the branch, with the advice that fits. GitHub answers 422 for
 * several causes and says which in its message: "Update is not a fast forward" when the branch
 * moved since its tip was read (someone pushed: a retry builds on the new tip); "Protected
 * branch update failed …", "Required status check … is expected" or "Repository rule
 * violations found …" (409, 403 or 405 from some rulesets) when branch protection or a
 * ruleset forbids the update, which no retry changes. Anything else is GitHub's own error.
 */
function refusedUpdate(error: unknown, repository: string, branch: string): unknown {
  if (!(error instanceof VendorError)) return error;
  if (hasStatus(error, 422) && /not a fast.?forward/i.test(error.message))
    return new StepError(
      `${branch} in ${repository} moved while aidev was committing to it (someone else pushed); run the step again to build on it`,
      { code: 'conflict', retryable: true, cause: error },
    );
  // The compare-and-swap lost to an update in between, or GitHub could not take the lock.
  if (hasStatus(error, 422) && /reference (cannot be updated|update failed)/i.test(error.message))
    return new StepError(
      `GitHub could not move ${branch} in ${repository} (${error.message}); run the step again`,
      { code: 'conflict', retryable: true, cause: error },
    );
  if (
    hasStatus(error, 403, 405, 409, 422) &&
    /protected branch|rule violation|ruleset|status checks? .*expected|through a pull request/i.test(
      error.message,
    )
  )
    return new StepError(
      `${branch} in ${repository} is protected: GitHub refused the commit (${error.message}); commit to another branch and open a pull request, or change the branch's protection rules or rulesets`,
      { code: 'branch_protected', cause: error },
    );
  return error;
}
