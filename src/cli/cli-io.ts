/** Everything a command touches outside itself, so that commands run the same in tests. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Settles with the signal name when the process is asked to stop (SIGINT, SIGTERM). */
  readonly shutdownRequested: Promise<string>;
}

/**
 * Exit codes scripts can rely on:
 * 0 success · 1 a check or command failed (bad configuration, unreachable database, …) ·
 * 2 the command line itself is wrong (unknown command or option).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
