import type { Queryable } from '../database.js';
import { isUuid, json, type JsonValue } from '../sql.js';
import {
  toStep,
  type RunStep,
  type StepKind,
  type StepRow,
  type StepStatus,
} from './run-step-row.js';

export {
  STEP_KINDS,
  STEP_STATUSES,
  type RunStep,
  type StepKind,
  type StepStatus,
} from './run-step-row.js';

export function createRunStepsRepository(db: Queryable) {
  /** Updates one step and returns it, or null when `guard` (a status condition) does not hold. */
  async function update(
    id: string,
    set: string,
    params: unknown[],
    guard = 'TRUE',
  ): Promise<RunStep | null> {
    if (!isUuid(id)) return null;
    const { rows } = await db.query<StepRow>(
      `UPDATE run_steps SET ${set}, updated_at = now() WHERE id = $1 AND ${guard} RETURNING *`,
      [id, ...params],
    );
    return rows[0] === undefined ? null : toStep(rows[0]);
  }

  return {
    /** Returns the step record, creating it (pending) the first time the run reaches it. */
    async ensure(step: {
      runId: string;
      stepName: string;
      stepIndex: number;
      kind: StepKind;
    }): Promise<RunStep> {
      const { rows } = await db.query<StepRow>(
        `INSERT INTO run_steps (run_id, step_name, step_index, kind, idempotency_key)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (run_id, step_name) DO UPDATE SET updated_at = run_steps.updated_at
         RETURNING *`,
        [step.runId, step.stepName, step.stepIndex, step.kind, `${step.runId}:${step.stepName}`],
      );
      const row = rows[0];
      if (row === undefined) throw new Error(`could not record step ${step.stepName}`);
      return toStep(row);
    },

    async listForRun(runId: string): Promise<RunStep[]> {
      if (!isUuid(runId)) return [];
      const { rows } = await db.query<StepRow>(
        'SELECT * FROM run_steps WHERE run_id = $1 ORDER BY step_index, created_at',
        [runId],
      );
      return rows.map(toStep);
    },

    /**
     * Begins a new attempt: counts it, stores the resolved inputs and claims the step for
     * `worker`. A step another worker is running is only taken over when that worker's
     * heartbeat is older than `staleBefore`; otherwise null.
     */
    start(
      id: string,
      inputs: JsonValue,
      worker: string,
      staleBefore: Date,
    ): Promise<RunStep | null> {
      return update(
        id,
        `status = 'running', attempt = attempt + 1, inputs = $2, worker = $3, error = NULL,
         started_at = now(), heartbeat_at = now(), finished_at = NULL`,
        [json(inputs), worker, staleBefore],
        "(status IN ('pending', 'failed', 'waiting') OR (status = 'running' AND (worker = $3 OR heartbeat_at < $4)))",
      );
    },

    /**
     * Renews the claim and says whether the run was asked to stop. `held` is false when another
     * worker took the step over.
     */
    async heartbeat(
      id: string,
      worker: string,
    ): Promise<{ held: boolean; cancelRequested: boolean }> {
      if (!isUuid(id)) return { held: false, cancelRequested: false };
      const { rows } = await db.query<{ cancel_requested_at: Date | null }>(
        `UPDATE run_steps s SET heartbeat_at = now() FROM runs r
         WHERE s.id = $1 AND s.status = 'running' AND s.worker = $2 AND r.id = s.run_id
         RETURNING r.cancel_requested_at`,
        [id, worker],
      );
      const row = rows[0];
      return { held: row !== undefined, cancelRequested: row?.cancel_requested_at != null };
    },

    /** Records an approval decision on a waiting step; null if it is not waiting (any more). */
    decide(
      id: string,
      status: 'succeeded' | 'failed',
      outputs: JsonValue,
      error: JsonValue | null,
    ): Promise<RunStep | null> {
      return update(
        id,
        `status = $2, outputs = $3, error = $4, finished_at = now()`,
        [status, json(outputs), json(error)],
        "status = 'waiting'",
      );
    },

    /** Gives a running step back (this worker is stopping): pending again, no failure counted. */
    release(id: string, worker: string): Promise<RunStep | null> {
      return update(
        id,
        `status = 'pending', worker = NULL, heartbeat_at = NULL, handovers = handovers + 1`,
        [worker],
        "status = 'running' AND worker = $2",
      );
    },

    /** A paused step may go on: pending again, its pause record kept for the run log. */
    resume(id: string): Promise<RunStep | null> {
      return update(
        id,
        `status = 'pending', worker = NULL, heartbeat_at = NULL`,
        [],
        "status = 'waiting'",
      );
    },

    /** Steps parked by a pause of this kind (e.g. 'budget'), oldest first. */
    async findPaused(kind: string): Promise<RunStep[]> {
      const { rows } = await db.query<StepRow>(
        "SELECT * FROM run_steps WHERE status = 'waiting' AND inputs ->> 'pause' = $1 ORDER BY updated_at",
        [kind],
      );
      return rows.map(toStep);
    },

    /**
     * Sends a finished step back to pending because an approval after it was rejected: it runs
     * again with `revision` (number, feedback, what it produced before) in its run's context.
     */
    revise(id: string, revision: JsonValue): Promise<RunStep | null> {
      return update(
        id,
        `status = 'pending', outputs = NULL, error = NULL, failures = 0, finished_at = NULL,
         worker = NULL, heartbeat_at = NULL, revision = $2`,
        [json(revision)],
      );
    },

    /** A gate waiting for a decision asks again later (after a revision): pending, cleared. */
    reopen(id: string): Promise<RunStep | null> {
      return update(
        id,
        `status = 'pending', inputs = NULL, outputs = NULL, error = NULL, finished_at = NULL`,
        [],
        "status = 'waiting'",
      );
    },

    /** Puts a step back to pending (a re-run from an earlier point). */
    reset(id: string): Promise<RunStep | null> {
      return update(id, `status = 'pending', outputs = NULL, error = NULL, finished_at = NULL`, []);
    },

    succeed(id: string, outputs: JsonValue): Promise<RunStep | null> {
      return update(id, `status = 'succeeded', outputs = $2, finished_at = now()`, [json(outputs)]);
    },

    /** Records a failed attempt (counted against the retry budget). */
    fail(id: string, error: JsonValue): Promise<RunStep | null> {
      return update(
        id,
        `status = 'failed', error = $2, failures = failures + 1, finished_at = now()`,
        [json(error)],
      );
    },

    skip(id: string, reason: string): Promise<RunStep | null> {
      return update(id, `status = 'skipped', skip_reason = $2, finished_at = now()`, [reason]);
    },

    /** Parks a step until a decision arrives; `inputs` keeps what the decision needs. */
    wait(id: string, inputs: JsonValue): Promise<RunStep | null> {
      return update(
        id,
        `status = 'waiting', inputs = $2, started_at = COALESCE(started_at, now())`,
        [json(inputs)],
      );
    },

    cancel(id: string): Promise<RunStep | null> {
      return update(
        id,
        `status = 'cancelled', finished_at = now()`,
        [],
        "status IN ('pending', 'running', 'waiting')",
      );
    },

    markRolledBack(id: string): Promise<RunStep | null> {
      return update(id, `status = 'rolled_back'`, [], "status = 'succeeded'");
    },

    /** Running steps whose worker stopped renewing its claim before `cutoff`. */
    /** Steps that finished (after running) since `after`, oldest first, for duration metrics. */
    async finishedSince(
      after: Date,
      limit = 5_000,
    ): Promise<
      {
        id: string;
        workflow: string;
        step: string;
        status: StepStatus;
        finishedAt: Date;
        seconds: number;
      }[]
    > {
      const { rows } = await db.query<{
        id: string;
        workflow: string;
        step: string;
        status: StepStatus;
        finished_at: Date;
        seconds: number;
      }>(
        `SELECT s.id, r.workflow_name AS workflow, s.step_name AS step, s.status, s.finished_at,
                extract(epoch FROM s.finished_at - s.started_at)::float8 AS seconds
         FROM run_steps s JOIN runs r ON r.id = s.run_id
         WHERE s.finished_at > $1 AND s.started_at IS NOT NULL
         ORDER BY s.finished_at LIMIT $2`,
        [after, limit],
      );
      return rows.map((row) => ({
        id: row.id,
        workflow: row.workflow,
        step: row.step,
        status: row.status,
        finishedAt: row.finished_at,
        seconds: Math.max(0, row.seconds),
      }));
    },

    async findStale(cutoff: Date): Promise<RunStep[]> {
      const { rows } = await db.query<StepRow>(
        "SELECT * FROM run_steps WHERE status = 'running' AND heartbeat_at < $1 ORDER BY heartbeat_at",
        [cutoff],
      );
      return rows.map(toStep);
    },
  };
}

export type RunStepsRepository = ReturnType<typeof createRunStepsRepository>;
