import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StepError } from '../engine/step-errors.js';
import { GitError } from './git.js';

/** The trailer that names the step a commit was made for: a retried step finds its commit. */
export const IDEMPOTENCY_TRAILER = 'Aidev-Idempotency-Key';

export interface CommitIdentity {
  readonly name: string;
  readonly email: string;
}

export interface PatchCommit {
  /** A repository holding `tip` (bare or not: no working tree is touched). */
  readonly repo: string;
  /** The commit to build on (the branch's tip). */
  readonly tip: string;
  /** `git diff --binary` output, base64. */
  readonly diffBase64: string;
  /** The commit the diff was made from (the working copy's head), to explain a failure. */
  readonly base?: string;
  readonly message: string;
  readonly idempotencyKey: string;
  readonly identity: CommitIdentity;
}

/**
 * Whether `tip` is the commit an earlier attempt of this step made: its message has the trailer
 * line with exactly this key (`run-1:commit` is not `run-1:commit-2`).
 */
export async function madeBy(repo: string, tip: string, idempotencyKey: string): Promise<boolean> {
  const message = (await run(repo, ['log', '-1', '--format=%B', tip])).toString('utf8');
  return hasTrailer(message, idempotencyKey);
}

/** Whether a commit message carries the idempotency trailer line of exactly `key`. */
export function hasTrailer(message: string, key: string): boolean {
  return message.split('\n').some((line) => line.trimEnd() === `${IDEMPOTENCY_TRAILER}: ${key}`);
}

/**
 * A commit on `tip` holding the patch, made in a private index (the patch applied with
 * `git apply --cached`: modes, links, binaries, renames and deletions as git recorded them).
 * The ref is not moved: the caller updates it (local) or pushes it (a remote).
 */
export async function commitPatch(options: PatchCommit): Promise<string> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'aidev-patch-index-'));
  const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
  try {
    await run(options.repo, ['read-tree', options.tip], { env });
    await run(options.repo, ['apply', '--cached', '--binary', '--whitespace=nowarn', '-'], {
      env,
      input: Buffer.from(options.diffBase64, 'base64'),
    }).catch((error: unknown) => {
      const moved =
        options.base !== undefined && options.base !== options.tip
          ? ` (the change was made on ${options.base.slice(0, 12)}: the branch moved since the working copy was checked out)`
          : '';
      throw new StepError(
        `the change does not apply to the branch's tip ${options.tip.slice(0, 12)}${moved}: ${(error as Error).message}`,
        { code: 'patch_failed', cause: error },
      );
    });
    const tree = (await run(options.repo, ['write-tree'], { env })).toString('utf8').trim();
    const parentTree = (await run(options.repo, ['rev-parse', `${options.tip}^{tree}`]))
      .toString('utf8')
      .trim();
    if (tree === parentTree)
      throw new StepError('the change changes nothing on the branch', { code: 'empty_change' });
    const message = `${options.message.trim()}\n\n${IDEMPOTENCY_TRAILER}: ${options.idempotencyKey}\n`;
    const { name, email } = options.identity;
    return (
      await run(options.repo, ['commit-tree', tree, '-p', options.tip], {
        input: Buffer.from(message),
        env: {
          GIT_AUTHOR_NAME: name,
          GIT_AUTHOR_EMAIL: email,
          GIT_COMMITTER_NAME: name,
          GIT_COMMITTER_EMAIL: email,
        },
      })
    )
      .toString('utf8')
      .trim();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Moves a local branch to `to` only if it is still at `from` (compare and swap). A branch that
 * moved meanwhile, or that another git is moving right now, is a retryable conflict: the retry
 * builds on its new tip.
 */
export async function moveBranch(
  repo: string,
  branch: string,
  to: string,
  from: string,
): Promise<void> {
  try {
    await run(repo, ['update-ref', '-m', 'aidev: commit', `refs/heads/${branch}`, to, from]);
  } catch (error) {
    if (error instanceof GitError && /cannot lock ref/i.test(error.stderr))
      throw new StepError(
        `${branch} moved while aidev was committing to it (it is no longer at ${from.slice(0, 12)}, or another git is updating it); retry to build on its new tip`,
        { code: 'conflict', retryable: true, cause: error },
      );
    throw error;
  }
}

function run(
  repo: string,
  args: readonly string[],
  options: { env?: Record<string, string>; input?: Buffer } = {},
): Promise<Buffer> {
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_'))),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-c', 'core.hooksPath=/dev/null', '-c', 'safe.directory=*', ...args],
      { cwd: repo, env, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        const said = stderr.toString('utf8');
        const detail = said.trim().split('\n').at(-1) ?? error.message;
        reject(new GitError(`git ${args[0] ?? ''} failed: ${detail}`, said, error));
      },
    );
    child.stdin?.end(options.input);
  });
}
