import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StepError } from '../engine/step-errors.js';
import type { AgentCall } from '../engine/runners.js';
import type { SystemBlock } from '../plugins/interfaces/ai-provider.js';
import type { Workspace } from '../sandbox/workspace.js';
import type { JsonObject } from '../store/sql.js';
import { callMeta, modelOf, openSession, sandboxFor, type AgentDeps } from './agent-context.js';
import {
  developmentTools,
  environmentText,
  newProgress,
  type DevelopmentProgress,
} from './development-tools.js';
import { runModelLoop } from './model-loop.js';
import { PromptTemplate } from './prompt-template.js';
import { analyseRepository } from './repository-analysis.js';
import { instructionsBlock, repositoryInstructions } from './repository-instructions.js';
import { logCompaction, logInstructions, logToolCall } from './run-log.js';
import {
  checkOutWorkingCopy,
  describeChanges,
  restoreSavedChange,
  statusWord,
  saveChange,
} from './working-copy-session.js';
import { setUpWorkspace } from './workspace-setup.js';
import { changedPaths, ignoreUntracked } from '../git/working-copy.js';

export const implementInput = z.looseObject({
  mode: z.literal('implement'),
  task: z.looseObject({ key: z.string(), title: z.string(), description: z.string() }),
  repository: z.string().min(1),
  branch: z.string().min(1).optional(),
  plan: z.unknown().optional(),
  analysis: z
    .looseObject({
      test_command: z.string().nullable().optional(),
      relevant_files: z.array(z.looseObject({ path: z.string() })).optional(),
      summary: z.string().optional(),
    })
    .optional(),
});

type ImplementInput = z.output<typeof implementInput>;

const finishSchema = z.object({
  pr_title: z.string(),
  pr_description: z.string(),
  documentation: z.string(),
});

/**
 * The development agent's implement mode: a tool-use conversation over a private working copy
 * of the repository (at the run's branch), tests run in the sandbox, and the change set that
 * results. Saved after every turn, so a crash or a budget pause resumes the conversation.
 */
export async function implement(
  deps: AgentDeps,
  call: AgentCall,
  input: ImplementInput,
): Promise<JsonObject> {
  const copy = await checkOutWorkingCopy({
    actions: deps.actions,
    call,
    repository: input.repository,
    ref: input.branch,
    dataDir: deps.settings.dataDir,
  });
  const session = await openSession<DevelopmentProgress>(deps.store, call, () => ({
    firstMessage: firstMessage(deps, call, input),
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
  const tools = developmentTools(toolEnvironment);
  const model = await modelOf(deps, call);
  // Built once, at the first turn, and saved with the session: a resumed step sends exactly the
  // prefix its conversation started with, whatever the working copy holds by then.
  const system =
    session.loop.prefix?.system ??
    (await developmentSystem(deps, call, copy.workspace, { ...input, analysis }, toolEnvironment));
  const summary = finishSchema.parse(
    await runModelLoop({
      model: deps.model,
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
      nudge:
        'Go on with the task using the tools. When the change is complete and the tests pass, call finish.',
      ...(deps.settings.context === undefined ? {} : { context: deps.settings.context }),
      onToolCall: logToolCall(call),
      onCompaction: logCompaction(call),
    }),
  );
  const change = await saveChange(copy);
  const changed = await changedPaths(copy.copy, change.base);
  if (change.diff_base64 === null || changed.length === 0)
    throw new StepError('the agent finished without changing any file', { code: 'no_changes' });
  const tests = session.data.tests;
  await fs.rm(copy.copy.directory, { recursive: true, force: true });
  await fs.rm(copy.copy.gitDir, { recursive: true, force: true });
  return {
    implementation: {
      // What the commit step applies: every change as git records it (modes, links, binaries).
      patch: { base: change.base, diff_base64: change.diff_base64 },
      changed_files: changed.map((c) => ({
        status: statusWord(c.status),
        path: c.path,
        ...(c.from === undefined ? {} : { from: c.from }),
      })),
      pr_title: summary.pr_title,
      pr_description: `${summary.pr_description}\n\n**Files changed**\n${describeChanges(changed)}\n\n${testNote(tests)}`,
      documentation: summary.documentation,
      tests,
      // A change whose tests fail is proposed as a draft, for a person to finish.
      draft: tests !== null && !tests.passed,
      turns: session.loop.turns,
      cost_usd: session.loop.costUsd,
    },
  };
}

function firstMessage(deps: AgentDeps, call: AgentCall, input: ImplementInput): string {
  const values = {
    ...call.input,
    branch: input.branch ?? '(the default branch)',
    plan: input.plan ?? 'No plan was given: make the smallest change that does the task.',
  };
  if (call.promptTemplate !== undefined)
    return PromptTemplate.load(path.resolve(deps.baseDir, call.promptTemplate))
      .render(values)
      .trim();
  return deps.prompts.render('implement_task', values);
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
  input: ImplementInput,
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
  input: ImplementInput,
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

function testNote(tests: DevelopmentProgress['tests']): string {
  if (tests === null) return '_No test command was found; the change was not tested by aidev._';
  if (tests.passed) return `Tests: \`${tests.command}\` passed in aidev's sandbox.`;
  const why =
    tests.failing_reason === undefined
      ? ''
      : `\n\nThe agent's explanation: ${tests.failing_reason}`;
  return `**Tests: \`${tests.command}\` failed in aidev's sandbox** (exit code ${String(tests.exit_code)}); review with care.${why}`;
}

function progressOf(turns: number, deps: AgentDeps): number {
  return Math.min(0.95, turns / Math.max(1, deps.settings.maxTurns / 2));
}
