import { BUDGET_GRANT, BUDGET_RAISE, BUDGET_STOP } from '../../blocks/budget-blocks.js';
import { section } from '../../blocks/limits.js';
import { decidedPlan, parsePlanRef, PLAN_APPROVE, rejectModal } from '../../blocks/plan-message.js';
import { mention, mentions, slackDate, slackText } from '../../blocks/slack-text.js';
import type { Block } from '../../blocks/types.js';
import type { App } from '../app/create-app.js';
import { authorizeRun } from '../engine/run-authority.js';
import { slackPerson } from './slack-person.js';
import type { SlackWeb } from '../adapters/slack/slack-web.js';

export interface ButtonClick {
  readonly userId: string;
  readonly channelId: string;
  readonly messageTs: string;
  readonly blocks: readonly Block[];
  readonly actionId: string;
  readonly value: string;
  readonly triggerId: string;
}

export interface Deps {
  readonly app: App;
  readonly web: SlackWeb;
}

const tell = (deps: Deps, click: { channelId: string; userId: string }, text: string) =>
  deps.web.postEphemeral({ channel: click.channelId, user: click.userId, text });

/**
 * Whether the person who clicked may decide on the run (`authorizeRun`); if not, they are told
 * why, privately, and nothing else happens. A button naming a run of another channel (a crafted
 * value) finds no run.
 */
async function mayDecide(
  deps: Deps,
  click: { channelId: string; userId: string },
  runId: string,
  action: 'decide' | 'fund' = 'decide',
): Promise<boolean> {
  const authority = await authorizeRun(deps.app.store, {
    actor: slackPerson(deps.app, deps.web, click.userId),
    runId,
    action,
    channelId: click.channelId,
  });
  if (authority.ok) return true;
  await tell(
    deps,
    click,
    authority.reason === 'not_found' ? 'That run no longer exists.' : authority.message,
  );
  return false;
}

/** The plan revision a run waits on now (its plan step's revision number). */
async function currentRevision(app: App, runId: string): Promise<number> {
  const steps = await app.store.steps.listForRun(runId);
  const planned = steps.find(
    (s) => s.revision !== null || (s.outputs as { plan?: unknown } | null)?.plan !== undefined,
  );
  return (planned?.revision as { number?: number } | null)?.number ?? 0;
}

/**
 * Approve / Reject on a plan. Only the run's approvers decide (anyone else is told so, privately);
 * the first decision counts and the message then shows who decided and when; a click on an
 * older plan, or after the run stopped waiting, changes nothing and says why.
 */
export async function onPlanButton(deps: Deps, click: ButtonClick): Promise<void> {
  const ref = parsePlanRef(click.value);
  if (ref === undefined) return;
  if ((await currentRevision(deps.app, ref.runId)) !== ref.revision)
    return tell(
      deps,
      click,
      'This plan was replaced by a revised one: decide on the latest plan in the thread.',
    );
  if (!(await mayDecide(deps, click, ref.runId))) return;
  if (click.actionId !== PLAN_APPROVE) {
    const run = await deps.app.store.runs.get(ref.runId);
    if (run?.status !== 'waiting')
      return tell(deps, click, `Nothing to decide: the run is ${run?.status ?? 'gone'}.`);
    return deps.web.openView(
      click.triggerId,
      rejectModal(click.value, click.channelId, click.messageTs),
    );
  }
  const outcome = await deps.app.engine.decide(ref.runId, {
    approve: true,
    by: click.userId,
    override: true,
  });
  switch (outcome.outcome) {
    case 'decided':
      return deps.web.updateMessage({
        channel: click.channelId,
        ts: click.messageTs,
        text: `Plan approved by ${mention(click.userId)}`,
        blocks: decidedPlan(click.blocks, { approved: true, by: click.userId, at: new Date() }),
      });
    case 'not_allowed':
      return tell(deps, click, `Only ${mentions(outcome.approvers)} may decide on this plan.`);
    case 'already_decided':
      return tell(
        deps,
        click,
        `Already ${outcome.approved ? 'approved' : 'rejected'} by ${mention(outcome.decidedBy)} at ${outcome.decidedAt}.`,
      );
    case 'cannot_continue':
      return tell(deps, click, `Not taken: ${slackText(outcome.reason)}.`);
    case 'not_waiting':
      return tell(deps, click, `Nothing to decide: the run is ${outcome.status}.`);
    case 'not_found':
      return tell(deps, click, 'That run no longer exists.');
  }
}

/** The Reject modal was sent: reject with the feedback (a revising workflow plans again). */
export async function onRejectSubmitted(
  deps: Deps,
  submission: { userId: string; metadata: string; feedback: string | undefined },
): Promise<void> {
  const meta = parseMetadata(submission.metadata);
  const ref = meta === undefined ? undefined : parsePlanRef(meta.ref);
  if (meta === undefined || ref === undefined) return;
  const click = { channelId: meta.channel, userId: submission.userId };
  if (!(await mayDecide(deps, click, ref.runId))) return;
  const feedback = submission.feedback?.trim() === '' ? undefined : submission.feedback?.trim();
  const outcome = await deps.app.engine.decide(ref.runId, {
    approve: false,
    by: submission.userId,
    override: true,
    ...(feedback === undefined ? {} : { feedback }),
  });
  if (outcome.outcome === 'decided') {
    // The feedback was typed into a plain-text input: outside text, escaped before it is echoed.
    const line = `:x: Rejected by ${mention(submission.userId)} ${slackDate(new Date(), 'now')}${feedback === undefined ? '' : `: “${slackText(feedback)}”`}${outcome.revising === undefined ? '' : ' — a revised plan follows.'}`;
    return deps.web.updateMessage({
      channel: meta.channel,
      ts: meta.ts,
      text: 'Plan rejected',
      blocks: [section(`*Plan (revision ${ref.revision})*`), section(line)],
    });
  }
  if (outcome.outcome === 'not_allowed')
    return tell(deps, click, `Only ${mentions(outcome.approvers)} may decide on this plan.`);
  if (outcome.outcome === 'already_decided')
    return tell(
      deps,
      click,
      `Already ${outcome.approved ? 'approved' : 'rejected'} by ${mention(outcome.decidedBy)}.`,
    );
  if (outcome.outcome === 'cannot_continue')
    return tell(deps, click, `Not taken: ${slackText(outcome.reason)}.`);
  return tell(deps, click, 'Nothing to decide: the run no longer waits for this plan.');
}

/**
 * Grant $N / Raise $N / Stop on a budget pause: stopping is for whoever may decide on the run,
 * money past a monthly budget for that budget's owners (authorizeRun's `fund`).
 */
export async function onBudgetButton(deps: Deps, click: ButtonClick): Promise<void> {
  const [runId = '', amount] = click.value.split(':');
  const action =
    click.actionId === BUDGET_GRANT ? 'grant' : click.actionId === BUDGET_RAISE ? 'raise' : 'stop';
  const funding = action !== 'stop' && amount !== undefined ? action : undefined;
  if (!(await mayDecide(deps, click, runId, funding === undefined ? 'decide' : 'fund'))) return;
  const outcome = await deps.app.engine.decidePause(
    runId,
    funding === undefined
      ? { action: 'stop', by: click.userId, override: true }
      : { action: funding, amountUsd: amount ?? '', by: click.userId, override: true },
  );
  switch (outcome.outcome) {
    case 'resumed':
    case 'stopped': {
      const done =
        outcome.outcome === 'stopped'
          ? `:no_entry_sign: ${mention(click.userId)} stopped the run at its budget.`
          : funding === 'raise'
            ? `:moneybag: ${mention(click.userId)} raised the budget by $${slackText(amount ?? '?')}; the runs it paused go on.`
            : `:moneybag: ${mention(click.userId)} granted $${slackText(amount ?? '?')} more; the run goes on.`;
      const kept = click.blocks.filter((b) => b.type !== 'actions');
      return deps.web.updateMessage({
        channel: click.channelId,
        ts: click.messageTs,
        text: done,
        blocks: [...kept, section(done)],
      });
    }
    case 'not_allowed':
      return tell(deps, click, `Only ${mentions(outcome.approvers)} may decide on this budget.`);
    case 'invalid':
      return tell(deps, click, slackText(outcome.message, 'keep'));
    case 'cannot_continue':
      return tell(deps, click, `Not taken: ${slackText(outcome.reason)}.`);
    case 'not_paused':
      return tell(deps, click, 'The run is not paused at a budget any more.');
    case 'not_found':
      return tell(deps, click, 'That run no longer exists.');
  }
}

/** The Reject modal's private metadata, as `rejectModal` wrote it; undefined if it is not that. */
function parseMetadata(text: string): { ref: string; channel: string; ts: string } | undefined {
  try {
    const meta = JSON.parse(text) as Partial<Record<'ref' | 'channel' | 'ts', unknown>> | null;
    return typeof meta?.ref === 'string' &&
      typeof meta.channel === 'string' &&
      typeof meta.ts === 'string'
      ? { ref: meta.ref, channel: meta.channel, ts: meta.ts }
      : undefined;
  } catch {
    return undefined;
  }
}

export const BUDGET_ACTIONS = [BUDGET_GRANT, BUDGET_RAISE, BUDGET_STOP] as const;
