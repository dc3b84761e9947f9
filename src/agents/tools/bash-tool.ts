import { constants as osConstants } from 'node:os';
import { z } from 'zod';
import { RunCancelledError, StepError } from '../../engine/step-errors.js';
import type { Logger } from '../../log/create-logger.js';
import { findExecutable } from '../../sandbox/find-executable.js';
import { runSandboxed, type SandboxMode, type SandboxResult } from '../../sandbox/run-sandboxed.js';
import type { SandboxPolicy } from '../../sandbox/sandbox-policy.js';
import type { Workspace } from '../../sandbox/workspace.js';
import { defineTool, type AgentTool, type ToolOutcome } from '../model-loop.js';

export interface BashToolOptions {
  /** The working copy: every command starts in its root. */
  readonly workspace: Workspace;
  /** AIDEV_SANDBOX (`auto`: bubblewrap on Linux, Seatbelt on macOS), or the demo's exemption. */
  readonly sandbox: SandboxMode;
  readonly policy?: SandboxPolicy;
  /** More directories of programs on the command's PATH (read-only). */
  readonly toolPath?: readonly string[];
  readonly signal?: AbortSignal;
  readonly logger: Logger;
  /** Wall-clock limit of one command. Default 120 s. */
  readonly timeoutMs?: number;
  /** Output kept of one command: its first and last halves. Default 16 KiB (8 KiB each). */
  readonly maxOutputBytes?: number;
  /** For people watching: the command now running. */
  readonly status?: (message: string) => void;
  /** The working copy is mounted read-only: the shell of an agent that only reads. */
  readonly readOnly?: boolean;
}

export const BASH_TIMEOUT_MS = 120_000;
export const BASH_OUTPUT_BYTES = 16 * 1024;

const input = z.object({
  command: z.string().optional().describe('The shell command to run.'),
  restart: z
    .boolean()
    .optional()
    .describe('Restart the shell. Each command already runs in a fresh shell: nothing to restart.'),
});

/**
 * The development agent's shell: Anthropic's `bash` tool (`bash_20250124`), or the same input as
 * a JSON-schema tool for other providers. One command per call, run in the sandbox in the working
 * copy, without network, stopped at a time limit; the answer is the output (stderr merged into
 * stdout in the order written), its first and last parts when long, and the exit code.
 *
 * A non-zero exit is not an error result: a failing test, a grep that finds nothing or a compiler
 * error is what the model ran the command to learn. A timeout and an empty command are. Only
 * aidev's own failures throw: no usable sandbox, or the run cancelled.
 *
 * @example
 * const tools = [bashTool({ workspace, sandbox: 'bubblewrap', logger, signal }), …];
 */
export function bashTool(options: BashToolOptions): AgentTool {
  const timeoutMs = options.timeoutMs ?? BASH_TIMEOUT_MS;
  const maxOutputBytes = options.maxOutputBytes ?? BASH_OUTPUT_BYTES;
  const tool = defineTool(
    'bash',
    bashDescription(timeoutMs, maxOutputBytes),
    input,
    async ({ command, restart }) => {
      if (command === undefined || command.trim() === '') {
        if (restart === true) return { content: RESTARTED };
        return {
          content:
            'bash: the command is empty; give a shell command to run, e.g. `ls` or `npm test`',
          isError: true,
        };
      }
      options.status?.(`running ${command}`);
      const result = await run(options, command, timeoutMs, maxOutputBytes);
      return describeResult(result, timeoutMs);
    },
  );
  return { ...tool, definition: { ...tool.definition, native: 'bash' } };
}

/** What the tool is, for providers that take its description (Anthropic's own type has one). */
export function bashDescription(timeoutMs: number, maxOutputBytes: number): string {
  return [
    "Run a shell command with bash in the repository's working copy and see its output (stdout and stderr together, in order) and exit code.",
    'The working directory is the repository root. Each command runs in a fresh shell in a sandbox: cd, exported variables and background processes do not carry over to the next command (chain steps with && in one command); /tmp and $HOME start empty; there is no network.',
    `A command is stopped after ${Math.round(timeoutMs / 1000)} s. Long output keeps its first and last ${Math.round(maxOutputBytes / 2048)} KB, with a line saying how much was left out between.`,
    'Use it to look around (ls, find, grep -rn, git log, git diff) and to run tests, type checkers, linters and builds.',
  ].join(' ');
}

const RESTARTED =
  'There is no shell session to restart: every command already runs in a fresh shell in the repository root (cd and exported variables do not carry over). Run your next command.';

/** bash when the system has it (models write bash), else the POSIX shell. */
const SHELL = findExecutable('bash', '/usr/bin:/bin');

/**
 * The command for `sh -c`: stderr joined to stdout before anything runs, so that the output
 * reads as a terminal would show it, and what is left on the real stderr is the sandbox's own.
 */
function shellCommand(command: string): string {
  if (SHELL === undefined) return `exec 2>&1\n${command}`;
  return `exec 2>&1\nexec ${SHELL} -c ${quoted(command)}`;
}

const quoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

async function run(
  options: BashToolOptions,
  command: string,
  timeoutMs: number,
  maxOutputBytes: number,
): Promise<SandboxResult> {
  // A run cancelled before the call runs nothing (an abort listener added now would never fire).
  throwIfCancelled(options.signal);
  let result: SandboxResult;
  try {
    result = await runSandboxed({
      cwd: options.workspace.root,
      command: shellCommand(command),
      mode: options.sandbox,
      timeoutMs,
      maxOutputBytes,
      ...(options.policy === undefined ? {} : { policy: options.policy }),
      ...(options.toolPath === undefined ? {} : { toolPath: options.toolPath }),
      ...(options.readOnly === true ? { readOnly: true } : {}),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      logger: options.logger,
    });
  } catch (error) {
    // Not the model's to fix, whatever the error's code (an ENOENT of spawn is no missing path).
    if (error instanceof StepError) throw error;
    throw new StepError(`the sandbox could not run the command: ${(error as Error).message}`, {
      code: 'sandbox_unavailable',
      cause: error,
    });
  }
  throwIfCancelled(options.signal);
  const own = sandboxStderr(result);
  if (own !== '' && /^(bwrap|prlimit|setpriv|sandbox-exec): /m.test(own) && result.stdout === '')
    throw new StepError(`the sandbox could not start the command: ${own}`, {
      code: 'sandbox_unavailable',
    });
  return result;
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true)
    throw signal.reason instanceof Error ? signal.reason : new RunCancelledError();
}

/** What the sandbox itself wrote, without aidev's own notes (the timeout is reported apart). */
function sandboxStderr(result: SandboxResult): string {
  return result.stderr.replace(/^\[aidev: [^\]\n]*\]$/gm, '').trim();
}

function describeResult(result: SandboxResult, timeoutMs: number): ToolOutcome {
  const output = result.stdout === '' ? '(no output)\n' : withNewline(result.stdout);
  const own = sandboxStderr(result);
  const sandboxNote = own === '' ? '' : `[sandbox] ${own}\n`;
  if (result.timedOut)
    return {
      content: `${output}${sandboxNote}[stopped after ${Math.round(timeoutMs / 1000)} s: the command did not finish in time and was killed with everything it started. Run something narrower (one test file, one package, a smaller directory) or give it its own shorter limit; nothing can keep running in the background, each command's sandbox ends with it.]`,
      isError: true,
    };
  // No duration: the same command on the same files answers the same (a recorded conversation
  // replays), and the model has no use for it.
  return { content: `${output}${sandboxNote}[exit code ${exitText(result.exitCode)}]` };
}

const withNewline = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);

/** 137 → `137: killed by SIGKILL (…)`: the model learns a limit stopped it, not a bug. */
function exitText(code: number | null): string {
  if (code === null) return 'unknown (killed by a signal)';
  if (code <= 128) return String(code);
  const signal = Object.entries(osConstants.signals).find(([, n]) => n === code - 128)?.[0];
  if (signal === undefined) return String(code);
  const why =
    signal === 'SIGKILL'
      ? ' (perhaps out of memory)'
      : signal === 'SIGXCPU'
        ? ' (the CPU time limit)'
        : signal === 'SIGXFSZ'
          ? ' (the file size limit)'
          : '';
  return `${code}: killed by ${signal}${why}`;
}
