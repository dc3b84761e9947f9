import { z } from 'zod';
import type { Logger } from '../log/create-logger.js';
import { runSandboxed, type SandboxMode } from '../sandbox/run-sandboxed.js';
import type { SandboxPolicy } from '../sandbox/sandbox-policy.js';
import type { Workspace } from '../sandbox/workspace.js';
import type { JsonObject } from '../store/sql.js';
import { defineTool, type AgentTool, type ToolOutcome } from './model-loop.js';
import { bashDescription, bashTool, BASH_OUTPUT_BYTES } from './tools/bash-tool.js';
import { textEditorTool } from './tools/text-editor-tool.js';
import type { SavedChange } from './working-copy-session.js';

/** The last test run, as the agent and the pull request report it. */
export interface TestRecord extends JsonObject {
  command: string;
  passed: boolean;
  exit_code: number | null;
  timed_out: boolean;
  duration_ms: number;
  output_tail: string;
  /** Why the change is proposed although the tests fail, as the agent said. */
  failing_reason?: string;
}

/** What the development agent did so far: saved with its conversation after every turn. */
export interface DevelopmentProgress extends JsonObject {
  /** The tests aidev ran when the agent finished (null: not yet, or no test command). */
  tests: TestRecord | null;
  /** The working copy's change so far, as git sees it (saved after every turn). */
  change?: SavedChange | null;
  /**
   * Sessions saved before working copies were git clones: every file an edit tool touched,
   * with its content then (null: deleted). Read only to resume such a session.
   */
  files?: Record<string, string | null>;
}

export const newProgress = (): DevelopmentProgress => ({ tests: null, change: null });

export interface ToolEnvironment {
  readonly workspace: Workspace;
  readonly progress: DevelopmentProgress;
  readonly testCommand: string | null;
  readonly sandbox: SandboxMode;
  readonly toolPath: readonly string[];
  /** The limit of the test command (and of a shell command, unless commandTimeoutMs says). */
  readonly testTimeoutMs: number;
  /** The limit of one shell command of the agent's. Default: testTimeoutMs. */
  readonly commandTimeoutMs?: number;
  readonly policy?: SandboxPolicy;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Whether the working copy differs from where it started (as git sees it). */
  readonly hasChanges: () => Promise<boolean>;
  /** For people watching: what the agent is doing now. */
  readonly status: (message: string) => void;
}

const OUTPUT_TAIL = 6_000;

/**
 * What `finish` takes and when it accepts: the implement mode's pull request texts by default;
 * a round of fixes (address_feedback) gives its own, and may end without a change (a question
 * answered). Every schema may carry `failing_tests_reason`.
 */
export interface FinishSpec<T extends { failing_tests_reason?: string | undefined }> {
  readonly description: string;
  readonly schema: z.ZodType<T>;
  /** Refuse to finish while the working copy is unchanged. */
  readonly requireChange: boolean;
}

export const IMPLEMENT_FINISH: FinishSpec<{
  pr_title: string;
  pr_description: string;
  documentation: string;
  failing_tests_reason?: string | undefined;
}> = {
  description:
    "Finish the task. aidev first runs the repository's test command on the working copy: if the tests fail you get their output and go on (or, when the failure is not caused by your change and you cannot fix it, call finish again with failing_tests_reason: the pull request is then opened as a draft). Give the pull request title (imperative, under 70 characters), its description (what changed, why, how it was tested) and a short documentation text for the team wiki.",
  schema: z.strictObject({
    pr_title: z.string().min(1).max(120),
    pr_description: z.string().min(1),
    documentation: z.string().min(1),
    failing_tests_reason: z.string().min(1).optional(),
  }),
  requireChange: true,
};

/**
 * The development agent's tools over its working copy: a shell, a text editor and `finish`,
 * which runs the repository's tests itself before it accepts.
 */
export function developmentTools<T extends { failing_tests_reason?: string | undefined }>(
  env: ToolEnvironment,
  finishSpec: FinishSpec<T> = IMPLEMENT_FINISH as unknown as FinishSpec<T>,
): AgentTool[] {
  return [
    bashTool({
      workspace: env.workspace,
      sandbox: env.sandbox,
      toolPath: env.toolPath,
      timeoutMs: env.commandTimeoutMs ?? env.testTimeoutMs,
      ...(env.policy === undefined ? {} : { policy: env.policy }),
      signal: env.signal,
      logger: env.log,
      status: env.status,
    }),
    textEditorTool({ workspace: env.workspace, status: env.status }),
    defineTool('finish', finishSpec.description, finishSpec.schema, (summary) =>
      finish(env, finishSpec, summary),
    ),
  ];
}

/**
 * What the system prompt says of the environment: Anthropic's own bash tool type carries no
 * description, so what our shell is (sandboxed, no network, fresh per command, limits) and the
 * test command are said here, for every provider alike.
 */
export function environmentText(
  env: Pick<ToolEnvironment, 'testCommand' | 'testTimeoutMs' | 'commandTimeoutMs'>,
) {
  return [
    `- The shell: ${bashDescription(env.commandTimeoutMs ?? env.testTimeoutMs, BASH_OUTPUT_BYTES)}`,
    env.testCommand === null
      ? '- No test command was found in the repository: check your change with the checks you find (a type checker, a linter, a build) and by reading it again.'
      : `- The repository's test command is \`${env.testCommand}\`; finish runs it.`,
    '- Nothing can be installed (no network): do not add dependencies. Commit nothing yourself: aidev commits the working copy’s change to the branch.',
  ].join('\n');
}

async function finish<T extends { failing_tests_reason?: string | undefined }>(
  env: ToolEnvironment,
  spec: FinishSpec<T>,
  summary: T,
): Promise<ToolOutcome> {
  const { failing_tests_reason: reason, ...rest } = summary;
  // What a finish schema parses is JSON (objects of strings and lists), as the model sent it.
  const finished = rest as unknown as JsonObject;
  const changed = await env.hasChanges();
  if (!changed && spec.requireChange)
    return {
      content:
        'nothing is changed in the working copy yet (git diff is empty): make the change before finishing',
      isError: true,
    };
  // Nothing changed (a question answered): there is nothing new to test.
  if (env.testCommand === null || !changed) {
    env.progress.tests = null;
    return { content: 'finished', finish: finished };
  }
  const tests = await runTests(env, env.testCommand);
  env.progress.tests =
    reason === undefined || tests.passed ? tests : { ...tests, failing_reason: reason };
  if (tests.passed) return { content: `${tests.command}: passed. Finished.`, finish: finished };
  const verdict = tests.timed_out
    ? `stopped after ${Math.round(env.testTimeoutMs / 1000)} s`
    : `failed (exit code ${String(tests.exit_code)})`;
  if (reason !== undefined)
    return {
      content: `${tests.command}: ${verdict}. Finished: the pull request is opened as a draft with your reason.`,
      finish: finished,
    };
  return {
    content: `Not finished: ${tests.command} ${verdict} on the working copy.\n${tests.output_tail}\n\nFix the cause and call finish again. If the failure is not caused by your change and you cannot fix it, call finish with failing_tests_reason saying why.`,
    isError: true,
  };
}

async function runTests(env: ToolEnvironment, command: string): Promise<TestRecord> {
  env.status(`running ${command}`);
  const result = await runSandboxed({
    cwd: env.workspace.root,
    command,
    mode: env.sandbox,
    timeoutMs: env.testTimeoutMs,
    maxOutputBytes: 256 * 1024,
    ...(env.policy === undefined ? {} : { policy: env.policy }),
    toolPath: env.toolPath,
    signal: env.signal,
    logger: env.log,
  });
  env.signal.throwIfAborted();
  const output = `${result.stdout}\n${result.stderr}`.trim();
  return {
    command,
    passed: result.exitCode === 0 && !result.timedOut,
    exit_code: result.exitCode,
    timed_out: result.timedOut,
    duration_ms: result.durationMs,
    output_tail: output.length > OUTPUT_TAIL ? `…${output.slice(-OUTPUT_TAIL)}` : output,
  };
}
