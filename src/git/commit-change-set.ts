import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StepError } from '../engine/step-errors.js';
import {
  hasTrailer,
  IDEMPOTENCY_TRAILER,
  moveBranch,
  type CommitIdentity,
} from './commit-patch.js';
import { git, resolveRef } from './git.js';

export type Change =
  | { readonly path: string; readonly content: string }
  | { readonly path: string; readonly delete: true };

/**
 * Commits a change set to a branch as one commit, without touching any working tree: blobs →
 * a tree built in a private index → a commit → a compare-and-swap ref update (the same sequence
 * as GitHub's git data API). The idempotency key is recorded as a commit trailer, so a retried
 * step finds its commit instead of making a second one.
 */
export async function commitChangeSet(options: {
  repo: string;
  branch: string;
  message: string;
  changes: readonly Change[];
  idempotencyKey: string;
  /** Author and committer (default: git's own identity for aidev). */
  identity?: CommitIdentity | undefined;
}): Promise<{ sha: string; created: boolean }> {
  const { repo, branch } = options;
  const tip = await resolveRef(repo, `refs/heads/${branch}`);
  if (tip === undefined)
    throw new StepError(`no branch ${branch} in ${repo}; create it first`, { code: 'not_found' });
  const tipMessage = await git(['log', '-1', '--format=%B', tip], { cwd: repo });
  if (hasTrailer(tipMessage, options.idempotencyKey)) return { sha: tip, created: false };
  for (const change of options.changes) checkPath(change.path);

  const dir = await mkdtemp(path.join(tmpdir(), 'aidev-index-'));
  const env = { GIT_INDEX_FILE: path.join(dir, 'index') };
  try {
    await git(['read-tree', tip], { cwd: repo, env });
    for (const change of options.changes) {
      if ('delete' in change) {
        const listed = await git(['ls-files', '--', change.path], { cwd: repo, env });
        if (listed.trim() === '')
          throw new StepError(`cannot delete ${change.path}: it is not in ${branch}`, {
            code: 'invalid_change',
          });
        await git(['update-index', '--force-remove', '--', change.path], { cwd: repo, env });
      } else {
        const blob = (
          await git(['hash-object', '-w', '--stdin'], { cwd: repo, input: change.content })
        ).trim();
        const mode = (
          await git(['ls-files', '-s', '--', change.path], { cwd: repo, env })
        ).startsWith('100755')
          ? '100755'
          : '100644';
        await git(['update-index', '--add', '--cacheinfo', `${mode},${blob},${change.path}`], {
          cwd: repo,
          env,
        });
      }
    }
    const tree = (await git(['write-tree'], { cwd: repo, env })).trim();
    const parentTree = (await git(['rev-parse', `${tip}^{tree}`], { cwd: repo })).trim();
    if (tree === parentTree)
      throw new StepError(`the change set changes nothing in ${branch}`, { code: 'empty_change' });
    const message = `${options.message.trim()}\n\n${IDEMPOTENCY_TRAILER}: ${options.idempotencyKey}\n`;
    const who = options.identity;
    const commit = (
      await git(['commit-tree', tree, '-p', tip], {
        cwd: repo,
        input: message,
        ...(who === undefined
          ? {}
          : {
              env: {
                GIT_AUTHOR_NAME: who.name,
                GIT_AUTHOR_EMAIL: who.email,
                GIT_COMMITTER_NAME: who.name,
                GIT_COMMITTER_EMAIL: who.email,
              },
            }),
      })
    ).trim();
    await moveBranch(repo, branch, commit, tip);
    return { sha: commit, created: true };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Paths stay inside the repository and out of its .git directory. */
function checkPath(file: string): void {
  const normal = path.posix.normalize(file);
  if (
    file === '' ||
    path.posix.isAbsolute(file) ||
    normal.startsWith('../') ||
    normal === '..' ||
    normal.split('/').includes('.git')
  ) {
    throw new StepError(
      `refusing to write ${JSON.stringify(file)}: paths must be relative, inside the repository and outside .git`,
      { code: 'invalid_change' },
    );
  }
}
