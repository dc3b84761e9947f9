import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StepError } from '../engine/step-errors.js';
import type { AgentCall } from '../engine/runners.js';
import type { Workspace } from '../sandbox/workspace.js';
import type { JsonObject } from '../store/sql.js';
import { callMeta, modelOf, openSession, type AgentDeps } from './agent-context.js';
import { developmentTools, newProgress, type DevelopmentProgress } from './development-tools.js';
import { runModelLoop } from './model-loop.js';
import { PromptTemplate } from './prompt-template.js';
import { analyseRepository } from './repository-analysis.js';
import { copyRepository, digest, workspaceDirectory } from './repository-copy.js';
import { setUpWorkspace } from './workspace-setup.js';

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
  const directory = workspaceDirectory(deps.settings.dataDir, call.run.id, call.step);
  const copy = await copyRepository({
    actions: deps.actions,
    call,
    repository: input.repository,
    ref: input.branch,
    directory,
  });
  const session = await openSession<DevelopmentProgress>(deps.store, call, () => ({
    firstMessage: firstMessage(deps, call, input),
    data: newProgress(),
  }));
  if (session.resumed) await restore(copy.workspace, session.data);
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
      mode: deps.settings.sandbox,
      toolPath: deps.settings.toolPath,
      ...(deps.settings.sandboxPolicy === undefined ? {} : { policy: deps.settings.sandboxPolicy }),
      ...(deps.settings.sandboxProxy === undefined ? {} : { proxy: deps.settings.sandboxProxy }),
      signal: call.signal,
      logger: call.log,
      status,
    });
  const tools = developmentTools({
    workspace: copy.workspace,
    progress: session.data,
    testCommand,
    sandbox: deps.settings.sandbox,
    toolPath: deps.settings.toolPath,
    testTimeoutMs: deps.settings.testTimeoutMs,
    ...(deps.settings.sandboxPolicy === undefined ? {} : { policy: deps.settings.sandboxPolicy }),
    signal: call.signal,
    log: call.log,
    status,
  });
  const model = await modelOf(deps, call);
  const context = await repositoryContext(deps, copy.workspace, { ...input, analysis });
  const summary = finishSchema.parse(
    await runModelLoop({
      model: deps.model,
      request: {
        model,
        system: [
          { text: deps.prompts.render('development_system', {}) },
          { text: context, cache: true },
        ],
        maxTokens: deps.settings.maxOutputTokens,
        cache: { tools: true, conversation: true },
      },
      tools,
      state: session.loop,
      maxTurns: deps.settings.maxTurns,
      meta: callMeta(call),
      save: () => session.save(),
      nudge:
        'Go on with the task using the tools. When the change is complete and the tests pass, call finish.',
    }),
  );
  const changes = changeSet(session.data, copy.original);
  if (changes.length === 0)
    throw new StepError('the agent finished without changing any file', { code: 'no_changes' });
  const tests = session.data.tests;
  await fs.rm(directory, { recursive: true, force: true });
  return {
    implementation: {
      changes,
      pr_title: summary.pr_title,
      pr_description: `${summary.pr_description}\n\n${testNote(tests)}`,
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
  for (const [file, content] of Object.entries(progress.files)) {
    if (content === null) await workspace.remove(file);
    else await workspace.write(file, content);
  }
}

type Change = { path: string; content: string } | { path: string; delete: true };

/** Files that differ from the repository: written or deleted (touched-and-restored ones drop out). */
function changeSet(progress: DevelopmentProgress, original: ReadonlyMap<string, string>): Change[] {
  const changes: Change[] = [];
  for (const [file, content] of Object.entries(progress.files).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (content === null) {
      if (original.has(file)) changes.push({ path: file, delete: true });
    } else if (original.get(file) !== digest(content)) changes.push({ path: file, content });
  }
  return changes;
}

function testNote(tests: DevelopmentProgress['tests']): string {
  if (tests === null) return '_No test command was found; the change was not tested by aidev._';
  if (tests.passed) return `Tests: \`${tests.command}\` passed in aidev's sandbox.`;
  return `**Tests: \`${tests.command}\` failed in aidev's sandbox** (exit code ${String(tests.exit_code)}); review with care.`;
}

function progressOf(turns: number, deps: AgentDeps): number {
  return Math.min(0.95, turns / Math.max(1, deps.settings.maxTurns / 2));
}
