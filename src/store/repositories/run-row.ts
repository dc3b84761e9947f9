import type { JsonObject, JsonValue } from '../sql.js';
import type { RunStatus, RunTrigger, WaitingFor } from './runs.js';

export interface Run {
  readonly id: string;
  readonly workflowName: string;
  readonly workflowVersion: string;
  readonly workflowDigest: string | null;
  /** The workflow definition (parsed YAML) the run started with. */
  readonly workflowDefinition: JsonValue | null;
  readonly inputs: JsonObject;
  readonly status: RunStatus;
  readonly waitingFor: WaitingFor | null;
  readonly error: JsonValue | null;
  readonly channelId: string | null;
  readonly userId: string | null;
  readonly projectId: string | null;
  readonly taskKey: string | null;
  readonly trigger: RunTrigger;
  readonly idempotencyKey: string | null;
  readonly cancelRequestedAt: Date | null;
  /**
   * When the run's time runs out. Time waiting for a decision does not count (#16): while the run
   * waits its clock is stopped, and leaving 'waiting' moves this on by the wait. For the deadline
   * as it stands now, see `effectiveDeadline` (src/engine/run-deadline.ts).
   */
  readonly deadlineAt: Date | null;
  /** When the current wait for a decision began (null unless the run is waiting). */
  readonly waitingSince: Date | null;
  /** Time waited for decisions in earlier waits, by which the deadline was moved on. */
  readonly waitedMs: number;
  /** The W3C traceparent of the run's trace (#20): every worker's step spans continue it. */
  readonly traceContext: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly updatedAt: Date;
}

/** A row of the runs table as pg returns it. */
export interface RunRow {
  id: string;
  workflow_name: string;
  workflow_version: string;
  workflow_digest: string | null;
  workflow_definition: JsonValue | null;
  inputs: JsonObject;
  status: RunStatus;
  waiting_for: WaitingFor | null;
  error: JsonValue | null;
  channel_id: string | null;
  user_id: string | null;
  project_id: string | null;
  task_key: string | null;
  trigger: RunTrigger;
  idempotency_key: string | null;
  cancel_requested_at: Date | null;
  deadline_at: Date | null;
  waiting_since: Date | null;
  waited_ms: number;
  trace_context: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
}

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    workflowName: row.workflow_name,
    workflowVersion: row.workflow_version,
    workflowDigest: row.workflow_digest,
    workflowDefinition: row.workflow_definition,
    inputs: row.inputs,
    status: row.status,
    waitingFor: row.waiting_for,
    error: row.error,
    channelId: row.channel_id,
    userId: row.user_id,
    projectId: row.project_id,
    taskKey: row.task_key,
    trigger: row.trigger,
    idempotencyKey: row.idempotency_key,
    cancelRequestedAt: row.cancel_requested_at,
    deadlineAt: row.deadline_at,
    waitingSince: row.waiting_since,
    waitedMs: row.waited_ms,
    traceContext: row.trace_context,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}
