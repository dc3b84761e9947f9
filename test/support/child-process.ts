import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Options of a test that starts aidev workers as child processes: each loads the app from
 * source (several seconds of CPU), so such a test took 15–50 s on a loaded 2-core machine,
 * past vitest's 30 s default.
 */
export const WITH_WORKERS = { timeout: 180_000 } as const;

/** The environment for a child process: this one's, minus anything that would point it elsewhere. */
export function childEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      !/^(AIDEV_|DATABASE_URL$|LOG_LEVEL$|PORT$|HOST$|SLACK_|GITHUB_|JIRA_|CONFLUENCE_|ANTHROPIC_|OTEL_)/.test(
        key,
      )
    )
      env[key] = value;
  }
  return { ...env, ...overrides };
}

/** A child process that speaks JSON lines on stdout, for tests to converse with. */
export class JsonLineProcess {
  readonly child: ChildProcessWithoutNullStreams;
  private readonly messages: object[] = [];
  private waiters: (() => void)[] = [];
  readonly stderr: string[] = [];
  /** Set once the process has exited and its output has been read to the end. */
  private ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(script: string, args: readonly string[], env: NodeJS.ProcessEnv = childEnv()) {
    this.child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: REPO_ROOT,
      env,
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      try {
        this.messages.push(JSON.parse(line) as object);
      } catch {
        this.stderr.push(`(stdout) ${line}`);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => this.stderr.push(line));
    // 'close' (not 'exit') comes after the output pipes are drained, so no message is missed.
    this.child.on('close', (code, signal) => {
      this.ended = { code, signal };
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('child has no pid');
    return this.child.pid;
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Whether a message with `key` has arrived (without taking it). */
  has(key: string): boolean {
    return this.messages.some((m) => key in m);
  }

  /** Waits for (and removes) the first message with `key`. */
  async next<T extends object>(key: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.messages.findIndex((m) => key in m);
      if (index >= 0) return this.messages.splice(index, 1)[0] as T;
      if (this.ended !== undefined) {
        const how = this.ended.signal ?? `code ${String(this.ended.code)}`;
        throw new Error(`process exited (${how}) before "${key}": ${this.stderr.join('\n')}`);
      }
      if (Date.now() > deadline)
        throw new Error(`no "${key}" within ${timeoutMs} ms: ${this.stderr.join('\n')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async request<T extends object>(line: string, key: string): Promise<T> {
    this.send(line);
    return this.next<T>(key);
  }

  /** The first of `processes` to print a message with `key`, and that message (taken). */
  static async first<T extends object>(
    processes: readonly JsonLineProcess[],
    key: string,
    timeoutMs = 60_000,
  ): Promise<{ process: JsonLineProcess; message: T }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = processes.find((p) => p.has(key));
      if (found !== undefined) return { process: found, message: await found.next<T>(key) };
      if (Date.now() > deadline)
        throw new Error(`no process printed "${key}" within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.ended !== undefined) return Promise.resolve();
    const closed = this.exited();
    this.child.kill(signal);
    return closed.then(() => undefined);
  }

  exited(): Promise<number | null> {
    return new Promise((resolve) => {
      if (this.ended !== undefined) return resolve(this.ended.code);
      this.child.once('close', (code) => resolve(code));
    });
  }
}
