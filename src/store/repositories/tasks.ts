import type { Queryable } from '../database.js';
import { clampLimit, json, type JsonObject } from '../sql.js';

/** A tracker task: owned by the local tracker (`source = 'local'`) or copied from Jira etc. */
export interface TaskRecord {
  readonly id: string;
  readonly projectId: string | null;
  readonly source: string;
  readonly key: string;
  readonly issueType: string;
  readonly title: string;
  readonly description: string;
  readonly status: string;
  readonly parentKey: string | null;
  readonly assignee: string | null;
  readonly priority: string | null;
  readonly labels: readonly string[];
  readonly storyPoints: string | null;
  readonly fields: JsonObject;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type TaskInput = Pick<TaskRecord, 'source' | 'key' | 'title' | 'status'> & {
  readonly projectId?: string;
  readonly issueType?: string;
  readonly description?: string;
  readonly parentKey?: string;
  readonly assignee?: string;
  readonly priority?: string;
  readonly labels?: readonly string[];
  readonly storyPoints?: string;
  readonly fields?: JsonObject;
};

interface TaskRow {
  id: string;
  project_id: string | null;
  source: string;
  key: string;
  issue_type: string;
  title: string;
  description: string;
  status: string;
  parent_key: string | null;
  assignee: string | null;
  priority: string | null;
  labels: string[];
  story_points: string | null;
  fields: JsonObject;
  created_at: Date;
  updated_at: Date;
}

function toTask(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    source: row.source,
    key: row.key,
    issueType: row.issue_type,
    title: row.title,
    description: row.description,
    status: row.status,
    parentKey: row.parent_key,
    assignee: row.assignee,
    priority: row.priority,
    labels: row.labels,
    storyPoints: row.story_points,
    fields: row.fields,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createTasksRepository(db: Queryable) {
  return {
    /** Creates the task, or replaces the stored copy of it (same source and key). */
    async upsert(task: TaskInput): Promise<TaskRecord> {
      const { rows } = await db.query<TaskRow>(
        `INSERT INTO tasks (source, key, project_id, issue_type, title, description, status, parent_key,
                            assignee, priority, labels, story_points, fields)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (source, key) DO UPDATE SET
           project_id = EXCLUDED.project_id, issue_type = EXCLUDED.issue_type, title = EXCLUDED.title,
           description = EXCLUDED.description, status = EXCLUDED.status, parent_key = EXCLUDED.parent_key,
           assignee = EXCLUDED.assignee, priority = EXCLUDED.priority, labels = EXCLUDED.labels,
           story_points = EXCLUDED.story_points, fields = EXCLUDED.fields, updated_at = now()
         RETURNING *`,
        [
          task.source,
          task.key,
          task.projectId ?? null,
          task.issueType ?? 'task',
          task.title,
          task.description ?? '',
          task.status,
          task.parentKey ?? null,
          task.assignee ?? null,
          task.priority ?? null,
          [...(task.labels ?? [])],
          task.storyPoints ?? null,
          json(task.fields ?? {}),
        ],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('task upsert returned nothing');
      return toTask(row);
    },

    /** Creates a task whose key must be new (a unique violation if it is taken). */
    async upsertNew(task: TaskInput): Promise<TaskRecord> {
      const existing = await this.get(task.source, task.key);
      if (existing !== null)
        throw Object.assign(new Error(`task ${task.key} exists`), { code: '23505' });
      return this.upsert(task);
    },

    async get(source: string, key: string): Promise<TaskRecord | null> {
      const { rows } = await db.query<TaskRow>(
        'SELECT * FROM tasks WHERE source = $1 AND key = $2',
        [source, key],
      );
      return rows[0] === undefined ? null : toTask(rows[0]);
    },

    async list(filter: {
      source: string;
      projectId?: string;
      status?: string;
      issueType?: string;
      limit?: number;
    }): Promise<TaskRecord[]> {
      const { rows } = await db.query<TaskRow>(
        `SELECT * FROM tasks WHERE source = $1
           AND ($2::uuid IS NULL OR project_id = $2) AND ($3::text IS NULL OR status = $3)
           AND ($4::text IS NULL OR issue_type = $4)
         ORDER BY key LIMIT $5`,
        [
          filter.source,
          filter.projectId ?? null,
          filter.status ?? null,
          filter.issueType ?? null,
          clampLimit(filter.limit, 100, 1_000),
        ],
      );
      return rows.map(toTask);
    },

    /** The task a retried step created, found by the idempotency key stored in its fields. */
    async findCreatedBy(source: string, idempotencyKey: string): Promise<TaskRecord | null> {
      const { rows } = await db.query<TaskRow>(
        "SELECT * FROM tasks WHERE source = $1 AND fields ->> 'idempotency_key' = $2",
        [source, idempotencyKey],
      );
      return rows[0] === undefined ? null : toTask(rows[0]);
    },

    /** The next free number of a project's keys (PROJ-<n>). */
    async nextNumber(source: string, project: string): Promise<number> {
      const { rows } = await db.query<{ n: number | null }>(
        `SELECT max(substring(key FROM '-([0-9]+)$')::int) AS n FROM tasks WHERE source = $1 AND key LIKE $2`,
        [source, `${project}-%`],
      );
      return (rows[0]?.n ?? 0) + 1;
    },

    /** Replaces the status and the fields (history, idempotency records) of a task. */
    async update(
      source: string,
      key: string,
      change: { status: string; fields: JsonObject },
    ): Promise<TaskRecord | null> {
      const { rows } = await db.query<TaskRow>(
        'UPDATE tasks SET status = $3, fields = $4, updated_at = now() WHERE source = $1 AND key = $2 RETURNING *',
        [source, key, change.status, json(change.fields)],
      );
      return rows[0] === undefined ? null : toTask(rows[0]);
    },

    async setStatus(source: string, key: string, status: string): Promise<TaskRecord | null> {
      const { rows } = await db.query<TaskRow>(
        'UPDATE tasks SET status = $3, updated_at = now() WHERE source = $1 AND key = $2 RETURNING *',
        [source, key, status],
      );
      return rows[0] === undefined ? null : toTask(rows[0]);
    },
  };
}

export type TasksRepository = ReturnType<typeof createTasksRepository>;
