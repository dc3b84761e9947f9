import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cloneBranch, pushCommit, type Remote } from '../../git/clone.js';
import { commitPatch, madeBy, type CommitIdentity } from '../../git/commit-patch.js';
import type { ServiceGuard } from '../../resilience/service-guard.js';
import { webUrlOf } from './github-client.js';

/**
 * git's smart HTTP to GitHub, as GitHub documents it for apps and tokens: the clone URL on the
 * web host, the token as the password of HTTP Basic (user `x-access-token`), sent as a header
 * of that one command. Each clone or push is one call through the GitHub guard. The token is
 * asked for each command: an App's installation token is renewed when it nears its expiry.
 */
export function gitTransport(options: {
  /** The token for a repository (a personal token, or the App's installation token). */
  readonly token: (owner: string, repo: string) => Promise<string>;
  readonly apiUrl: string;
  readonly guard: ServiceGuard;
  /** Author and committer of the commits pushed to a repository. */
  readonly identity: (owner: string, repo: string) => Promise<CommitIdentity>;
}) {
  const web = webUrlOf(options.apiUrl);
  const remote = async (owner: string, repo: string, signal?: AbortSignal): Promise<Remote> => {
    const token = await options.token(owner, repo);
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    return {
      url: `${web}/${owner}/${repo}.git`,
      headers: [`Authorization: Basic ${basic}`],
      ...(signal === undefined ? {} : { signal }),
    };
  };

  return {
    /** A shallow clone of `ref` into `directory`; the commit checked out. */
    async checkOut(
      owner: string,
      repo: string,
      ref: string,
      directory: string,
      signal?: AbortSignal,
    ) {
      const where = await remote(owner, repo, signal);
      return options.guard.call(
        `git clone ${owner}/${repo}`,
        () => cloneBranch({ ...where, ref, directory }),
        signalOf(signal),
      );
    },

    /**
     * A working copy's patch as one commit on `branch`, pushed: the branch's tip is cloned
     * (its repository only: no file is written, the commit is built in a private index),
     * an earlier attempt's commit is found by its trailer, else the patch is applied on the tip
     * and the commit pushed (not forced: a branch that moved meanwhile makes it retry).
     */
    async commitPatch(input: {
      owner: string;
      repo: string;
      branch: string;
      message: string;
      diffBase64: string;
      base: string;
      idempotencyKey: string;
      signal?: AbortSignal;
    }): Promise<string> {
      const scratch = await mkdtemp(path.join(tmpdir(), 'aidev-github-commit-'));
      const directory = path.join(scratch, 'clone');
      try {
        const where = await remote(input.owner, input.repo, input.signal);
        const tip = await options.guard.call(
          `git clone ${input.owner}/${input.repo}`,
          () => cloneBranch({ ...where, ref: input.branch, directory, checkout: false }),
          signalOf(input.signal),
        );
        if (await madeBy(directory, tip, input.idempotencyKey)) return tip;
        const commit = await commitPatch({
          repo: directory,
          tip,
          diffBase64: input.diffBase64,
          base: input.base,
          message: input.message,
          idempotencyKey: input.idempotencyKey,
          identity: await options.identity(input.owner, input.repo),
        });
        // A fresh remote: the clone's token may have neared its expiry while the patch applied.
        const pushTo = await remote(input.owner, input.repo, input.signal);
        await options.guard.call(
          `git push ${input.owner}/${input.repo}`,
          () => pushCommit({ ...pushTo, repo: directory, commit, branch: input.branch }),
          signalOf(input.signal),
        );
        return commit;
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  };
}

/** The guard's options for a call that a signal may stop while it waits its turn. */
function signalOf(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
