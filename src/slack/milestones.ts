import { budgetAlertMessage, budgetPauseMessage } from '../../blocks/budget-blocks.js';
import { section } from '../../blocks/limits.js';
import { planMessage } from '../../blocks/plan-message.js';
import { link, mention, slackText } from '../../blocks/slack-text.js';
import type { Block } from '../../blocks/types.js';
import { roundUsd, parseUsd } from '../costs/money.js';
import type { RunEvent } from '../store/repositories/run-events.js';
import type { RunStep } from '../store/repositories/run-steps.js';
import type { Run } from '../store/repositories/runs.js';

/** A message a run event deserves: in the run's thread, or (alerts) in the channel itself. */
export interface Milestone {
  readonly where: 'thread' | 'channel';
  readonly text: string;
  readonly blocks: readonly Block[];
  /** The plan message: its ts is kept, to replace its buttons with the decision. */
  readonly plan?: { readonly revision: number };
}

/** `text` is mrkdwn: outside parts of it went through slackText, links through link(). */
export const say = (text: string, where: 'thread' | 'channel' = 'thread'): Milestone => ({
  where,
  text,
  blocks: [section(text)],
});

const outputOf = (steps: readonly RunStep[], name: string | null, field: string): unknown =>
  (steps.find((s) => s.stepName === name)?.outputs as Record<string, unknown> | null)?.[field];

/**
 * Which run events are milestones people want in Slack, and how they read. Step-by-step
 * progress stays in the parent message, so the channel stays quiet.
 */
export function milestoneOf(
  event: RunEvent,
  context: { run: Run; steps: readonly RunStep[]; costUsd: string },
): Milestone | undefined {
  const { run, steps } = context;
  const data = event.data as Record<string, unknown>;
  const text = (field: string, fallback: string) =>
    typeof data[field] === 'string' ? data[field] : fallback;
  switch (event.type) {
    case 'approval.requested': {
      const plan = [...steps]
        .reverse()
        .find((s) => (s.outputs as { plan?: unknown } | null)?.plan !== undefined);
      const planned = (
        plan?.outputs as { plan?: { text?: string; estimated_cost_usd?: string } } | undefined
      )?.plan;
      const revision = (plan?.revision as { number?: number } | null)?.number ?? 0;
      const message = planMessage({
        runId: run.id,
        revision,
        heading: text('message', run.taskKey ?? run.workflowName),
        text: planned?.text ?? text('message', ''),
        estimatedCost: planned?.estimated_cost_usd,
        approvers: Array.isArray(data.approvers) ? (data.approvers as string[]) : [],
      });
      return { where: 'thread', ...message, plan: { revision } };
    }
    case 'approval.decided':
      return typeof data.revising === 'string'
        ? say(
            `:pencil2: Revising the plan with the feedback of ${mention(String(data.decided_by))} (revision ${slackText(String(data.revision))})…`,
          )
        : undefined;
    case 'step.succeeded': {
      if (event.stepName === 'open_pull_request') {
        const url = outputOf(steps, event.stepName, 'pr_url');
        return typeof url === 'string'
          ? say(`:link: Pull request opened: ${link(url)}`)
          : undefined;
      }
      if (event.stepName === 'move_to_review')
        return say(
          `:ticket: ${slackText(run.taskKey ?? 'The task')} moved to review, with a comment linking the pull request.`,
        );
      if (event.stepName === 'write_docs') {
        const url = outputOf(steps, event.stepName, 'doc_url');
        return typeof url === 'string'
          ? say(`:page_facing_up: Documentation written: ${link(url)}`)
          : undefined;
      }
      return undefined;
    }
    case 'budget.paused': {
      const scope = text('scope', 'run');
      return {
        where: 'thread',
        ...budgetPauseMessage({
          runId: run.id,
          scope,
          message: text('message', event.message),
          ...suggestedAmounts(scope, text('limit_usd', '0'), text('estimate_usd', '0')),
          approvers: Array.isArray(data.approvers) ? (data.approvers as string[]) : [],
        }),
      };
    }
    case 'budget.decided':
      return say(`:moneybag: ${slackText(event.message, 'keep')}`);
    case 'budget.alert':
      return {
        where: 'channel',
        ...budgetAlertMessage({ threshold: Number(data.threshold ?? 0), message: event.message }),
      };
    case 'run.succeeded': {
      const url = steps
        .map((s) => (s.outputs as { pr_url?: unknown } | null)?.pr_url)
        .find((u) => typeof u === 'string');
      return say(
        `:white_check_mark: Done${typeof url === 'string' ? ` — ${link(url, 'pull request')} ready for review` : ''}. Cost: *${roundUsd(parseUsd(context.costUsd))}*.`,
      );
    }
    case 'run.failed':
      return say(
        `:x: ${slackText(event.message, 'keep')}\nWhat next: fix what the message says, then \`/aidev implement ${slackText(run.taskKey ?? '…')}\` again; work already written is kept as a draft pull request. \`/aidev status ${run.id}\` shows every step.`,
      );
    case 'run.cancelled':
      return data.requested === true
        ? say(`:no_entry_sign: ${slackText(event.message, 'keep')}`)
        : undefined;
    default:
      return undefined;
  }
}

/**
 * Amounts worth a button, in whole dollars (at least one): at the run's own budget, that budget
 * again; past a monthly budget, a grant of ten such calls to this run, and a raise of a tenth of
 * the budget.
 */
function suggestedAmounts(
  scope: string,
  limit: string,
  estimate: string,
): { grantUsd: string; raiseUsd?: string } {
  const dollars = (amount: number) => String(Math.max(1, Math.ceil(amount)));
  if (scope === 'run') return { grantUsd: dollars(Number(limit)) };
  return { grantUsd: dollars(Number(estimate) * 10), raiseUsd: dollars(Number(limit) / 10) };
}
