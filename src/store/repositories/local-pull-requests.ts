import type { Queryable } from '../database.js';
import { isUniqueViolation } from '../sql.js';

export interface LocalPullRequest {
  readonly id: string;
  readonly repository: string;
  readonly number: number;
  readonly sourceBranch: string;
  readonly targetBranch: string;
  readonly title: string;
  readonly body: string;
  readonly draft: boolean;
  readonly labels: readonly string[];
  readonly reviewers: readonly string[];
  readonly status: 'open' | 'closed' | 'merged';
  readonly headSha: string;
  readonly diff: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface PullRow {
  id: string;
  repository: string;
  number: number;
  source_branch: string;
  target_branch: string;
  title: string;
  body: string;
  draft: boolean;
  labels: string[];
  reviewers: string[];
  status: 'open' | 'closed' | 'merged';
  head_sha: string;
  diff: string;
  created_at: Date;
  updated_at: Date;
}

function toPull(row: PullRow): LocalPullRequest {
  return {
    id: row.id,
    repository: row.repository,
    number: row.number,
    sourceBranch: row.source_branch,
    targetBranch: row.target_branch,
    title: row.title,
    body: row.body,
    draft: row.draft,
    labels: row.labels,
    reviewers: row.reviewers,
    status: row.status,
    headSha: row.head_sha,
    diff: row.diff,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createLocalPullRequestsRepository(db: Queryable) {
  return {
    /** Opens a pull request with the repository's next number; the open one for the branch if any. */
    async open(
      pull: Omit<LocalPullRequest, 'id' | 'number' | 'status' | 'createdAt' | 'updatedAt'>,
    ): Promise<{ pull: LocalPullRequest; created: boolean }> {
      // Two branches opened at once can compute the same next number: try again.
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.insert(pull);
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= 3) throw error;
        }
      }
    },

    async insert(
      pull: Omit<LocalPullRequest, 'id' | 'number' | 'status' | 'createdAt' | 'updatedAt'>,
    ): Promise<{ pull: LocalPullRequest; created: boolean }> {
      const { rows } = await db.query<PullRow>(
        `INSERT INTO local_pull_requests (repository, number, source_branch, target_branch, title, body, draft, labels, reviewers, head_sha, diff)
         SELECT $1, COALESCE(max(number), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM local_pull_requests WHERE repository = $1
         ON CONFLICT (repository, source_branch) WHERE status = 'open' DO NOTHING
         RETURNING *`,
        [
          pull.repository,
          pull.sourceBranch,
          pull.targetBranch,
          pull.title,
          pull.body,
          pull.draft,
          [...pull.labels],
          [...pull.reviewers],
          pull.headSha,
          pull.diff,
        ],
      );
      if (rows[0] !== undefined) return { pull: toPull(rows[0]), created: true };
      const existing = await this.findOpen(pull.repository, pull.sourceBranch);
      if (existing === null)
        throw new Error('pull request insert conflicted but no open pull request exists');
      return { pull: existing, created: false };
    },

    async findOpen(repository: string, sourceBranch: string): Promise<LocalPullRequest | null> {
      const { rows } = await db.query<PullRow>(
        "SELECT * FROM local_pull_requests WHERE repository = $1 AND source_branch = $2 AND status = 'open'",
        [repository, sourceBranch],
      );
      return rows[0] === undefined ? null : toPull(rows[0]);
    },

    async get(repository: string, number: number): Promise<LocalPullRequest | null> {
      const { rows } = await db.query<PullRow>(
        'SELECT * FROM local_pull_requests WHERE repository = $1 AND number = $2',
        [repository, number],
      );
      return rows[0] === undefined ? null : toPull(rows[0]);
    },

    async list(repository?: string): Promise<LocalPullRequest[]> {
      const { rows } = await db.query<PullRow>(
        'SELECT * FROM local_pull_requests WHERE $1::text IS NULL OR repository = $1 ORDER BY repository, number',
        [repository ?? null],
      );
      return rows.map(toPull);
    },

    /** Adds reviewers the pull request does not list yet (in order); null if there is none. */
    async addReviewers(
      repository: string,
      number: number,
      reviewers: readonly string[],
    ): Promise<LocalPullRequest | null> {
      const { rows } = await db.query<PullRow>(
        `UPDATE local_pull_requests
         SET reviewers = reviewers || ARRAY(
               SELECT r FROM unnest($3::text[]) WITH ORDINALITY AS wanted (r, i)
               WHERE NOT (r = ANY (reviewers)) ORDER BY i),
             updated_at = now()
         WHERE repository = $1 AND number = $2 RETURNING *`,
        [repository, number, [...new Set(reviewers)]],
      );
      return rows[0] === undefined ? null : toPull(rows[0]);
    },

    async close(repository: string, number: number): Promise<LocalPullRequest | null> {
      const { rows } = await db.query<PullRow>(
        `UPDATE local_pull_requests SET status = 'closed', updated_at = now()
         WHERE repository = $1 AND number = $2 RETURNING *`,
        [repository, number],
      );
      return rows[0] === undefined ? null : toPull(rows[0]);
    },
  };
}

export type LocalPullRequestsRepository = ReturnType<typeof createLocalPullRequestsRepository>;
