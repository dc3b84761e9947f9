import { mention, slackText } from '../../blocks/slack-text.js';
import { parseUsd, roundUsd } from '../costs/money.js';
import type { RunEvent } from '../store/repositories/run-events.js';
import type { RunStep } from '../store/repositories/run-steps.js';
import type { Run } from '../store/repositories/runs.js';
import { milestoneOf, say, type Milestone } from './milestones.js';
import { roundResult } from './run-rounds.js';

/**
 * A round's milestones, told in the thread of the run that opened the pull request: when it
 * starts (with the feedback it takes up), and how it ends; everything else as for any run.
 */
export function roundMilestoneOf(
  event: RunEvent,
  context: { run: Run; steps: readonly RunStep[]; costUsd: string; round: number },
): Milestone | undefined {
  const { run, round } = context;
  switch (event.type) {
    case 'run.started': {
      const feedback = feedbackSummary(run.inputs.feedback);
      return say(
        `:arrows_counterclockwise: Round ${round} started${feedback === '' ? '' : ` (${feedback})`}`,
      );
    }
    case 'run.succeeded':
      return say(
        `:white_check_mark: Round ${round} done: ${slackText(roundResult(context.steps))} · ${roundUsd(parseUsd(context.costUsd))}`,
      );
    case 'run.failed':
      return say(
        `:x: Round ${round} failed: ${slackText(event.message, 'keep')}\nWhat next: a reply here, or a review or comment on the pull request, starts another round while rounds are left; \`/aidev status ${run.id}\` shows every step.`,
      );
    case 'run.cancelled':
      return say(`:no_entry_sign: Round ${round}: ${slackText(event.message, 'keep')}`);
    default:
      return milestoneOf(event, context);
  }
}

/** `review by alice, 2 comments by <@U123>, failing check build`, in the order they came. */
export function feedbackSummary(feedback: unknown): string {
  if (!Array.isArray(feedback)) return '';
  const groups = new Map<string, { type: string; author: string; count: number }>();
  for (const item of feedback) {
    const { type, author } = (item ?? {}) as { type?: unknown; author?: unknown };
    if (typeof type !== 'string' || typeof author !== 'string') continue;
    const key = JSON.stringify([type, author]);
    const group = groups.get(key) ?? { type, author, count: 0 };
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ type, author, count }) => {
      const who = author.startsWith('slack:') ? mention(author.slice(6)) : slackText(author);
      if (type === 'failing_check') return `failing check ${who}`;
      const noun = type === 'review' ? 'review' : type === 'comment' ? 'comment' : slackText(type);
      return `${count === 1 ? noun : `${count} ${noun}s`} by ${who}`;
    })
    .join(', ');
}
