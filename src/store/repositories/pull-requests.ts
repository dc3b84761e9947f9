import type { Queryable } from '../database.js';

export type PullRequestState = 'open' | 'closed' | 'merged';

/** A pull request aidev opened, and the run (and step) that opened it. */
export interface OwnedPullRequest {
  /** The pull request's web address: GitHub's html_url, the local backend's file URL. */
  readonly url: string;
  readonly runId: string;
  readonly stepName: string;
  readonly repository: string;
  readonly number: number;
  readonly branch: string;
  readonly state: PullRequestState;
  readonly openedAt: Date;
  readonly updatedAt: Date;
  /** When aidev stopped making rounds of fixes on it and asked a person (null: it has not). */
  readonly handedOverAt: Date | null;
}

interface Row {
  url: string;
  run_id: string;
  step_name: string;
  repository: string;
  number: number;
  branch: string;
  state: PullRequestState;
  opened_at: Date;
  updated_at: Date;
  handed_over_at: Date | null;
}

const toPull = (r: Row): OwnedPullRequest => ({
  url: r.url,
  runId: r.run_id,
  stepName: r.step_name,
  repository: r.repository,
  number: r.number,
  branch: r.branch,
  state: r.state,
  openedAt: r.opened_at,
  updatedAt: r.updated_at,
  handedOverAt: r.handed_over_at,
});

export function createPullRequestsRepository(db: Queryable) {
  return {
    /**
     * Records that a run opened a pull request. A second record of the same URL (the step run
     * again, or the plugin returning the pull request already open for the branch) keeps the
     * first owner.
     */
    async record(
      pull: Pick<
        OwnedPullRequest,
        'url' | 'runId' | 'stepName' | 'repository' | 'number' | 'branch'
      >,
    ): Promise<OwnedPullRequest> {
      await db.query(
        `INSERT INTO pull_requests (url, run_id, step_name, repository, number, branch)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (url) DO NOTHING`,
        [pull.url, pull.runId, pull.stepName, pull.repository, pull.number, pull.branch],
      );
      const owned = await this.byUrl(pull.url);
      if (owned === null) throw new Error(`the pull request ${pull.url} was not recorded`);
      return owned;
    },

    async byUrl(url: string): Promise<OwnedPullRequest | null> {
      const { rows } = await db.query<Row>('SELECT * FROM pull_requests WHERE url = $1', [url]);
      return rows[0] === undefined ? null : toPull(rows[0]);
    },

    async forRun(runId: string): Promise<OwnedPullRequest[]> {
      const { rows } = await db.query<Row>(
        'SELECT * FROM pull_requests WHERE run_id = $1 ORDER BY opened_at, url',
        [runId],
      );
      return rows.map(toPull);
    },

    /**
     * The open pull request aidev opened for a branch of a repository (as the run named them),
     * if any: a commit pushed there updates it.
     */
    async openFor(repository: string, branch: string): Promise<OwnedPullRequest | null> {
      const { rows } = await db.query<Row>(
        `SELECT * FROM pull_requests WHERE repository = $1 AND branch = $2 AND state = 'open'
         ORDER BY opened_at DESC LIMIT 1`,
        [repository, branch],
      );
      return rows[0] === undefined ? null : toPull(rows[0]);
    },

    /** A pull request merged or closed (or opened again); false if aidev did not open it. */
    async setState(url: string, state: PullRequestState): Promise<boolean> {
      const { rowCount } = await db.query(
        'UPDATE pull_requests SET state = $2, updated_at = now() WHERE url = $1',
        [url, state],
      );
      return rowCount === 1;
    },
  };
}
