import { execFile } from 'node:child_process';
import { appendFile, cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { StepError } from '../engine/step-errors.js';

/**
 * A working copy of a repository and aidev's private record of it.
 *
 * The working copy, with a `.git` of its own so that the agent can run `git diff` or `git log`,
 * is handed to the sandbox, where a command may change anything in it — `.git/config`, hooks,
 * `.gitattributes` included. aidev's own git commands (outside the sandbox, as aidev's user)
 * therefore never read that `.git`: they use a private git directory beside the working copy,
 * outside the sandbox's view, copied from the clone before anything untrusted ran in it and whose
 * configuration only aidev writes. A hook, filter, fsmonitor or pager the agent plants is never
 * run by aidev; attributes naming a filter find no definition of it.
 */
export interface WorkingCopy {
  /** The directory the agent works in (handed to the sandbox). */
  readonly directory: string;
  /** aidev's own git directory for it (never handed to the sandbox). */
  readonly gitDir: string;
}

/** Where aidev keeps its private git directory for a working copy: beside it, not inside. */
export function workingCopyOf(directory: string): WorkingCopy {
  const resolved = path.resolve(directory);
  return { directory: resolved, gitDir: `${resolved}.aidev-git` };
}

/** The change a diff may carry; larger means generated output, not a code change. */
export const MAX_PATCH_BYTES = 32 * 1024 * 1024;

/**
 * Takes aidev's private copy of a freshly cloned working copy's `.git`. Call it right after the
 * clone, before any command (setup, tests, the agent) has run in the working copy.
 */
export async function protectWorkingCopy(copy: WorkingCopy): Promise<void> {
  await rm(copy.gitDir, { recursive: true, force: true });
  await cp(path.join(copy.directory, '.git'), copy.gitDir, {
    recursive: true,
    verbatimSymlinks: true,
  });
}

/** The commit the working copy was checked out at (its private HEAD). */
export async function baseOf(copy: WorkingCopy): Promise<string> {
  return (await privateGit(copy, ['rev-parse', '--verify', 'HEAD^{commit}']))
    .toString('utf8')
    .trim();
}

/**
 * Everything that differs from `base` in the working copy, as git sees it — added, modified,
 * deleted and renamed files, mode changes, links, binary files — as `git diff --binary` output
 * in base64 (any bytes survive JSON); null when nothing differs.
 */
export async function diffSince(copy: WorkingCopy, base: string): Promise<string | null> {
  await stageEverything(copy, base);
  const diff = await privateGit(copy, [
    'diff',
    '--cached',
    '--binary',
    '--full-index',
    '--find-renames',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--src-prefix=a/',
    '--dst-prefix=b/',
    base,
    '--',
  ]);
  if (diff.length === 0) return null;
  if (diff.length > MAX_PATCH_BYTES)
    throw new StepError(
      `the change in the working copy is ${diff.length} bytes as a diff, more than the ${MAX_PATCH_BYTES} a change may have; remove generated files (build output, dependencies) from it`,
      { code: 'change_too_large' },
    );
  return diff.toString('base64');
}

/** One changed path, as `git diff --name-status` says it. */
export interface ChangedPath {
  /** A added, M modified, D deleted, R renamed, T type changed (file ↔ link), … */
  readonly status: string;
  readonly path: string;
  /** For a rename: where it was. */
  readonly from?: string;
}

/** What changed since `base`, path by path (mode-only changes show as M). */
export async function changedPaths(copy: WorkingCopy, base: string): Promise<ChangedPath[]> {
  await stageEverything(copy, base);
  const out = (
    await privateGit(copy, [
      'diff',
      '--cached',
      '--name-status',
      '-z',
      '--find-renames',
      base,
      '--',
    ])
  ).toString('utf8');
  const fields = out.split('\0').filter((f) => f !== '');
  const changes: ChangedPath[] = [];
  for (let i = 0; i < fields.length;) {
    const status = fields[i++] ?? '';
    if (status.startsWith('R') || status.startsWith('C')) {
      const from = fields[i++] ?? '';
      changes.push({ status: status.charAt(0), path: fields[i++] ?? '', from });
    } else changes.push({ status: status.charAt(0), path: fields[i++] ?? '' });
  }
  return changes;
}

/**
 * Leaves out of every later diff what is in the working copy now and not tracked — what a setup
 * command installed (dependencies, generated files) in a repository that does not ignore it. Call
 * it right after the setup command, before any change of the agent's is there.
 */
export async function ignoreUntracked(copy: WorkingCopy): Promise<string[]> {
  const untracked = (
    await privateGit(copy, ['ls-files', '--others', '--exclude-standard', '--directory', '-z'])
  )
    .toString('utf8')
    .split('\0')
    .filter((p) => p !== '');
  if (untracked.length === 0) return [];
  const patterns = untracked.map(
    (p) => `/${p.replace(/[\\*?[\]!#]/g, '\\$&').replace(/ $/, '\\ ')}`,
  );
  await mkdir(path.join(copy.gitDir, 'info'), { recursive: true });
  await appendFile(path.join(copy.gitDir, 'info', 'exclude'), `\n${patterns.join('\n')}\n`);
  return untracked;
}

/**
 * Puts a saved change back on a working copy checked out at the change's base (a step resumed
 * on another worker, or after a crash): the working copy then holds what it held when the
 * change was saved.
 */
export async function applyPatch(copy: WorkingCopy, diffBase64: string): Promise<void> {
  const diff = Buffer.from(diffBase64, 'base64');
  try {
    await privateGit(copy, ['apply', '--binary', '--whitespace=nowarn', '-'], diff);
  } catch (error) {
    throw new StepError(
      `the saved change does not apply to the working copy any more: ${(error as Error).message}`,
      { code: 'patch_failed', cause: error },
    );
  }
}

/**
 * Brings a reused working copy back to exactly `sha`: every tracked file as committed, every
 * other file removed (ignored ones too), and the agent's `.git` replaced by a fresh copy of
 * aidev's.
 */
export async function resetWorkingCopy(copy: WorkingCopy, sha: string): Promise<void> {
  await privateGit(copy, ['checkout', '--force', '--quiet', '--detach', sha]);
  await privateGit(copy, ['clean', '-ffdxq']);
  const agentGit = path.join(copy.directory, '.git');
  await rm(agentGit, { recursive: true, force: true });
  await cp(copy.gitDir, agentGit, { recursive: true, verbatimSymlinks: true });
}

/**
 * The index of the private git directory made to hold the working copy's files: every change to
 * a tracked file, every new file except those the repository ignores (dependencies a setup
 * command installed, build output).
 */
async function stageEverything(copy: WorkingCopy, base: string): Promise<void> {
  await privateGit(copy, ['read-tree', base]);
  await privateGit(copy, ['add', '--all', '--', '.']);
}

/**
 * Settings that keep git from running anything or changing bytes, whatever a configuration
 * says: no hooks, no fsmonitor, no pager, no line-ending conversion, no ownership refusal (the
 * working copy belongs to the sandbox's user).
 */
const SAFE_CONFIG = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.pager=cat',
  'core.autocrlf=false',
  'core.safecrlf=false',
  'core.symlinks=true',
  'safe.directory=*',
  'gc.auto=0',
].flatMap((setting) => ['-c', setting]);

/** Runs git on the working copy through aidev's private git directory; bytes in and out. */
export function privateGit(
  copy: WorkingCopy,
  args: readonly string[],
  input?: Buffer,
): Promise<Buffer> {
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_'))),
    GIT_DIR: copy.gitDir,
    GIT_WORK_TREE: copy.directory,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'aidev',
    GIT_AUTHOR_EMAIL: 'aidev@localhost',
    GIT_COMMITTER_NAME: 'aidev',
    GIT_COMMITTER_EMAIL: 'aidev@localhost',
  };
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...SAFE_CONFIG, ...args],
      { cwd: copy.directory, env, encoding: 'buffer', maxBuffer: MAX_PATCH_BYTES * 2 },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        const detail = stderr.toString('utf8').trim().split('\n').at(-1) ?? error.message;
        reject(
          new StepError(`git ${args[0] ?? ''} failed in the working copy: ${detail}`, {
            code: 'git_failed',
            cause: error,
          }),
        );
      },
    );
    child.stdin?.end(input);
  });
}
