import {
  execFile,
  execFileSync,
  spawn,
  type ChildProcessWithoutNullStreams,
} from 'node:child_process';

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

/** An object as git stores it. */
export interface GitObject {
  readonly type: string;
  readonly content: Buffer;
}

/**
 * One long-running `git cat-file --batch` for a repository: an object's type and bytes by sha
 * without starting a process per read (a request reads several). It sees objects written after
 * it started (git looks again when an object is missing). close() before the repository goes.
 */
export class ObjectReader {
  private child: ChildProcessWithoutNullStreams | undefined;
  private pending = Buffer.alloc(0);
  private readonly waiting: {
    resolve: (object: GitObject | undefined) => void;
    reject: (error: Error) => void;
  }[] = [];

  constructor(private readonly dir: string) {}

  /** The object `sha` names (40 hex digits), or undefined if there is none. */
  read(sha: string): Promise<GitObject | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return Promise.resolve(undefined);
    const child = this.started();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      child.stdin.write(`${sha}\n`);
    });
  }

  close(): void {
    this.child?.stdin.end();
    this.child?.kill();
    this.child = undefined;
  }

  private started(): ChildProcessWithoutNullStreams {
    if (this.child !== undefined) return this.child;
    const child = spawn('git', ['cat-file', '--batch'], { cwd: this.dir, env: serverGitEnv });
    child.stdout.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      this.answer();
    });
    child.stdin.on('error', () => undefined);
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
      this.pending = Buffer.alloc(0);
      for (const waiting of this.waiting.splice(0))
        waiting.reject(new ServerGitError(`git cat-file --batch in ${this.dir} stopped`, null));
    });
    // A test that forgets close() must not keep the process alive.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr])
      (stream as unknown as { unref?: () => void }).unref?.();
    this.child = child;
    return child;
  }

  /** Answers each read whose reply is complete: `<sha> <type> <size>\n<bytes>\n` or `<sha> missing\n`. */
  private answer(): void {
    for (;;) {
      const newline = this.pending.indexOf(10);
      if (newline === -1) return;
      const header = this.pending.subarray(0, newline).toString('utf8').split(' ');
      if (header[1] === 'missing' || header.length < 3) {
        this.pending = this.pending.subarray(newline + 1);
        this.waiting.shift()?.resolve(undefined);
        continue;
      }
      const size = Number(header[2]);
      const end = newline + 1 + size;
      if (this.pending.length < end + 1) return;
      const content = Buffer.from(this.pending.subarray(newline + 1, end));
      this.pending = this.pending.subarray(end + 1);
      this.waiting.shift()?.resolve({ type: header[1] ?? '', content });
    }
  }
}
