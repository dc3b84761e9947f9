import { StepError } from '../../engine/step-errors.js';
import { hasStatus, type GitHubClient } from './github-client.js';

export interface ChangeSet {
  readonly owner: string;
  readonly repo: string;
  readonly branch: string;
  readonly message: string;
  readonly changes: readonly ({ path: string; content: string } | { path: string; delete: true })[];
  readonly idempotencyKey: string;
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
  });
  await octokit.rest.git
    .updateRef({ owner, repo, ref, sha: commit.data.sha, force: false })
    .catch((error: unknown) => {
      if (hasStatus(error, 422))
        throw new StepError(
          `${branch} moved while aidev was committing to it (someone else pushed); run the step again`,
          { code: 'conflict', retryable: true, cause: error },
        );
      throw error;
    });
  return commit.data.sha;
}
