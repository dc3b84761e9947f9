import type { Queryable } from '../database.js';
import { toRun, type Run, type RunRow } from './run-row.js';
import {
  clampLimit,
  decodeCursor,
  encodeCursor,
  isUuid,
  json,
  type JsonObject,
  type JsonValue,
  type Page,
} from '../sql.js';

export type { Run } from './run-row.js';

export const RUN_STATUSES = [
  'queued',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];
/**
 * `feedback`: a round of the pull-request loop, started by a review, a check or a reply;
 * `tracker`: started by a Jira or Linear webhook (a label, an assignment, a comment).
 */
export type RunTrigger = 'slack' | 'cli' | 'api' | 'schedule' | 'feedback' | 'tracker';
export type WaitingFor = 'approval' | 'budget';

export interface NewRun {
  readonly workflowName: string;
  readonly workflowVersion: string;
  readonly workflowDigest?: string;
  readonly workflowDefinition?: JsonValue;
  readonly inputs?: JsonObject;
  readonly channelId?: string;
  readonly userId?: string;
  readonly projectId?: string;
  readonly taskKey?: string;
  readonly trigger: RunTrigger;
  /** A second create with the same key returns the first run instead of a new one. */
  readonly idempotencyKey?: string;
  readonly deadlineAt?: Date;
  readonly traceContext?: string;
}

export interface RunFilter {
  readonly status?: RunStatus;
  readonly channelId?: string;
  readonly userId?: string;
  readonly workflowName?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface Transition {
  /** Only transition from these statuses; otherwise nothing changes and null is returned. */
  readonly from?: readonly RunStatus[];
  readonly error?: JsonValue;
  readonly waitingFor?: WaitingFor;
  /** Only if nobody asked to cancel the run (a decision must not revive a run that is stopping). */
  readonly unlessCancelRequested?: boolean;
}

export function createRunsRepository(db: Queryable) {
  async function get(id: string): Promise<Run | null> {
    if (!isUuid(id)) return null;
    const { rows } = await db.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id]);
    return rows[0] === undefined ? null : toRun(rows[0]);
  }

  return {
    get,

    async create(run: NewRun): Promise<{ run: Run; created: boolean }> {
      const { rows } = await db.query<RunRow>(
        `INSERT INTO runs (workflow_name, workflow_version, workflow_digest, inputs, channel_id,
                           user_id, project_id, task_key, trigger, idempotency_key, deadline_at,
                           workflow_definition, trace_context)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING *`,
        [
          run.workflowName,
          run.workflowVersion,
          run.workflowDigest ?? null,
          json(run.inputs ?? {}),
          run.channelId ?? null,
          run.userId ?? null,
          run.projectId ?? null,
          run.taskKey ?? null,
          run.trigger,
          run.idempotencyKey ?? null,
          run.deadlineAt ?? null,
          json(run.workflowDefinition),
          run.traceContext ?? null,
        ],
      );
      if (rows[0] !== undefined) return { run: toRun(rows[0]), created: true };
      const existing = await db.query<RunRow>('SELECT * FROM runs WHERE idempotency_key = $1', [
        run.idempotencyKey,
      ]);
      if (existing.rows[0] === undefined)
        throw new Error('run insert conflicted but no run holds its key');
      return { run: toRun(existing.rows[0]), created: false };
    },

    /** Newest first, filtered, with keyset pagination. */
    async list(filter: RunFilter = {}): Promise<Page<Run>> {
      const limit = clampLimit(filter.limit);
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (filter.status !== undefined) add('status = ?', filter.status);
      if (filter.channelId !== undefined) add('channel_id = ?', filter.channelId);
      if (filter.userId !== undefined) add('user_id = ?', filter.userId);
      if (filter.workflowName !== undefined) add('workflow_name = ?', filter.workflowName);
      if (filter.cursor !== undefined) {
        const cursor = decodeCursor(filter.cursor);
        params.push(cursor.createdAt, cursor.id);
        where.push(
          `(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
        );
      }
      params.push(limit + 1);
      const { rows } = await db.query<RunRow & { cursor_at: string }>(
        `SELECT *, to_json(created_at) #>> '{}' AS cursor_at FROM runs
         ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toRun),
        nextCursor:
          rows.length > limit && last !== undefined ? encodeCursor(last.cursor_at, last.id) : null,
      };
    },

    /**
     * Moves a run to `to`, stamping started_at on the first start and finished_at on a terminal
     * status. With `from`, the change happens only if the run is in one of those statuses.
     *
     * Entering 'waiting' stops the run's clock; leaving it moves the deadline on by the wait, in
     * the same statement, so every way out (a decision, a timeout, a cancel) counts it once (#16).
     * A run that had no time left when it began to wait gets none back: it ends as it would have.
     */
    async transition(id: string, to: RunStatus, options: Transition = {}): Promise<Run | null> {
      if (!isUuid(id)) return null;
      const terminal = TERMINAL_RUN_STATUSES.includes(to);
      const { rows } = await db.query<RunRow>(
        `UPDATE runs SET
           status = $2,
           waiting_for = $3,
           error = COALESCE($4::jsonb, error),
           started_at = CASE WHEN $2 = 'running' THEN COALESCE(started_at, now()) ELSE started_at END,
           finished_at = CASE WHEN $5 THEN now() ELSE NULL END,
           deadline_at = CASE WHEN $2 <> 'waiting' AND waiting_since < deadline_at
             THEN deadline_at + (now() - waiting_since) ELSE deadline_at END,
           waited_ms = CASE WHEN $2 <> 'waiting' AND waiting_since < deadline_at
             THEN waited_ms + GREATEST(0, round(extract(epoch FROM now() - waiting_since) * 1000))::bigint
             ELSE waited_ms END,
           waiting_since = CASE WHEN $2 = 'waiting' THEN COALESCE(waiting_since, now()) ELSE NULL END,
           updated_at = now()
         WHERE id = $1 AND ($6::text[] IS NULL OR status = ANY($6::text[]))
           AND (NOT $7 OR cancel_requested_at IS NULL)
         RETURNING *`,
        [
          id,
          to,
          to === 'waiting' ? (options.waitingFor ?? null) : null,
          json(options.error),
          terminal,
          options.from ?? null,
          options.unlessCancelRequested === true,
        ],
      );
      return rows[0] === undefined ? null : toRun(rows[0]);
    },

    /** Records that someone asked to cancel; the engine acts on it. Null if the run is finished. */
    async requestCancel(id: string): Promise<Run | null> {
      if (!isUuid(id)) return null;
      const { rows } = await db.query<RunRow>(
        `UPDATE runs SET cancel_requested_at = COALESCE(cancel_requested_at, now()), updated_at = now()
         WHERE id = $1 AND status NOT IN ('succeeded', 'failed', 'cancelled')
         RETURNING *`,
        [id],
      );
      return rows[0] === undefined ? null : toRun(rows[0]);
    },

    /**
     * Runs that should be progressing (queued or running) but have no job waiting or running
     * for them — their job was lost — and have not changed since `before`.
     */
    async findStalled(before: Date, limit = 100): Promise<Run[]> {
      const { rows } = await db.query<RunRow>(
        `SELECT r.* FROM runs r
         WHERE r.status IN ('queued', 'running') AND r.updated_at < $1
           AND NOT EXISTS (
             SELECT 1 FROM agenda_jobs j
             WHERE j.name = 'workflow.run' AND j.data ->> 'runId' = r.id::text
               AND (j.next_run_at IS NOT NULL OR j.locked_at IS NOT NULL))
         ORDER BY r.updated_at LIMIT $2`,
        [before, limit],
      );
      return rows.map(toRun);
    },

    /** A run of this task in this channel that has not ended (a second command points to it). */
    async findActive(channelId: string, taskKey: string): Promise<Run | null> {
      const { rows } = await db.query<RunRow>(
        `SELECT * FROM runs WHERE channel_id = $1 AND task_key = $2
           AND status IN ('queued', 'running', 'waiting')
         ORDER BY created_at DESC LIMIT 1`,
        [channelId, taskKey],
      );
      return rows[0] === undefined ? null : toRun(rows[0]);
    },

    /**
     * Waiting runs that had used up their time before they began to wait: nothing can revive
     * them, so a worker should end them. Time spent waiting never makes a run overdue (#16).
     */
    async findOverdue(limit = 100): Promise<Run[]> {
      const { rows } = await db.query<RunRow>(
        `SELECT * FROM runs WHERE status = 'waiting' AND deadline_at <= waiting_since
         ORDER BY deadline_at LIMIT $1`,
        [limit],
      );
      return rows.map(toRun);
    },

    /** Gives a run made untraced this trace, unless a worker did first: the run's trace. */
    async adoptTrace(id: string, traceContext: string): Promise<string> {
      const sql = `UPDATE runs SET trace_context = COALESCE(trace_context, $2) WHERE id = $1
                   RETURNING trace_context`;
      const { rows } = await db.query<{ trace_context: string }>(sql, [id, traceContext]);
      return rows[0]?.trace_context ?? traceContext;
    },

    /** Marks the run as still alive (while a long step runs). */
    async touch(id: string): Promise<void> {
      await db.query('UPDATE runs SET updated_at = now() WHERE id = $1', [id]);
    },

    /** Runs by workflow and status, for metrics (every process's runs, not only this one's). */
    async countByWorkflow(): Promise<{ workflow: string; status: RunStatus; count: number }[]> {
      const { rows } = await db.query<{ workflow: string; status: RunStatus; count: number }>(
        'SELECT workflow_name AS workflow, status, count(*) AS count FROM runs GROUP BY 1, 2',
      );
      return rows;
    },

    async countByStatus(): Promise<Record<RunStatus, number>> {
      const counts = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<
        RunStatus,
        number
      >;
      const { rows } = await db.query<{ status: RunStatus; n: number }>(
        'SELECT status, count(*) AS n FROM runs GROUP BY status',
      );
      for (const row of rows) counts[row.status] = row.n;
      return counts;
    },
  };
}

export type RunsRepository = ReturnType<typeof createRunsRepository>;
