import type { JsonObject } from '../store/sql.js';
import type { RunStep } from '../store/repositories/run-steps.js';
import { APPROVAL_TIMEOUT_JOB, type Execution } from './execution.js';
import { resolve } from './run-context.js';
import type { ApprovalStep } from './workflow-model.js';

/** What an approval gate stores while it waits: everything a decision needs, without the workflow. */
export interface GateRecord {
  readonly approvers: string[];
  readonly message: string;
  readonly deadline: string | null;
  readonly on_reject: 'fail' | 'continue';
  readonly on_timeout: 'fail' | 'reject';
  /** The earlier step a rejection sends back, and how many times it may (null: none). */
  readonly revise: string | null;
  readonly max_revisions: number;
}

/**
 * Parks the run at an approval gate: the step and the run are marked waiting in one
 * transaction, and no worker is held while people decide. A timeout, if any, is a scheduled job.
 */
export async function startGate(x: Execution, step: ApprovalStep, row: RunStep): Promise<void> {
  const approvers = approversOf(
    step.approvers === undefined
      ? undefined
      : resolve(step.approvers, x.context, `step ${step.name} approvers`),
    x.run.userId,
  );
  const message = resolve(step.message, x.context, `step ${step.name} message`);
  const deadline = step.timeoutMs === undefined ? null : new Date(Date.now() + step.timeoutMs);
  const max =
    step.maxRevisions === undefined
      ? DEFAULT_MAX_REVISIONS
      : Number(resolve(step.maxRevisions, x.context, `step ${step.name} max_revisions`));
  const gate: GateRecord = {
    approvers,
    message: typeof message === 'string' ? message : JSON.stringify(message, null, 2),
    deadline: deadline?.toISOString() ?? null,
    on_reject: step.onReject,
    on_timeout: step.onTimeout,
    revise: step.revise ?? null,
    max_revisions: Number.isInteger(max) && max >= 0 ? max : DEFAULT_MAX_REVISIONS,
  };
  await x.deps.store.transaction(async (tx) => {
    await tx.steps.wait(row.id, gate as unknown as JsonObject);
    await tx.runs.transition(x.run.id, 'waiting', { from: ['running'], waitingFor: 'approval' });
  });
  if (deadline !== null)
    await x.deps.jobs.enqueue(
      APPROVAL_TIMEOUT_JOB,
      { runId: x.run.id, step: step.name },
      { runAt: deadline },
    );
  const who = approvers.length === 0 ? 'anyone' : approvers.join(', ');
  await x.deps.recorder.record({
    type: 'approval.requested',
    runId: x.run.id,
    step: step.name,
    message: `${step.name}: waiting for approval by ${who}${deadline === null ? '' : ` until ${deadline.toISOString()}`}`,
    data: gate as unknown as JsonObject,
  });
  await x.deps.recorder.record({
    type: 'run.waiting',
    runId: x.run.id,
    step: step.name,
    message: 'Waiting for approval',
    data: { waiting_for: 'approval' },
  });
}

export function approversOf(value: unknown, starter: string | null): string[] {
  const list = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(/[\s,]+/)
      : [];
  const ids = list
    .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
    .map((v) => v.trim());
  if (ids.length > 0) return ids;
  return starter === null ? [] : [starter];
}

const DEFAULT_MAX_REVISIONS = 3;

export function gateOf(row: RunStep): GateRecord | undefined {
  const inputs = row.inputs as Partial<GateRecord> | null;
  if (inputs === null || !Array.isArray(inputs.approvers)) return undefined;
  return {
    approvers: inputs.approvers,
    message: inputs.message ?? '',
    deadline: inputs.deadline ?? null,
    on_reject: inputs.on_reject ?? 'fail',
    on_timeout: inputs.on_timeout ?? 'fail',
    revise: inputs.revise ?? null,
    max_revisions: inputs.max_revisions ?? DEFAULT_MAX_REVISIONS,
  };
}
