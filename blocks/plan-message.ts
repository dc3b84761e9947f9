import { context, fit, LIMITS, longText, plain, section } from './limits.js';
import { mention, mentions, slackDate, slackText } from './slack-text.js';
import type { Block, View } from './types.js';

export const PLAN_APPROVE = 'aidev_plan_approve';
export const PLAN_REJECT = 'aidev_plan_reject';
export const REJECT_MODAL = 'aidev_plan_reject_modal';

/** The button values: which run and which revision of its plan (an old plan's buttons are stale). */
export const planRef = (runId: string, revision: number) => `${runId}:${revision}`;
export function parsePlanRef(value: string): { runId: string; revision: number } | undefined {
  const match = /^([0-9a-f-]{36}):(\d+)$/.exec(value);
  return match === null ? undefined : { runId: match[1] ?? '', revision: Number(match[2]) };
}

/**
 * A plan to decide on, with Approve and Reject; long plans are cut with a pointer to all of it.
 * The heading, plan text and estimate are outside text (the model's, the tracker's): escaped,
 * the plan keeping its formatting.
 */
export function planMessage(plan: {
  runId: string;
  revision: number;
  heading: string;
  text: string;
  estimatedCost?: string | undefined;
  approvers: readonly string[];
}): { text: string; blocks: Block[] } {
  const who =
    plan.approvers.length === 0 ? 'the person who started the run' : mentions(plan.approvers);
  const ref = planRef(plan.runId, plan.revision);
  const heading = slackText(plan.heading);
  return {
    text: fit(`${heading}: plan ready for approval`, LIMITS.messageText),
    blocks: [
      section(
        `*${plan.revision > 0 ? `Revised plan (${plan.revision})` : 'Plan'}* — ${fit(heading, 300)}`,
      ),
      ...longText(slackText(plan.text, 'keep'), 12, `aidev run ${plan.runId}`),
      context(
        ...(plan.estimatedCost === undefined
          ? []
          : [`Estimated cost to implement: ${slackText(plan.estimatedCost)}`]),
        `Approvers: ${who}`,
      ),
      {
        type: 'actions',
        block_id: 'plan_decision',
        elements: [
          {
            type: 'button',
            action_id: PLAN_APPROVE,
            style: 'primary',
            value: ref,
            text: plain('Approve', LIMITS.buttonText),
          },
          {
            type: 'button',
            action_id: PLAN_REJECT,
            style: 'danger',
            value: ref,
            text: plain('Reject…', LIMITS.buttonText),
          },
        ],
      },
    ],
  };
}

/** The plan message once decided: the buttons give way to who decided, and when. */
export function decidedPlan(
  original: readonly Block[],
  decision: { approved: boolean; by: string; at: Date; feedback?: string | undefined },
): Block[] {
  const kept = original.filter((b) => b.type !== 'actions');
  const when = slackDate(decision.at);
  const line = decision.approved
    ? `:white_check_mark: Approved by ${mention(decision.by)} ${when}`
    : `:x: Rejected by ${mention(decision.by)} ${when}${decision.feedback === undefined ? '' : `: “${fit(slackText(decision.feedback), 1_000)}”`}`;
  return [...kept, section(line)];
}

/** The modal Reject opens: optional feedback, sent back to the planner. */
export function rejectModal(runRef: string, channel: string, ts: string): View {
  return {
    type: 'modal',
    callback_id: REJECT_MODAL,
    private_metadata: JSON.stringify({ ref: runRef, channel, ts }),
    title: plain('Reject the plan', 24),
    submit: plain('Reject', 24),
    close: plain('Cancel', 24),
    blocks: [
      {
        type: 'input',
        block_id: 'feedback',
        optional: true,
        label: plain('What should change?', 2_000),
        element: {
          type: 'plain_text_input',
          action_id: 'text',
          multiline: true,
          max_length: 2_000,
        },
        hint: plain('With feedback, aidev revises the plan and asks again.', 2_000),
      },
    ],
  };
}
