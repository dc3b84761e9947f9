import type { Queryable } from '../database.js';

/** A check's conclusion, in GitHub's words. */
export type LocalCheckConclusion =
  | 'success'
  | 'failure'
  | 'neutral'
  | 'cancelled'
  | 'skipped'
  | 'timed_out'
  | 'action_required'
  | 'startup_failure'
  | 'stale';

/** One run of a check (a test suite, a linter) on a commit of a local repository. */
export interface LocalCheck {
  readonly id: number;
  /** The repository's directory, as local pull requests name it. */
  readonly repository: string;
  readonly sha: string;
  readonly name: string;
  readonly conclusion: LocalCheckConclusion;
  readonly log: string;
  readonly createdAt: Date;
}

interface CheckRow {
  id: string;
  repository: string;
  sha: string;
  name: string;
  conclusion: LocalCheckConclusion;
  log: string;
  created_at: Date;
}

const toCheck = (row: CheckRow): LocalCheck => ({
  id: Number(row.id),
  repository: row.repository,
  sha: row.sha,
  name: row.name,
  conclusion: row.conclusion,
  log: row.log,
  createdAt: row.created_at,
});

export function createLocalChecksRepository(db: Queryable) {
  return {
    /** Records a finished run of a check; a later run of the same name supersedes it. */
    async record(check: {
      repository: string;
      sha: string;
      name: string;
      conclusion: LocalCheckConclusion;
      log: string;
    }): Promise<LocalCheck> {
      const { rows } = await db.query<CheckRow>(
        `INSERT INTO local_checks (repository, sha, name, conclusion, log)
         VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [check.repository, check.sha, check.name, check.conclusion, check.log],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('check insert returned nothing');
      return toCheck(row);
    },

    /** The newest run of each check on a commit, by name. */
    async forRef(repository: string, sha: string): Promise<LocalCheck[]> {
      const { rows } = await db.query<CheckRow>(
        `SELECT DISTINCT ON (name) * FROM local_checks
         WHERE repository = $1 AND sha = $2 ORDER BY name, id DESC`,
        [repository, sha],
      );
      return rows.map(toCheck);
    },
  };
}

export type LocalChecksRepository = ReturnType<typeof createLocalChecksRepository>;
