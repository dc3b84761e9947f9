import type { JsonObject, JsonValue } from '../sql.js';
import type { Run, RunStatus, RunTrigger, WaitingFor } from './runs.js';

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
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}
