import { execFileSync } from 'node:child_process';

/** git for a test's own set-up, with a fixed identity and no machine configuration: its output. */
export function setupGitOutput(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).toString('utf8');
}

/** The same, its output trimmed (a sha, a ref name). */
export const setupGit = (cwd: string, ...args: string[]): string =>
  setupGitOutput(cwd, ...args).trim();
