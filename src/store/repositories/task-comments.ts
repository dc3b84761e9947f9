import type { Queryable } from '../database.js';

export interface TaskComment {
  readonly id: string;
  readonly taskId: string;
  readonly body: string;
  readonly author: string;
  readonly createdAt: Date;
}

interface CommentRow {
  id: string;
  task_id: string;
  body: string;
  author: string;
  created_at: Date;
}

const toComment = (row: CommentRow): TaskComment => ({
  id: row.id,
  taskId: row.task_id,
  body: row.body,
  author: row.author,
  createdAt: row.created_at,
});

export function createTaskCommentsRepository(db: Queryable) {
  return {
    /** Adds a comment; with an idempotency key, a second add returns the first comment. */
    async add(comment: {
      taskId: string;
      body: string;
      author?: string;
      idempotencyKey?: string;
    }): Promise<TaskComment> {
      const { rows } = await db.query<CommentRow>(
        `INSERT INTO task_comments (task_id, body, author, idempotency_key) VALUES ($1, $2, $3, $4)
         ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
         RETURNING *`,
        [comment.taskId, comment.body, comment.author ?? 'aidev', comment.idempotencyKey ?? null],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('comment insert returned nothing');
      return toComment(row);
    },

    async listForTask(taskId: string): Promise<TaskComment[]> {
      const { rows } = await db.query<CommentRow>(
        'SELECT * FROM task_comments WHERE task_id = $1 ORDER BY created_at, id',
        [taskId],
      );
      return rows.map(toComment);
    },
  };
}

export type TaskCommentsRepository = ReturnType<typeof createTaskCommentsRepository>;
