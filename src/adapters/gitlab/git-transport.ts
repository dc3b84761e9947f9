import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cloneBranch, pushCommit, type Remote } from '../../git/clone.js';
import { commitChangeSet, type Change } from '../../git/commit-change-set.js';
import { commitPatch, madeBy, type CommitIdentity } from '../../git/commit-patch.js';
import { git } from '../../git/git.js';
import type { ServiceGuard } from '../../resilience/service-guard.js';

/**
 * git's smart HTTP to GitLab, as GitLab documents it for access tokens: the project's
 * `http_url_to_repo`, the token as the password of HTTP Basic (user `oauth2`), sent as a
 * header of that one command — never in a URL, argv, a remote or a file. Each clone or push is
 * one call through the GitLab guard.
 */
export function gitlabTransport(options: {
  readonly token: string;
  readonly guard: ServiceGuard;
  readonly identity: CommitIdentity;
}) {
  const basic = Buffer.from(`oauth2:${options.token}`).toString('base64');
  const remote = (url: string, signal?: AbortSignal): Remote => ({
    url,
    headers: [`Authorization: Basic ${basic}`],
    ...(signal === undefined ? {} : { signal }),
  });
  const guarded = <T>(what: string, fn: () => Promise<T>, signal?: AbortSignal) =>
    options.guard.call(what, fn, signal === undefined ? {} : { signal });

  /** A bare shallow clone of `ref` in a scratch directory, for `use`; removed afterwards. */
  async function withTip<T>(
    url: string,
    ref: string,
    signal: AbortSignal | undefined,
    use: (directory: string, tip: string) => Promise<T>,
  ): Promise<T> {
    const scratch = await mkdtemp(path.join(tmpdir(), 'aidev-gitlab-'));
    const directory = path.join(scratch, 'clone');
    try {
      const tip = await guarded(
        `git clone ${url}`,
        () => cloneBranch({ ...remote(url, signal), ref, directory, checkout: false }),
        signal,
      );
      return await use(directory, tip);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** Pushes a commit made in a scratch clone to the remote branch (not forced). */
  function push(
    url: string,
    directory: string,
    commit: string,
    branch: string,
    signal?: AbortSignal,
  ) {
    return guarded(
      `git push ${url}`,
      () => pushCommit({ ...remote(url, signal), repo: directory, commit, branch }),
      signal,
    );
  }

  return {
    /** A shallow clone of `ref` into `directory`; the commit checked out. */
    checkOut(url: string, ref: string, directory: string, signal?: AbortSignal) {
      return guarded(
        `git clone ${url}`,
        () => cloneBranch({ ...remote(url, signal), ref, directory }),
        signal,
      );
    },

    /**
     * Every file at `ref` with its size in bytes. GitLab's tree API lists paths without sizes
     * (a size would cost a request per file), so the tip is fetched once and git lists it.
     */
    fileTree(url: string, ref: string, signal?: AbortSignal) {
      return withTip(url, ref, signal, async (directory, tip) => {
        const listing = await git(['ls-tree', '-r', '-l', '-z', '--full-tree', tip], {
          cwd: directory,
        });
        return listing
          .split('\0')
          .filter((record) => record !== '')
          .map((record) => {
            const tab = record.indexOf('\t');
            const [, type = '', , size = '0'] = record.slice(0, tab).trim().split(/\s+/);
            return { type, path: record.slice(tab + 1), size: Number(size) };
          })
          .filter((entry) => entry.type === 'blob')
          .map(({ path: file, size }) => ({ path: file, size }));
      });
    },

    /**
     * A working copy's patch as one commit on `branch`, pushed: the tip is cloned (no files
     * written), an earlier attempt's commit is found by its trailer, else the patch is applied
     * on the tip in a private index and pushed (not forced: a branch that moved makes it retry).
     */
    commitPatch(input: {
      url: string;
      branch: string;
      message: string;
      diffBase64: string;
      base: string;
      idempotencyKey: string;
      signal?: AbortSignal;
    }): Promise<string> {
      return withTip(input.url, input.branch, input.signal, async (directory, tip) => {
        if (await madeBy(directory, tip, input.idempotencyKey)) return tip;
        const commit = await commitPatch({
          repo: directory,
          tip,
          diffBase64: input.diffBase64,
          base: input.base,
          message: input.message,
          idempotencyKey: input.idempotencyKey,
          identity: options.identity,
        });
        await push(input.url, directory, commit, input.branch, input.signal);
        return commit;
      });
    },

    /**
     * A change set (writes and deletions) as one commit on `branch`, pushed: built on the
     * cloned tip in a private index (modes kept, no create-or-update guess as GitLab's commits
     * API needs), or the tip itself when an earlier attempt's trailer is there.
     */
    commitChanges(input: {
      url: string;
      branch: string;
      message: string;
      changes: readonly Change[];
      idempotencyKey: string;
      signal?: AbortSignal;
    }): Promise<string> {
      return withTip(input.url, input.branch, input.signal, async (directory) => {
        const { sha, created } = await commitChangeSet({
          repo: directory,
          branch: input.branch,
          message: input.message,
          changes: input.changes,
          idempotencyKey: input.idempotencyKey,
          identity: options.identity,
        });
        if (created) await push(input.url, directory, sha, input.branch, input.signal);
        return sha;
      });
    },
  };
}

export type GitLabTransport = ReturnType<typeof gitlabTransport>;
