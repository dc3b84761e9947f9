import type { Queryable } from '../database.js';

/** A comment on a local pull request: a person's review comment or aidev's answer. */
export interface LocalPullRequestComment {
  /** The comment's id, which replies name (`inReplyTo`). */
  readonly id: number;
  /** The repository's directory, as local pull requests name it. */
  readonly repository: string;
  readonly number: number;
  readonly author: string;
  readonly body: string;
  /** A review comment's file and line; null for a comment on the whole pull request. */
  readonly path: string | null;
  readonly line: number | null;
  readonly inReplyTo: number | null;
  readonly createdAt: Date;
}

export interface NewLocalPullRequestComment {
  readonly repository: string;
  readonly number: number;
  readonly author: string;
  readonly body: string;
  readonly path?: string | null;
  readonly line?: number | null;
  readonly inReplyTo?: number | null;
  /** With a key, adding again returns the first comment instead of a second one. */
  readonly idempotencyKey?: string;
}

interface CommentRow {
  id: string;
  repository: string;
  number: number;
  author: string;
  body: string;
  path: string | null;
  line: number | null;
  in_reply_to: string | null;
  created_at: Date;
}

// bigserial ids come back as text; they stay far below 2^53.
const toComment = (row: CommentRow): LocalPullRequestComment => ({
  id: Number(row.id),
  repository: row.repository,
  number: row.number,
  author: row.author,
  body: row.body,
  path: row.path,
  line: row.line,
  inReplyTo: row.in_reply_to === null ? null : Number(row.in_reply_to),
  createdAt: row.created_at,
});

export function createLocalPullRequestCommentsRepository(db: Queryable) {
  return {
    /** Adds a comment (the pull request must exist); with a key, at most once. */
    async add(comment: NewLocalPullRequestComment): Promise<LocalPullRequestComment> {
      const { rows } = await db.query<CommentRow>(
        `INSERT INTO local_pull_request_comments
           (repository, number, author, body, path, line, in_reply_to, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (repository, number, idempotency_key) WHERE idempotency_key IS NOT NULL
           DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
         RETURNING *`,
        [
          comment.repository,
          comment.number,
          comment.author,
          comment.body,
          comment.path ?? null,
          comment.line ?? null,
          comment.inReplyTo ?? null,
          comment.idempotencyKey ?? null,
        ],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('pull request comment insert returned nothing');
      return toComment(row);
    },

    /** A pull request's comments, oldest first. */
    async list(repository: string, number: number): Promise<LocalPullRequestComment[]> {
      const { rows } = await db.query<CommentRow>(
        'SELECT * FROM local_pull_request_comments WHERE repository = $1 AND number = $2 ORDER BY id',
        [repository, number],
      );
      return rows.map(toComment);
    },

    async byId(id: number): Promise<LocalPullRequestComment | null> {
      const { rows } = await db.query<CommentRow>(
        'SELECT * FROM local_pull_request_comments WHERE id = $1',
        [id],
      );
      return rows[0] === undefined ? null : toComment(rows[0]);
    },
  };
}

export type LocalPullRequestCommentsRepository = ReturnType<
  typeof createLocalPullRequestCommentsRepository
>;
