import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnv } from './child-process.js';
import { BIN } from './cli.js';

/** One JSON log line of the process (pino's level: 30 info, 40 warn, 50 error). */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A port nothing listens on (for now): a vendor that is "down" until a test starts it there. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * The real `aidev serve` (or `aidev worker`) in a child process, its JSON log lines kept for
 * assertions, with helpers to wait on them and to call its HTTP server.
 */
export class AidevProcess {
  readonly lines: LogLine[] = [];
  /** Standard error lines that are not JSON (a start-up failure's one-line message). */
  readonly text: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private exitCode: number | null | undefined;

  constructor(
    args: readonly string[],
    env: Record<string, string>,
    cwd: string,
    readonly port?: number,
  ) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: childEnv({
        LOG_LEVEL: 'info',
        ...env,
        ...(port === undefined ? {} : { PORT: String(port) }),
      }),
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        this.text.push(line);
      }
    });
    this.child.stdout.resume();
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${String(this.port)}`;
  }

  /** Waits for a log line; fails at once, with what the process said, if it exits first. */
  async waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 60_000): Promise<LogLine> {
    const what = `a log line matching ${predicate.toString()}`;
    return this.until(what, () => this.lines.find(predicate), timeoutMs);
  }

  /** Polls `probe` until it returns a value; fails if the process exits or time runs out. */
  async until<T>(
    what: string,
    probe: () => T | undefined | Promise<T | undefined>,
    timeoutMs = 60_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (this.exitCode !== undefined)
        throw new Error(
          `aidev exited (code ${String(this.exitCode)}) before ${what}:\n${this.said()}`,
        );
      if (Date.now() > deadline)
        throw new Error(`no ${what} within ${timeoutMs} ms:\n${this.said()}`);
      await sleep(100);
    }
  }

  async get(
    path: string,
    token?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    return this.request('GET', path, undefined, token);
  }

  async request(
    method: string,
    path: string,
    body: unknown,
    token?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** SIGTERM, then the exit code. */
  async stop(): Promise<number | null> {
    if (this.exitCode === undefined) this.child.kill('SIGTERM');
    return this.exited;
  }

  /** What the process said, for failure messages. */
  said(): string {
    return [...this.text, ...this.lines.map((l) => `${l.level} ${l.msg}`)].join('\n');
  }
}
