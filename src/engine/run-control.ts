import type { JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../log/create-logger.js';
import type { Run } from '../store/repositories/runs.js';
import type { RunStep } from '../store/repositories/run-steps.js';
import type { JsonObject } from '../store/sql.js';
import type { Store } from '../store/store.js';
import { gateOf } from './approvals.js';
import type { EventRecorder } from './event-recorder.js';
import { RUN_JOB } from './execution.js';
import { cannotContinue, leaveWait, type CannotContinue } from './leave-wait.js';
import { reviseAfterRejection } from './revisions.js';

export interface ControlDeps {
  readonly store: Store;
  readonly jobs: JobQueue;
  readonly recorder: EventRecorder;
  readonly logger: Logger;
}

export interface DecisionRequest {
  readonly approve: boolean;
  /** Who decides: a user id as the front end knows it (e.g. a Slack user id). */
  readonly by: string;
  readonly feedback?: string;
  /** The gate to decide; by default the one the run waits at. */
  readonly step?: string;
  /**
   * Decide even if `by` is not among the gate's approvers: the caller authorized it already
   * (front ends ask `authorizeRun`, the one rule of who may decide), or it is a timeout.
   */
  readonly override?: boolean;
  /** A rejection that ends the matter (a timeout): no revision is made even if the gate has one. */
  readonly final?: boolean;
}

export type DecisionOutcome =
  | {
      readonly outcome: 'decided';
      readonly approved: boolean;
      readonly step: string;
      /** A rejection that sends an earlier step back with the feedback (`revise`). */
      readonly revising?: { readonly step: string; readonly revision: number };
    }
  | {
      readonly outcome: 'already_decided';
      readonly step: string;
      readonly approved: boolean;
      readonly decidedBy: string;
      readonly decidedAt: string;
    }
  | {
      readonly outcome: 'not_allowed';
      readonly step: string;
      readonly approvers: readonly string[];
    }
  /** The run ended, is being cancelled, or ran out of time: no decision makes it go on. */
  | CannotContinue
  | { readonly outcome: 'not_waiting'; readonly status: Run['status'] }
  | { readonly outcome: 'not_found' };

/**
 * Records a decision at an approval gate and resumes the run. Exactly one decision counts: the
 * gate's step changes from waiting in the same transaction that puts the run back in the queue;
 * any other decision is refused with who decided, and when. A decision on a run that cannot go
 * on (ended, being cancelled, out of time) is refused with the reason, never taken (#16).
 */
export async function decide(
  deps: ControlDeps,
  runId: string,
  request: DecisionRequest,
): Promise<DecisionOutcome> {
  const run = await deps.store.runs.get(runId);
  if (run === null) return { outcome: 'not_found' };
  const steps = await deps.store.steps.listForRun(runId);
  const gate = steps.find(
    (s) =>
      s.kind === 'approval' &&
      s.status === 'waiting' &&
      (request.step === undefined || s.stepName === request.step),
  );
  const refusal = cannotContinue(run);
  if (gate === undefined)
    return (
      alreadyDecided(steps, request.step) ??
      refusal ?? { outcome: 'not_waiting', status: run.status }
    );
  if (refusal !== undefined) return refusal;
  const record = gateOf(gate);
  if (record === undefined) return { outcome: 'not_waiting', status: run.status };
  if (
    request.override !== true &&
    record.approvers.length > 0 &&
    !record.approvers.includes(request.by)
  ) {
    return { outcome: 'not_allowed', step: gate.stepName, approvers: record.approvers };
  }
  if (!request.approve && record.revise !== null && request.final !== true) {
    const revised = await reviseAfterRejection(deps, runId, gate, record, steps, request);
    if (revised !== undefined) return revised;
  }
  const decidedAt = new Date().toISOString();
  const outputs: JsonObject = {
    approved: request.approve,
    decided_by: request.by,
    decided_at: decidedAt,
    feedback: request.feedback ?? null,
  };
  const proceeds = request.approve || record.on_reject === 'continue';
  const error = proceeds
    ? null
    : {
        code: 'rejected',
        message: `rejected by ${request.by}${request.feedback === undefined ? '' : `: ${request.feedback}`}`,
        retryable: false,
      };
  const decided = await leaveWait(deps.store, runId, (tx) =>
    tx.steps.decide(gate.id, proceeds ? 'succeeded' : 'failed', outputs, error),
  );
  if (decided === null) return whyNotDecided(deps, runId, gate.stepName);
  await deps.jobs.enqueue(RUN_JOB, { runId });
  await deps.recorder.record({
    type: 'approval.decided',
    runId,
    step: gate.stepName,
    message: `${gate.stepName} ${request.approve ? 'approved' : 'rejected'} by ${request.by}${request.feedback === undefined ? '' : `: ${request.feedback}`}`,
    data: outputs,
  });
  return { outcome: 'decided', approved: request.approve, step: gate.stepName };
}

/** Why a decision that changed nothing was not taken, from the run as it is now. */
export async function whyNotDecided(
  deps: ControlDeps,
  runId: string,
  step: string,
): Promise<DecisionOutcome> {
  const run = await deps.store.runs.get(runId);
  if (run === null) return { outcome: 'not_found' };
  return (
    alreadyDecided(await deps.store.steps.listForRun(runId), step) ??
    cannotContinue(run) ?? { outcome: 'not_waiting', status: run.status }
  );
}

function alreadyDecided(
  steps: readonly RunStep[],
  name: string | undefined,
): DecisionOutcome | undefined {
  const decided = steps
    .filter(
      (s) =>
        s.kind === 'approval' && (name === undefined || s.stepName === name) && s.outputs !== null,
    )
    .sort((a, b) => b.stepIndex - a.stepIndex)[0];
  const outputs = decided?.outputs as
    { approved?: boolean; decided_by?: string; decided_at?: string } | undefined;
  if (decided === undefined || outputs?.decided_by === undefined) return undefined;
  return {
    outcome: 'already_decided',
    step: decided.stepName,
    approved: outputs.approved === true,
    decidedBy: outputs.decided_by,
    decidedAt: outputs.decided_at ?? '',
  };
}

/** A gate's time is up: reject it (on_timeout: reject) or fail the run (on_timeout: fail). */
export async function expireGate(
  deps: ControlDeps,
  runId: string,
  stepName: string,
): Promise<void> {
  const gate = (await deps.store.steps.listForRun(runId)).find(
    (s) => s.stepName === stepName && s.status === 'waiting',
  );
  const record = gate === undefined ? undefined : gateOf(gate);
  if (gate === undefined || record === undefined) return;
  if (record.on_timeout === 'reject') {
    await decide(deps, runId, {
      approve: false,
      by: 'system:timeout',
      feedback: 'no decision before the deadline',
      step: stepName,
      override: true,
      final: true,
    });
    return;
  }
  const error = {
    code: 'approval_timeout',
    message: `no decision at ${stepName} before ${record.deadline ?? 'the deadline'}`,
    retryable: false,
  };
  const expired = await leaveWait(deps.store, runId, (tx) =>
    tx.steps.decide(
      gate.id,
      'failed',
      { approved: false, decided_by: 'system:timeout', decided_at: new Date().toISOString() },
      error,
    ),
  );
  if (expired === null) return;
  await deps.jobs.enqueue(RUN_JOB, { runId });
  await deps.recorder.record({
    type: 'approval.decided',
    runId,
    step: stepName,
    level: 'warn',
    message: error.message,
    data: error,
  });
}

export type CancelOutcome =
  | { readonly outcome: 'cancelling'; readonly run: Run }
  | { readonly outcome: 'finished'; readonly status: Run['status'] }
  | { readonly outcome: 'not_found' };

/**
 * Asks a run to stop. A run that is executing stops at its next heartbeat; a waiting or queued
 * run is put in the queue so that a worker ends it (running its on_failure hooks).
 */
export async function cancel(deps: ControlDeps, runId: string, by: string): Promise<CancelOutcome> {
  const requested = await deps.store.runs.requestCancel(runId);
  if (requested === null) {
    const run = await deps.store.runs.get(runId);
    return run === null ? { outcome: 'not_found' } : { outcome: 'finished', status: run.status };
  }
  await deps.store.runs.transition(runId, 'queued', { from: ['waiting'] });
  if (requested.status !== 'running') await deps.jobs.enqueue(RUN_JOB, { runId });
  await deps.recorder.record({
    type: 'run.cancelled',
    runId,
    level: 'warn',
    message: `Cancel requested by ${by}`,
    data: { by, requested: true },
  });
  return { outcome: 'cancelling', run: requested };
}

/**
 * Keeps runs from hanging: re-queues runs whose job was lost (no job waiting or running for
 * them), and wakes waiting runs that had run out of time before they began to wait, so that a
 * worker fails them. Time waiting for people never makes a run overdue: gate timeouts govern
 * the wait (#16).
 */
export async function sweep(
  deps: ControlDeps,
  stalledAfterMs: number,
): Promise<{ requeued: number; overdue: number }> {
  const stalled = await deps.store.runs.findStalled(new Date(Date.now() - stalledAfterMs));
  for (const run of stalled) await deps.jobs.enqueue(RUN_JOB, { runId: run.id });
  const overdue = await deps.store.runs.findOverdue();
  for (const run of overdue) {
    if ((await deps.store.runs.transition(run.id, 'queued', { from: ['waiting'] })) !== null)
      await deps.jobs.enqueue(RUN_JOB, { runId: run.id });
  }
  if (stalled.length + overdue.length > 0)
    deps.logger.warn(
      { requeued: stalled.length, overdue: overdue.length },
      'swept runs that were not progressing',
    );
  return { requeued: stalled.length, overdue: overdue.length };
}
