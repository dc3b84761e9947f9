import type { RunStep } from '../store/repositories/run-steps.js';
import type { JsonObject } from '../store/sql.js';
import type { GateRecord } from './approvals.js';
import { RUN_JOB } from './execution.js';
import { leaveWait } from './leave-wait.js';
import type { ControlDeps, DecisionOutcome, DecisionRequest } from './run-control.js';

/** What a revised step finds in its run's context as `run.revisions.<step>`. */
export interface RevisionRecord extends JsonObject {
  number: number;
  feedback: string | null;
  by: string;
  /** The step's outputs before (e.g. the rejected plan). */
  previous: JsonObject | null;
}

/**
 * A rejection at a gate with `revise: <step>`: instead of ending the run, that earlier step
 * runs again with the feedback and what it produced before, the steps in between run again,
 * and the gate asks once more — up to `max_revisions` times, after which a rejection is final.
 * All of it happens in one transaction with the run queued again, so exactly one click counts.
 */
export async function reviseAfterRejection(
  deps: ControlDeps,
  runId: string,
  gate: RunStep,
  record: GateRecord,
  steps: readonly RunStep[],
  request: DecisionRequest,
): Promise<DecisionOutcome | undefined> {
  const target = steps.find((s) => s.stepName === record.revise);
  if (target === undefined) return undefined;
  const number = ((target.revision as RevisionRecord | null)?.number ?? 0) + 1;
  if (number > record.max_revisions) return undefined;
  const revision: RevisionRecord = {
    number,
    feedback: request.feedback ?? null,
    by: request.by,
    previous: (target.outputs as JsonObject | null) ?? null,
  };
  const reopened = await leaveWait(deps.store, runId, async (tx) => {
    const asked = await tx.steps.reopen(gate.id);
    if (asked === null) return null;
    await tx.steps.revise(target.id, revision);
    // The step's saved conversation would end at its old answer: it starts afresh.
    await tx.agentSessions.remove(target.idempotencyKey);
    for (const step of steps)
      if (step.stepIndex > target.stepIndex && step.stepIndex < gate.stepIndex)
        await tx.steps.reset(step.id);
    return asked;
  });
  if (reopened === null) return undefined;
  await deps.jobs.enqueue(RUN_JOB, { runId });
  await deps.recorder.record({
    type: 'approval.decided',
    runId,
    step: gate.stepName,
    message: `${gate.stepName} rejected by ${request.by}${request.feedback === undefined ? '' : `: ${request.feedback}`}; ${target.stepName} runs again with the feedback (revision ${number} of at most ${record.max_revisions})`,
    data: {
      approved: false,
      decided_by: request.by,
      feedback: request.feedback ?? null,
      revising: target.stepName,
      revision: number,
    },
  });
  return {
    outcome: 'decided',
    approved: false,
    step: gate.stepName,
    revising: { step: target.stepName, revision: number },
  };
}
