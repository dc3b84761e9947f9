/** Everything a command touches outside itself, so that commands run the same in tests. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Settles with the signal name when the process is asked to stop (SIGINT, SIGTERM). */
  readonly shutdownRequested: Promise<string>;
  /** Present when a person is at a terminal: live progress, and questions can be asked. */
  readonly terminal?: {
    readonly stdin: NodeJS.ReadableStream;
    readonly stdout: NodeJS.WriteStream;
  };
}

/**
 * Exit codes scripts can rely on:
 * 0 success · 1 a check, command or run failed (bad configuration, unreachable database, a run
 * that failed or was cancelled, …) · 2 the command line itself is wrong (unknown command or
 * option) · 3 the run waits for a decision nobody could make here (`aidev approve`) ·
 * 130 interrupted (a followed run goes on without the command).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, waiting: 3, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
