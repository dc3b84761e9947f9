import { execFile, execFileSync } from 'node:child_process';

/**
 * git as the local GitHub server runs it on its bare repositories: none of the caller's GIT_*
 * variables, no system or global configuration (the machine's settings must not change what the
 * server stores or answers), and bytes in and out.
 */
export const serverGitEnv: Readonly<NodeJS.ProcessEnv> = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_'))),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

export interface ServerGitOptions {
  readonly input?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
}

/** For test assertions, which read the repository between requests. */
export function gitSync(dir: string, args: readonly string[], options: ServerGitOptions = {}) {
  return execFileSync('git', args, {
    cwd: dir,
    env: { ...serverGitEnv, ...options.env },
    maxBuffer: 512 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.input === undefined ? {} : { input: options.input }),
  });
}

/** For request handlers, which must not hold up the server while git works. */
export function gitAsync(
  dir: string,
  args: readonly string[],
  options: ServerGitOptions = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      {
        cwd: dir,
        env: { ...serverGitEnv, ...options.env },
        encoding: 'buffer',
        maxBuffer: 512 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        reject(
          new ServerGitError(`git ${args.join(' ')}: ${stderr.toString('utf8').trim()}`, error),
        );
      },
    );
    child.stdin?.end(options.input);
  });
}

export class ServerGitError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'ServerGitError';
  }
}
