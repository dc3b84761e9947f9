/** A workflow run's step as stored, and how a database row becomes one. */
import type { JsonValue } from '../sql.js';

export const STEP_KINDS = ['plugin_action', 'ai_action', 'approval', 'set'] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export const STEP_STATUSES = [
  'pending',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
  'rolled_back',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface RunStep {
  readonly id: string;
  readonly runId: string;
  readonly stepName: string;
  readonly stepIndex: number;
  readonly kind: StepKind;
  readonly status: StepStatus;
  readonly attempt: number;
  /** Attempts that failed (a worker dying mid-attempt is not a failure). */
  readonly failures: number;
  /** Attempts a stopping worker handed back unfinished (neither failures nor crashes). */
  readonly handovers: number;
  /** `<run id>:<step name>`: the same for every attempt and every worker. */
  readonly idempotencyKey: string;
  readonly inputs: JsonValue | null;
  readonly outputs: JsonValue | null;
  readonly error: JsonValue | null;
  readonly skipReason: string | null;
  /** Set when a rejected approval sent this step back: number, feedback, previous outputs. */
  readonly revision: JsonValue | null;
  readonly worker: string | null;
  readonly startedAt: Date | null;
  readonly heartbeatAt: Date | null;
  readonly finishedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface StepRow {
  id: string;
  run_id: string;
  step_name: string;
  step_index: number;
  kind: StepKind;
  status: StepStatus;
  attempt: number;
  failures: number;
  handovers: number;
  idempotency_key: string;
  inputs: JsonValue | null;
  outputs: JsonValue | null;
  error: JsonValue | null;
  skip_reason: string | null;
  revision: JsonValue | null;
  worker: string | null;
  started_at: Date | null;
  heartbeat_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toStep(row: StepRow): RunStep {
  return {
    id: row.id,
    runId: row.run_id,
    stepName: row.step_name,
    stepIndex: row.step_index,
    kind: row.kind,
    status: row.status,
    attempt: row.attempt,
    failures: row.failures,
    handovers: row.handovers,
    idempotencyKey: row.idempotency_key,
    inputs: row.inputs,
    outputs: row.outputs,
    error: row.error,
    skipReason: row.skip_reason,
    revision: row.revision,
    worker: row.worker,
    startedAt: row.started_at,
    heartbeatAt: row.heartbeat_at,
    finishedAt: row.finished_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
