import { execFile } from 'node:child_process';
import { StepError } from '../engine/step-errors.js';

/** Identity for commits aidev makes, so that a machine without git config can commit. */
const IDENTITY = {
  GIT_AUTHOR_NAME: 'aidev',
  GIT_AUTHOR_EMAIL: 'aidev@localhost',
  GIT_COMMITTER_NAME: 'aidev',
  GIT_COMMITTER_EMAIL: 'aidev@localhost',
};

export interface GitOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Written to git's standard input. */
  readonly input?: string;
  readonly signal?: AbortSignal;
}

/** Runs git and returns its standard output; a failure carries git's own message. */
export function git(args: readonly string[], options: GitOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      {
        cwd: options.cwd,
        env: { ...process.env, ...IDENTITY, GIT_TERMINAL_PROMPT: '0', ...options.env },
        maxBuffer: 64 * 1024 * 1024,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        const detail = stderr.trim().split('\n').at(-1) ?? error.message;
        reject(new GitError(`git ${args[0] ?? ''} failed: ${detail}`, stderr, error));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export class GitError extends StepError {
  constructor(
    message: string,
    readonly stderr: string,
    cause: unknown,
  ) {
    super(message, { code: 'git_failed', cause });
  }
}

/** The commit a ref points to, or undefined if there is no such ref. */
export async function resolveRef(cwd: string, ref: string): Promise<string | undefined> {
  try {
    return (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd })).trim();
  } catch {
    return undefined;
  }
}
