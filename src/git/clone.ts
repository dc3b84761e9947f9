import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { StepError } from '../engine/step-errors.js';

/** How to reach a repository: an https URL (or a local path), and headers for that command. */
export interface Remote {
  /** Where to clone from or push to: an https URL, or a local repository's path. */
  readonly url: string;
  /**
   * HTTP headers for this command only (`Authorization: Basic …`). They go to git through
   * GIT_CONFIG_COUNT/KEY/VALUE in its environment: never in argv (which `ps` shows), a URL, a
   * remote or a file on disk.
   */
  readonly headers?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface CloneRequest extends Remote {
  /** The branch to check out. */
  readonly ref: string;
  /** An empty or missing directory to clone into. */
  readonly directory: string;
  /**
   * False: no files written, only the repository (enough to build a commit on the tip with a
   * private index); faster on a large repository. Default true.
   */
  readonly checkout?: boolean;
}

/**
 * `directory`, proven to lie inside the data directory's `workspaces/`: a clone replaces what is
 * there, so a workflow can never point one at another folder of the machine.
 */
export function insideWorkspaces(dataDir: string, directory: string): string {
  const root = path.resolve(dataDir, 'workspaces');
  const resolved = path.resolve(directory);
  const relative = path.relative(root, resolved);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative))
    throw new StepError(
      `refusing to check out into ${directory}: working copies live under ${root}`,
      { code: 'invalid_input' },
    );
  return resolved;
}

/**
 * A shallow clone of one branch with every file as committed — modes, links, binaries, large
 * files, every folder. No tags, no submodules, no hooks, no credential helper, no prompt.
 * Returns the commit checked out.
 */
export async function cloneBranch(request: CloneRequest): Promise<string> {
  refuseOptionLike(request.url, request.ref);
  await rm(request.directory, { recursive: true, force: true });
  await mkdir(path.dirname(request.directory), { recursive: true });
  const where = `${request.url} at ${request.ref}`;
  await gitCommand(
    [
      ...NO_HELPERS,
      'clone',
      '--quiet',
      // A local repository is copied through git's transport, never hard-linked: the working
      // copy is given to the sandbox's user, who must not own the source's objects.
      '--no-local',
      '--depth=1',
      '--single-branch',
      '--no-tags',
      '--no-recurse-submodules',
      `--branch=${request.ref}`,
      ...(request.checkout === false ? ['--no-checkout'] : []),
      '--',
      request.url,
      request.directory,
    ],
    {
      ...request,
      cwd: path.dirname(request.directory),
      failure: (e) => failed('clone', where, request.ref, e),
    },
  );
  const head = await gitCommand(['rev-parse', 'HEAD'], {
    ...request,
    cwd: request.directory,
    failure: (e) => failed('clone', where, request.ref, e),
  });
  return head.trim();
}

/**
 * Pushes `commit` (in the local repository `repo`) to the remote's `branch`. Not forced: a
 * branch someone moved meanwhile refuses it, and the step says so.
 */
export async function pushCommit(
  request: Remote & { readonly repo: string; readonly commit: string; readonly branch: string },
): Promise<void> {
  refuseOptionLike(request.url, request.branch);
  await gitCommand(
    [
      ...NO_HELPERS,
      'push',
      '--quiet',
      '--no-verify',
      '--',
      request.url,
      `${request.commit}:refs/heads/${request.branch}`,
    ],
    {
      ...request,
      cwd: request.repo,
      failure: (e) => failed('push to', `${request.url} ${request.branch}`, request.branch, e),
    },
  );
}

/** No credential helper (the header is the only credential), no hooks. */
const NO_HELPERS = ['-c', 'credential.helper=', '-c', 'core.hooksPath=/dev/null'];

function refuseOptionLike(...values: string[]): void {
  const bad = values.find((value) => value.startsWith('-'));
  if (bad !== undefined)
    throw new StepError(`refusing ${JSON.stringify(bad)}: not a repository, branch or URL`, {
      code: 'invalid_input',
    });
}

function gitCommand(
  args: readonly string[],
  options: Remote & { readonly cwd: string; readonly failure: (stderr: string) => StepError },
): Promise<string> {
  const headers = options.headers ?? [];
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_'))),
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_COUNT: String(headers.length),
    ...Object.fromEntries(
      headers.flatMap((header, i) => [
        [`GIT_CONFIG_KEY_${i}`, 'http.extraHeader'],
        [`GIT_CONFIG_VALUE_${i}`, header],
      ]),
    ),
  };
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      {
        cwd: options.cwd,
        env,
        maxBuffer: 16 * 1024 * 1024,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        // Stopped on purpose (the run was cancelled, the step timed out): not git's failure.
        if (options.signal?.aborted === true) return reject(options.signal.reason as Error);
        reject(options.failure(stderr));
      },
    );
  });
}

/** git's complaint in words a person can act on, without anything secret from the request. */
function failed(verb: string, where: string, ref: string, stderr: string): StepError {
  const said = gitSaid(stderr);
  if (/Remote branch .* not found|couldn't find remote ref/i.test(stderr))
    return new StepError(`cannot ${verb} ${where}: there is no branch ${ref}`, {
      code: 'not_found',
    });
  if (/Authentication failed|\b401\b|\b403\b|could not read Username/i.test(stderr))
    return new StepError(
      `cannot ${verb} ${where}: the credentials were refused (check the token and that it may ${verb === 'clone' ? 'read' : 'write to'} this repository)`,
      { code: 'unauthorized' },
    );
  // Refused by this git (the remote's tip is not an ancestor: `[rejected] … (fetch first)`), or
  // by the remote when the branch moved between its advertisement and the update
  // (`[remote rejected] … (failed to update ref)`, `cannot lock ref …: is at … but expected …`).
  if (
    /\[rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref/i.test(stderr)
  )
    return new StepError(
      `cannot ${verb} ${where}: the branch moved meanwhile (someone pushed to it); retry to build on its new tip`,
      { code: 'conflict', retryable: true },
    );
  // Any other refusal (a protected branch, a pre-receive hook) stands however often it is tried.
  if (/\[remote rejected\]/.test(stderr))
    return new StepError(`cannot ${verb} ${where}: the remote refused it: ${said}`, {
      code: 'push_refused',
    });
  if (
    /not found|does not appear to be a git repository|repository '.*' does not exist|\b404\b/i.test(
      stderr,
    )
  )
    return new StepError(`cannot ${verb} ${where}: no such repository (or it is not visible)`, {
      code: 'not_found',
    });
  return new StepError(`cannot ${verb} ${where}: ${said}`, { code: 'git_failed', retryable: true });
}

/**
 * The line of git's complaint that says why: a refused ref's ` ! [...] (reason)` line, else the
 * first `fatal:`, else the last line (`error: failed to push some refs` says nothing more).
 */
function gitSaid(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return (
    lines.find((line) => line.startsWith('! ')) ??
    lines.find((line) => line.startsWith('fatal:')) ??
    lines.at(-1) ??
    ''
  );
}
