import { promises as fs } from 'node:fs';
import type { z } from 'zod';
import type { implementInput } from './development-agent.js';
import type { AgentCall } from '../engine/runners.js';
import type { SystemBlock } from '../plugins/interfaces/ai-provider.js';
import type { Workspace } from '../sandbox/workspace.js';
import { callMeta, modelOf, openSession, sandboxFor, type AgentDeps } from './agent-context.js';
import {
  developmentTools,
  environmentText,
  newProgress,
  type DevelopmentProgress,
  type FinishSpec,
} from './development-tools.js';
import { runModelLoop } from './model-loop.js';
import { analyseRepository } from './repository-analysis.js';
import { instructionsBlock, repositoryInstructions } from './repository-instructions.js';
import { logCompaction, logInstructions, logToolCall } from './run-log.js';
import {
  checkOutWorkingCopy,
  restoreSavedChange,
  saveChange,
  type SavedChange,
} from './working-copy-session.js';
import { setUpWorkspace } from './workspace-setup.js';
import { changedPaths, ignoreUntracked, type ChangedPath } from '../git/working-copy.js';

/** What the agent works from: the repository at a branch, the task, and the analysis if any. */
export interface WorkInput {
  readonly repository: string;
  readonly branch?: string | undefined;
  readonly task: { readonly key: string; readonly title: string; readonly description: string };
  readonly analysis?: z.output<typeof implementInput>['analysis'];
}

/** What one working session on a copy of the repository produced. */
export interface Work<T> {
  /** What the agent gave `finish`. */
  readonly summary: T;
  /** The change as git sees it (null diff: nothing changed). */
  readonly change: SavedChange;
  readonly changed: ChangedPath[];
  readonly tests: DevelopmentProgress['tests'];
  readonly turns: number;
  /** Dollars, as exact decimal text. */
  readonly costUsd: string;
}

/**
 * A tool-use conversation over a private working copy of the repository (at `branch`), tests
 * run in the sandbox, until the agent calls `finish` and finish accepts. Saved after every
 * turn, so a crash or a budget pause resumes the conversation. Shared by every mode that
 * changes code: implementing a task, addressing feedback on its pull request.
 */
export async function develop<T extends { failing_tests_reason?: string | undefined }>(
  deps: AgentDeps,
  call: AgentCall,
  spec: {
    readonly input: WorkInput;
    readonly finish: FinishSpec<T>;
    readonly firstMessage: () => string;
    readonly nudge: string;
  },
): Promise<Work<T>> {
  const input = spec.input;
  const copy = await checkOutWorkingCopy({
    actions: deps.actions,
    call,
    repository: input.repository,
    ref: input.branch,
    dataDir: deps.settings.dataDir,
  });
  const session = await openSession<DevelopmentProgress>(deps.store, call, () => ({
    firstMessage: spec.firstMessage(),
    data: newProgress(),
  }));
  // Workflows that skip the analysis step still get the test command and the relevant files.
  const analysis =
    input.analysis ??
    (await analyseRepository({
      actions: deps.actions,
      call,
      repository: input.repository,
      task: input.task,
      tokenBudget: deps.settings.contextTokens,
    }));
  const testCommand = analysis?.test_command ?? null;
  const status = (message: string) => call.progress(progressOf(session.loop.turns, deps), message);
  const channelSetup = await deps.channelSetting?.(call, 'setup_command');
  const setupCommand = channelSetup ?? deps.settings.setupCommand;
  if (setupCommand !== undefined)
    await setUpWorkspace({
      cwd: copy.workspace.root,
      command: setupCommand,
      setting:
        channelSetup === undefined
          ? 'ai.setup_command'
          : 'the channel’s setup_command: /aidev config set setup_command="…"',
      timeoutMs: deps.settings.setupTimeoutMs ?? deps.settings.testTimeoutMs,
      mode: sandboxFor(deps.settings, call),
      toolPath: deps.settings.toolPath,
      ...(deps.settings.sandboxPolicy === undefined ? {} : { policy: deps.settings.sandboxPolicy }),
      ...(deps.settings.sandboxProxy === undefined ? {} : { proxy: deps.settings.sandboxProxy }),
      signal: call.signal,
      logger: call.log,
      status,
    });
  // What the setup installed is the environment, not the change; the saved work goes on top of it.
  if (setupCommand !== undefined) await ignoreUntracked(copy.copy);
  if (session.resumed) {
    await restoreSavedChange(copy, session.data.change);
    // A session saved before working copies were git clones kept the files themselves.
    await restore(copy.workspace, session.data);
  }
  const toolEnvironment = {
    workspace: copy.workspace,
    progress: session.data,
    testCommand,
    sandbox: sandboxFor(deps.settings, call),
    toolPath: deps.settings.toolPath,
    testTimeoutMs: deps.settings.testTimeoutMs,
    ...(deps.settings.commandTimeoutMs === undefined
      ? {}
      : { commandTimeoutMs: deps.settings.commandTimeoutMs }),
    ...(deps.settings.sandboxPolicy === undefined ? {} : { policy: deps.settings.sandboxPolicy }),
    signal: call.signal,
    log: call.log,
    hasChanges: async () => (await changedPaths(copy.copy, copy.head)).length > 0,
    status,
  };
  const tools = developmentTools(toolEnvironment, spec.finish);
  const model = await modelOf(deps, call);
  // Built once, at the first turn, and saved with the session: a resumed step sends exactly the
  // prefix its conversation started with, whatever the working copy holds by then.
  const system =
    session.loop.prefix?.system ??
    (await developmentSystem(deps, call, copy.workspace, { ...input, analysis }, toolEnvironment));
  const finished = await runModelLoop({
    model: deps.model,
    ...(deps.monitoring === undefined ? {} : { monitoring: deps.monitoring }),
    request: {
      model,
      system,
      maxTokens: deps.settings.maxOutputTokens,
      cache: { tools: true, conversation: true },
    },
    tools,
    state: session.loop,
    maxTurns: deps.settings.maxTurns,
    meta: callMeta(call),
    // The conversation and the work so far (a binary-safe diff) are saved together.
    save: async () => {
      session.data.change = await saveChange(copy);
      await session.save();
    },
    nudge: spec.nudge,
    ...(deps.settings.context === undefined ? {} : { context: deps.settings.context }),
    onToolCall: logToolCall(call),
    onCompaction: logCompaction(call),
  });
  const summary = spec.finish.schema.parse(finished);
  const change = await saveChange(copy);
  const changed = await changedPaths(copy.copy, change.base);
  await fs.rm(copy.copy.directory, { recursive: true, force: true });
  await fs.rm(copy.copy.gitDir, { recursive: true, force: true });
  return {
    summary,
    change,
    changed,
    tests: session.data.tests,
    turns: session.loop.turns,
    costUsd: session.loop.costUsd,
  };
}

/**
 * The development agent's system text: aidev's instructions, the repository's and the team's
 * (AGENTS.md or the like, the channel's `instructions`), then the repository context, which
 * ends the cached prefix. Which instructions were used goes to the run log.
 */
async function developmentSystem(
  deps: AgentDeps,
  call: AgentCall,
  workspace: Workspace,
  input: WorkInput,
  environment: Parameters<typeof environmentText>[0],
): Promise<SystemBlock[]> {
  const repository = await repositoryInstructions(workspace);
  const team = await deps.channelSetting?.(call, 'instructions');
  await logInstructions(call, repository, team);
  const instructions = instructionsBlock(repository, team);
  return [
    {
      text: deps.prompts.render('development_system', {
        environment: environmentText(environment),
      }),
    },
    ...(instructions === '' ? [] : [{ text: instructions }]),
    { text: await repositoryContext(deps, workspace, input), cache: true },
  ];
}

/** The relevant files' contents, as they are in the working copy, within the token budget. */
async function repositoryContext(
  deps: AgentDeps,
  workspace: Workspace,
  input: WorkInput,
): Promise<string> {
  const parts: string[] = [];
  let budget = deps.settings.contextTokens * 4;
  for (const { path: file } of input.analysis?.relevant_files ?? []) {
    const content = await workspace.read(file).catch(() => undefined);
    if (content === undefined || content.length > budget) continue;
    budget -= content.length;
    parts.push(`=== ${file} ===\n${content}`);
  }
  return deps.prompts.render('repository_context', {
    repository: input.repository,
    analysis: input.analysis?.summary ?? 'not analysed',
    files: parts.length > 0 ? parts.join('\n\n') : '(none selected: use the tools to find them)',
  });
}

/** Puts back what the agent had changed before it was interrupted. */
async function restore(workspace: Workspace, progress: DevelopmentProgress): Promise<void> {
  for (const [file, content] of Object.entries(progress.files ?? {})) {
    if (content === null) await workspace.remove(file);
    else await workspace.write(file, content);
  }
}

function progressOf(turns: number, deps: AgentDeps): number {
  return Math.min(0.95, turns / Math.max(1, deps.settings.maxTurns / 2));
}
