import { BudgetKeeper } from '../costs/budget-keeper.js';
import { parseUsd } from '../costs/money.js';
import { BUDGET_SCOPES } from '../store/repositories/budgets.js';
import type { RunStep } from '../store/repositories/run-steps.js';
import type { JsonObject } from '../store/sql.js';
import { approversOf } from './approvals.js';
import { fund, fundingProblem, type Funded, type Funding } from './budget-funding.js';
import type { Execution } from './execution.js';
import { RUN_JOB } from './execution.js';
import { cannotContinue, leaveWait, type CannotContinue } from './leave-wait.js';
import type { ControlDeps } from './run-control.js';
import type { StepPauseError } from './step-errors.js';
import type { Step } from './workflow-model.js';

/** What a paused step stores while it waits: the pause's own figures, who may decide, when. */
export interface PauseRecord extends JsonObject {
  pause: 'budget';
  /** The budget that stopped the step: run, channel, user or global, and whose. */
  scope: string;
  scope_id: string;
  /** The figures when it paused (BudgetExceeded): what other calls held decides a recheck. */
  limit_usd?: string;
  spent_usd?: string;
  held_usd?: string;
  estimate_usd?: string;
  message: string;
  approvers: string[];
  paused_at: string;
}

/**
 * Parks a step that cannot go on without a decision (a budget it would exceed): the step and
 * the run wait in one transaction, no worker is held, and nothing is spent while they wait.
 */
export async function pauseStep(
  x: Execution,
  step: Step,
  row: RunStep,
  pause: StepPauseError,
): Promise<void> {
  const record: PauseRecord = {
    scope: '',
    scope_id: '',
    ...pause.record,
    pause: pause.waitingFor,
    message: pause.message,
    approvers: approversOf(await channelApprovers(x), x.run.userId),
    paused_at: new Date().toISOString(),
  };
  await x.deps.store.transaction(async (tx) => {
    await tx.steps.wait(row.id, record);
    await tx.runs.transition(x.run.id, 'waiting', { from: ['running'], waitingFor: 'budget' });
  });
  await x.deps.recorder.record({
    type: 'budget.paused',
    runId: x.run.id,
    step: step.name,
    level: 'warn',
    message: `${step.name} paused: ${pause.message}`,
    data: record,
  });
  // The calls whose holds stopped it may have settled before the pause was recorded, when
  // nothing would look at it again: look now.
  await recheckBudgetPauses(x.deps, x.run.id).catch((error: unknown) => {
    x.deps.logger.warn({ err: error, runId: x.run.id }, 'could not recheck a budget pause');
  });
}

/** The channel's approvers (its settings), who decide budgets as they decide plans. */
async function channelApprovers(x: Execution): Promise<unknown> {
  if (x.run.channelId === null) return undefined;
  const settings = (await x.deps.store.channels.get(x.run.channelId))?.settings;
  return settings?.approvers;
}

export type PauseDecision =
  /**
   * `grant`: this run may spend this many dollars more (its own budget goes up, or past a
   * monthly budget it gets an allowance); `raise`: the budget that stopped it goes up, for
   * every run it stopped. Then the run goes on.
   */
  | Funding
  /**
   * Go on as things stand (someone raised the monthly budget that stopped the run, or the
   * calls that held it settled); `note` says why in the run's log.
   */
  | { readonly action: 'resume'; readonly by: string; readonly note?: string }
  /** Do not spend more: the step fails and the run ends (its on_failure steps keep the work). */
  | { readonly action: 'stop'; readonly by: string };

export type PauseOutcome =
  | ({ readonly outcome: 'resumed'; readonly step: string } & Funded)
  | { readonly outcome: 'stopped'; readonly step: string }
  | { readonly outcome: 'not_allowed'; readonly step: string; readonly approvers: string[] }
  | { readonly outcome: 'invalid'; readonly message: string }
  /** The run ended, is being cancelled, or ran out of time: no decision makes it go on. */
  | CannotContinue
  | { readonly outcome: 'not_paused' }
  | { readonly outcome: 'not_found' };

/**
 * Decides a run's budget pause. Only the pause's approvers decide (or anyone with `override`:
 * a front end that asked `authorizeRun`, the one rule). Money past a monthly budget is that
 * budget's owners' to give, so a grant or raise there takes `override`. Exactly one decision
 * counts, because the step leaves `waiting` in the same transaction that queues the run again.
 * A run that cannot go on is refused with the reason.
 */
export async function decidePause(
  deps: ControlDeps,
  runId: string,
  decision: PauseDecision & { readonly override?: boolean },
): Promise<PauseOutcome> {
  const run = await deps.store.runs.get(runId);
  if (run === null) return { outcome: 'not_found' };
  const paused = (await deps.store.steps.listForRun(runId)).find(
    (s) => s.status === 'waiting' && (s.inputs as Partial<PauseRecord> | null)?.pause === 'budget',
  );
  const refusal = cannotContinue(run);
  if (paused === undefined) return refusal ?? { outcome: 'not_paused' };
  if (refusal !== undefined) return refusal;
  const record = paused.inputs as PauseRecord;
  const scope = BUDGET_SCOPES.find((s) => s === record.scope);
  const funding = decision.action === 'grant' || decision.action === 'raise' ? decision : undefined;
  if (
    decision.override !== true &&
    ((record.approvers.length > 0 && !record.approvers.includes(decision.by)) ||
      (funding !== undefined && scope !== 'run'))
  )
    return { outcome: 'not_allowed', step: paused.stepName, approvers: record.approvers };
  if (funding !== undefined) {
    const problem =
      scope === undefined ? 'the pause names no budget' : fundingProblem(funding.amountUsd);
    if (problem !== undefined) return { outcome: 'invalid', message: problem };
  }
  const result = await leaveWait(deps.store, runId, async (tx) => {
    if (decision.action === 'stop') {
      const error = {
        code: 'budget_refused',
        message: `stopped at the ${record.scope} budget by ${decision.by}: ${record.message}`,
        retryable: false,
      };
      const step = await tx.steps.decide(paused.id, 'failed', null, error);
      if (step === null) return null;
      return { outcome: 'stopped', step: paused.stepName } as const;
    }
    const step = await tx.steps.resume(paused.id);
    if (step === null) return null;
    const funded =
      funding === undefined || scope === undefined
        ? {}
        : await fund(tx, runId, { scope, scopeId: record.scope_id }, funding);
    return { outcome: 'resumed', step: paused.stepName, ...funded } as const;
  });
  if (result === null) {
    const now = await deps.store.runs.get(runId);
    return (now === null ? undefined : cannotContinue(now)) ?? { outcome: 'not_paused' };
  }
  await deps.jobs.enqueue(RUN_JOB, { runId });
  await deps.recorder.record({
    type: 'budget.decided',
    runId,
    step: paused.stepName,
    message: describe(decision, result, record),
    data: { action: decision.action, by: decision.by, ...result },
  });
  // A monthly budget raised: the other runs it paused go on too.
  if (decision.action === 'raise' && scope !== undefined && scope !== 'run')
    await resumePausedBy(deps, scope, record.scope_id, decision.by);
  return result;
}

function describe(decision: PauseDecision, result: PauseOutcome, record: PauseRecord): string {
  const figures: Funded = result.outcome === 'resumed' ? result : {};
  const dollars = (usd: string) => `$${usd.replace(/\.?0+$/, '')}`;
  const budget = describeBudget(record.scope, record.scope_id);
  switch (decision.action) {
    case 'grant':
      return figures.allowedUsd !== undefined
        ? `${decision.by} let this run spend $${decision.amountUsd} more past ${budget} (up to ${dollars(figures.allowedUsd)} in all)`
        : `${decision.by} granted $${decision.amountUsd} more to this run${figures.limitUsd === undefined ? '' : ` (budget now ${dollars(figures.limitUsd)})`}`;
    case 'raise':
      return `${decision.by} raised ${budget} by $${decision.amountUsd}${figures.limitUsd === undefined ? '' : ` to ${dollars(figures.limitUsd)}`}`;
    case 'resume':
      return decision.note ?? `${decision.by} let the run go on`;
    case 'stop':
      return `${decision.by} stopped the run at its budget`;
  }
}

/**
 * A monthly budget was raised: the runs it paused go on (each checks again, and pauses again
 * if the new limit is still not enough).
 */
export async function resumePausedBy(
  deps: ControlDeps,
  scope: string,
  scopeId: string,
  by: string,
): Promise<string[]> {
  const resumed: string[] = [];
  for (const step of await deps.store.steps.findPaused('budget')) {
    const record = step.inputs as Partial<PauseRecord>;
    if (record.scope !== scope || record.scope_id !== scopeId) continue;
    const outcome = await decidePause(deps, step.runId, { action: 'resume', by, override: true });
    if (outcome.outcome === 'resumed') resumed.push(step.runId);
  }
  return resumed;
}

/** Who resumes a run that nobody had to decide on. */
export const AIDEV = 'aidev';

/**
 * Runs paused only because other calls held part of the budget go on by themselves once the
 * budget has room for their call again (issue 16): nobody is asked to decide on money that was
 * never spent. Called whenever a hold is settled or released, and right after a pause (`runId`).
 * A pause the budget's spend alone explains stays for a person to decide. Returns the runs
 * that went on.
 */
export async function recheckBudgetPauses(deps: ControlDeps, runId?: string): Promise<string[]> {
  const keeper = new BudgetKeeper(deps.store);
  const resumed: string[] = [];
  for (const step of await deps.store.steps.findPaused('budget')) {
    if (runId !== undefined && step.runId !== runId) continue;
    const record = step.inputs as Partial<PauseRecord>;
    const scope = BUDGET_SCOPES.find((s) => s === record.scope);
    if (scope === undefined || record.scope_id === undefined) continue;
    const estimate = estimateIfHeld(record);
    if (
      estimate === undefined ||
      !(await keeper.fits(scope, record.scope_id, estimate, step.runId))
    )
      continue;
    const outcome = await decidePause(deps, step.runId, {
      action: 'resume',
      by: AIDEV,
      override: true,
      note: `the calls that held ${describeBudget(scope, record.scope_id)} finished and left room: the run goes on`,
    });
    if (outcome.outcome === 'resumed') resumed.push(step.runId);
  }
  return resumed;
}

/**
 * The call's estimate, if calls under way held part of the budget when the run paused (else
 * no settlement can make room, and a person decides).
 */
function estimateIfHeld(record: Partial<PauseRecord>): bigint | undefined {
  try {
    if (parseUsd(record.held_usd ?? '0') === 0n) return undefined;
    return parseUsd(record.estimate_usd ?? '0');
  } catch {
    return undefined;
  }
}

function describeBudget(scope: string, scopeId: string): string {
  if (scope === 'run') return 'this run’s budget';
  return scope === 'global' ? 'the global budget' : `the ${scope} budget of ${scopeId}`;
}
