import { z } from 'zod';
import { StepError } from '../engine/step-errors.js';
import type { Logger } from '../log/create-logger.js';
import { runSandboxed, type SandboxMode } from '../sandbox/run-sandboxed.js';
import type { SandboxPolicy } from '../sandbox/sandbox-policy.js';
import type { Workspace } from '../sandbox/workspace.js';
import type { JsonObject } from '../store/sql.js';
import { defineTool, type AgentTool } from './model-loop.js';
import { applyEdit, listFiles, readLines, searchText } from './workspace-tools.js';
import type { SavedChange } from './working-copy-session.js';

/** The last test run, as the agent and the pull request report it. */
export interface TestRecord extends JsonObject {
  command: string;
  passed: boolean;
  exit_code: number | null;
  timed_out: boolean;
  duration_ms: number;
  output_tail: string;
}

/** What the development agent changed so far: saved with its conversation after every turn. */
export interface DevelopmentProgress extends JsonObject {
  /** Every file an edit tool touched, with its content now (null: deleted). */
  files: Record<string, string | null>;
  edits: number;
  tests: TestRecord | null;
  /** The number of edits when the tests last ran: finishing needs tests after the last edit. */
  tested_at_edit: number;
  /** The working copy's change so far, as git sees it (saved after every turn). */
  change?: SavedChange | null;
}

export const newProgress = (): DevelopmentProgress => ({
  files: {},
  edits: 0,
  tests: null,
  tested_at_edit: -1,
  change: null,
});

export interface ToolEnvironment {
  readonly workspace: Workspace;
  readonly progress: DevelopmentProgress;
  readonly testCommand: string | null;
  readonly sandbox: SandboxMode;
  readonly toolPath: readonly string[];
  readonly testTimeoutMs: number;
  readonly policy?: SandboxPolicy;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** For people watching: what the agent is doing now. */
  readonly status: (message: string) => void;
}

const OUTPUT_TAIL = 6_000;

/** The development agent's tools over its working copy. */
export function developmentTools(env: ToolEnvironment): AgentTool[] {
  const { workspace, progress } = env;
  const touched = async (file: string) => {
    progress.edits += 1;
    // Only a file that is gone is recorded as deleted: one that cannot be read stays an error.
    const content = await workspace.read(file).catch((error: unknown) => {
      if (error instanceof StepError && error.code === 'not_found') return null;
      throw error;
    });
    // Defined, not assigned: a file named __proto__ is a file, not the object's prototype.
    Object.defineProperty(progress.files, file, {
      value: content,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  };
  return [
    defineTool(
      'list_files',
      'List the files of the repository (or of one directory in it), one path per line.',
      z.strictObject({ directory: z.string().optional() }),
      async ({ directory }) => {
        const files = await listFiles(workspace, directory ?? '.');
        return { content: files.length === 0 ? '(no files)' : files.join('\n') };
      },
    ),
    defineTool(
      'read_file',
      'Read a file, with line numbers; optionally only lines from_line to to_line (1-based).',
      z.strictObject({
        path: z.string(),
        from_line: z.number().int().positive().optional(),
        to_line: z.number().int().positive().optional(),
      }),
      async (input) => {
        env.status(`reading ${input.path}`);
        const range = {
          ...(input.from_line === undefined ? {} : { from: input.from_line }),
          ...(input.to_line === undefined ? {} : { to: input.to_line }),
        };
        return { content: await readLines(workspace, input.path, range) };
      },
    ),
    defineTool(
      'search_code',
      'Find lines containing a text (exact, case-sensitive) in every file: path:line: content.',
      z.strictObject({ text: z.string() }),
      async ({ text }) => {
        const hits = await searchText(workspace, text);
        return {
          content: hits.length === 0 ? `no line contains ${JSON.stringify(text)}` : hits.join('\n'),
        };
      },
    ),
    defineTool(
      'edit_file',
      'Replace one exact piece of a file: `search` must appear exactly once (copy it from read_file, whitespace included, without the line numbers).',
      z.strictObject({ path: z.string(), search: z.string(), replace: z.string() }),
      async (edit) => {
        env.status(`editing ${edit.path}`);
        await applyEdit(workspace, edit);
        await touched(edit.path);
        return { content: `edited ${edit.path}` };
      },
    ),
    defineTool(
      'write_file',
      'Write a whole file (a new file, or a complete rewrite of a small one).',
      z.strictObject({ path: z.string(), content: z.string() }),
      async (write) => {
        env.status(`writing ${write.path}`);
        await applyEdit(workspace, write);
        await touched(write.path);
        return { content: `wrote ${write.path} (${write.content.split('\n').length} lines)` };
      },
    ),
    defineTool(
      'delete_file',
      'Delete a file.',
      z.strictObject({ path: z.string() }),
      async ({ path }) => {
        await workspace.read(path);
        await workspace.remove(path);
        await touched(path);
        return { content: `deleted ${path}` };
      },
    ),
    defineTool(
      'run_tests',
      "Run the repository's test command in the sandbox (no network) and see its result.",
      z.strictObject({}),
      async () => runTests(env),
    ),
    defineTool(
      'finish',
      'Finish: the change is complete and the tests were run after the last edit. Give the pull request title (imperative, under 70 characters), its description (what changed, why, how it was tested) and a short documentation text for the team wiki.',
      z.strictObject({
        pr_title: z.string().min(1).max(120),
        pr_description: z.string().min(1),
        documentation: z.string().min(1),
      }),
      (summary) => Promise.resolve(finish(env, summary)),
    ),
  ];
}

async function runTests(env: ToolEnvironment) {
  if (env.testCommand === null)
    return {
      content:
        'this repository has no known test command (no test script or test configuration was found); check your change by reading it again',
      isError: true,
    };
  env.status(`running ${env.testCommand}`);
  const result = await runSandboxed({
    cwd: env.workspace.root,
    command: env.testCommand,
    mode: env.sandbox,
    timeoutMs: env.testTimeoutMs,
    maxOutputBytes: 256 * 1024,
    ...(env.policy === undefined ? {} : { policy: env.policy }),
    toolPath: env.toolPath,
    signal: env.signal,
    logger: env.log,
  });
  const output = `${result.stdout}\n${result.stderr}`.trim();
  const tests: TestRecord = {
    command: env.testCommand,
    passed: result.exitCode === 0 && !result.timedOut,
    exit_code: result.exitCode,
    timed_out: result.timedOut,
    duration_ms: result.durationMs,
    output_tail: output.length > OUTPUT_TAIL ? `…${output.slice(-OUTPUT_TAIL)}` : output,
  };
  env.progress.tests = tests;
  env.progress.tested_at_edit = env.progress.edits;
  const verdict = tests.timed_out
    ? `stopped after ${env.testTimeoutMs} ms`
    : tests.passed
      ? 'passed'
      : `failed (exit code ${String(tests.exit_code)})`;
  return { content: `${env.testCommand}: ${verdict}\n${tests.output_tail}` };
}

function finish(
  env: ToolEnvironment,
  summary: { pr_title: string; pr_description: string; documentation: string },
) {
  const { progress } = env;
  if (Object.keys(progress.files).length === 0)
    return { content: 'nothing was changed yet: make the change before finishing', isError: true };
  if (env.testCommand !== null && progress.tested_at_edit !== progress.edits)
    return { content: 'run the tests after your last edit before finishing', isError: true };
  return { content: 'finished', finish: { ...summary } };
}
