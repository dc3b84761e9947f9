import path from 'node:path';
import { z } from 'zod';
import { develop } from './work-session.js';
import { StepError } from '../engine/step-errors.js';
import type { AgentCall } from '../engine/runners.js';
import type { JsonObject } from '../store/sql.js';
import type { AgentDeps } from './agent-context.js';
import { IMPLEMENT_FINISH, type DevelopmentProgress } from './development-tools.js';
import { PromptTemplate } from './prompt-template.js';
import { describeChanges, statusWord } from './working-copy-session.js';
import type { ChangedPath } from '../git/working-copy.js';

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

/** The development agent's implement mode: the task done as a change for a pull request. */
export async function implement(
  deps: AgentDeps,
  call: AgentCall,
  input: ImplementInput,
): Promise<JsonObject> {
  const work = await develop(deps, call, {
    input,
    finish: IMPLEMENT_FINISH,
    firstMessage: () => firstMessage(deps, call, input),
    nudge:
      'Go on with the task using the tools. When the change is complete and the tests pass, call finish.',
  });
  const { change, changed, tests, summary } = work;
  if (change.diff_base64 === null || changed.length === 0)
    throw new StepError('the agent finished without changing any file', { code: 'no_changes' });
  return {
    implementation: {
      // What the commit step applies: every change as git records it (modes, links, binaries).
      patch: { base: change.base, diff_base64: change.diff_base64 },
      changed_files: changedFiles(changed),
      pr_title: summary.pr_title,
      pr_description: `${summary.pr_description}\n\n**Files changed**\n${describeChanges(changed)}\n\n${testNote(tests)}`,
      documentation: summary.documentation,
      tests,
      // A change whose tests fail is proposed as a draft, for a person to finish.
      draft: tests !== null && !tests.passed,
      turns: work.turns,
      cost_usd: work.costUsd,
    },
  };
}

/** The changed files as the step's output lists them. */
export function changedFiles(changed: readonly ChangedPath[]): JsonObject[] {
  return changed.map((c) => ({
    status: statusWord(c.status),
    path: c.path,
    ...(c.from === undefined ? {} : { from: c.from }),
  }));
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

export function testNote(tests: DevelopmentProgress['tests']): string {
  if (tests === null) return '_No test command was found; the change was not tested by aidev._';
  if (tests.passed) return `Tests: \`${tests.command}\` passed in aidev's sandbox.`;
  const why =
    tests.failing_reason === undefined
      ? ''
      : `\n\nThe agent's explanation: ${tests.failing_reason}`;
  return `**Tests: \`${tests.command}\` failed in aidev's sandbox** (exit code ${String(tests.exit_code)}); review with care.${why}`;
}
