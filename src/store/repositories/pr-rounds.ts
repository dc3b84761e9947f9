import type { Queryable } from '../database.js';
import { json, type JsonObject } from '../sql.js';
import { TERMINAL_RUN_STATUSES, type RunStatus } from './runs.js';

export type FeedbackKind = 'review' | 'comment' | 'failing_check';

/** Feedback on a pull request aidev opened, waiting for a round or taken up by one. */
export interface QueuedFeedback {
  readonly pullUrl: string;
  /** Unique per pull request: `review:<id>`, `comment:<id>`, `check:<sha>`, `slack:<ts>`. */
  readonly sourceId: string;
  readonly kind: FeedbackKind;
  readonly author: string;
  /** What the agent is given: the comment's body, file and line, the failing check… */
  readonly item: JsonObject;
  /** Where it came from: `github:<delivery>`, `slack:<channel>`, `cli`, `api`. */
  readonly origin: string;
  readonly receivedAt: Date;
  readonly roundNumber: number | null;
}

export interface FixRound {
  readonly pullUrl: string;
  readonly number: number;
  readonly runId: string | null;
  readonly startedAt: Date;
  /** The round's run's status (null: its run is not started yet). */
  readonly status: RunStatus | null;
}

/** What a pull request's loop should do next (see `next`). */
export type NextRound =
  /** The pull request is not aidev's, or no longer open: the loop has ended. */
  | { readonly kind: 'ended'; readonly reason: string }
  /** A round is under way: new feedback waits for the next one. */
  | { readonly kind: 'busy'; readonly round: FixRound }
  /** Nothing is waiting. */
  | { readonly kind: 'idle' }
  /** Feedback waits but the rounds are used up; `firstTime`: a person is to be asked now. */
  | {
      readonly kind: 'capped';
      readonly rounds: number;
      readonly waiting: readonly QueuedFeedback[];
      readonly firstTime: boolean;
    }
  /** A round to start (new, or recorded before a crash and not started): its run is to begin. */
  | { readonly kind: 'start'; readonly round: FixRound; readonly feedback: QueuedFeedback[] };

interface FeedbackRow {
  pull_url: string;
  source_id: string;
  kind: FeedbackKind;
  author: string;
  item: JsonObject;
  origin: string;
  received_at: Date;
  round_number: number | null;
}

interface RoundRow {
  pull_url: string;
  number: number;
  run_id: string | null;
  started_at: Date;
  status: RunStatus | null;
}

const toFeedback = (r: FeedbackRow): QueuedFeedback => ({
  pullUrl: r.pull_url,
  sourceId: r.source_id,
  kind: r.kind,
  author: r.author,
  item: r.item,
  origin: r.origin,
  receivedAt: r.received_at,
  roundNumber: r.round_number,
});

const toRound = (r: RoundRow): FixRound => ({
  pullUrl: r.pull_url,
  number: r.number,
  runId: r.run_id,
  startedAt: r.started_at,
  status: r.status,
});

const ROUNDS = `SELECT r.pull_url, r.number, r.run_id, r.started_at, runs.status
                FROM pr_rounds r LEFT JOIN runs ON runs.id = r.run_id`;

export function createPrRoundsRepository(db: Queryable) {
  return {
    /** Queues feedback; false if the same feedback (pull request and source id) was queued before. */
    async queue(
      feedback: Pick<
        QueuedFeedback,
        'pullUrl' | 'sourceId' | 'kind' | 'author' | 'item' | 'origin'
      >,
    ): Promise<boolean> {
      const { rows } = await db.query<{ source_id: string }>(
        `INSERT INTO pr_feedback (pull_url, source_id, kind, author, item, origin)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (pull_url, source_id) DO NOTHING RETURNING source_id`,
        [
          feedback.pullUrl,
          feedback.sourceId,
          feedback.kind,
          feedback.author,
          json(feedback.item),
          feedback.origin,
        ],
      );
      return rows.length === 1;
    },

    /**
     * Decides, under a lock on the pull request, what its loop does next — and records it: a new
     * round takes every waiting feedback. Call it in a transaction (`store.transaction`), so that
     * two workers deciding at once start one round, not two.
     */
    async next(pullUrl: string, maxRounds: number): Promise<NextRound> {
      const pull = await db.query<{ state: string; handed_over_at: Date | null }>(
        'SELECT state, handed_over_at FROM pull_requests WHERE url = $1 FOR UPDATE',
        [pullUrl],
      );
      const owned = pull.rows[0];
      if (owned === undefined) return { kind: 'ended', reason: 'aidev did not open it' };
      if (owned.state !== 'open') return { kind: 'ended', reason: `it is ${owned.state}` };
      const last = (
        await db.query<RoundRow>(`${ROUNDS} WHERE r.pull_url = $1 ORDER BY r.number DESC LIMIT 1`, [
          pullUrl,
        ])
      ).rows[0];
      if (last !== undefined && last.run_id === null)
        return {
          kind: 'start',
          round: toRound(last),
          feedback: await this.ofRound(pullUrl, last.number),
        };
      if (last?.status != null && !TERMINAL_RUN_STATUSES.includes(last.status))
        return { kind: 'busy', round: toRound(last) };
      const waiting = await this.waiting(pullUrl);
      if (waiting.length === 0) return { kind: 'idle' };
      const done = last?.number ?? 0;
      if (done >= maxRounds) {
        if (owned.handed_over_at === null)
          await db.query('UPDATE pull_requests SET handed_over_at = now() WHERE url = $1', [
            pullUrl,
          ]);
        return { kind: 'capped', rounds: done, waiting, firstTime: owned.handed_over_at === null };
      }
      const number = done + 1;
      const inserted = await db.query<RoundRow>(
        `INSERT INTO pr_rounds (pull_url, number) VALUES ($1, $2)
         RETURNING pull_url, number, run_id, started_at, NULL::text AS status`,
        [pullUrl, number],
      );
      await db.query(
        'UPDATE pr_feedback SET round_number = $2 WHERE pull_url = $1 AND round_number IS NULL',
        [pullUrl, number],
      );
      const row = inserted.rows[0];
      if (row === undefined) throw new Error(`round ${number} of ${pullUrl} was not recorded`);
      return {
        kind: 'start',
        round: toRound(row),
        feedback: waiting.map((f) => ({ ...f, roundNumber: number })),
      };
    },

    /** Links a round to the run that works on it. */
    async started(pullUrl: string, number: number, runId: string): Promise<void> {
      await db.query('UPDATE pr_rounds SET run_id = $3 WHERE pull_url = $1 AND number = $2', [
        pullUrl,
        number,
        runId,
      ]);
    },

    async waiting(pullUrl: string): Promise<QueuedFeedback[]> {
      const { rows } = await db.query<FeedbackRow>(
        `SELECT * FROM pr_feedback WHERE pull_url = $1 AND round_number IS NULL
         ORDER BY received_at, source_id`,
        [pullUrl],
      );
      return rows.map(toFeedback);
    },

    async ofRound(pullUrl: string, number: number): Promise<QueuedFeedback[]> {
      const { rows } = await db.query<FeedbackRow>(
        `SELECT * FROM pr_feedback WHERE pull_url = $1 AND round_number = $2
         ORDER BY received_at, source_id`,
        [pullUrl, number],
      );
      return rows.map(toFeedback);
    },

    /** The rounds of a pull request, first first. */
    async forPull(pullUrl: string): Promise<FixRound[]> {
      const { rows } = await db.query<RoundRow>(
        `${ROUNDS} WHERE r.pull_url = $1 ORDER BY r.number`,
        [pullUrl],
      );
      return rows.map(toRound);
    },

    /** The round a run works on, if it is one. */
    async byRun(runId: string): Promise<FixRound | null> {
      const { rows } = await db.query<RoundRow>(`${ROUNDS} WHERE r.run_id = $1`, [runId]);
      return rows[0] === undefined ? null : toRound(rows[0]);
    },

    /** Counts for metrics: feedback by kind, aidev's pull requests by state, hand-overs. */
    async stats(): Promise<{
      feedback: { kind: FeedbackKind; count: number }[];
      pulls: { state: string; count: number }[];
      handedOver: number;
    }> {
      const [feedback, pulls] = await Promise.all([
        db.query<{ kind: FeedbackKind; count: string }>(
          'SELECT kind, count(*) AS count FROM pr_feedback GROUP BY kind ORDER BY kind',
        ),
        db.query<{ state: string; count: string; handed_over: string }>(
          `SELECT state, count(*) AS count, count(handed_over_at) AS handed_over
           FROM pull_requests GROUP BY state ORDER BY state`,
        ),
      ]);
      return {
        feedback: feedback.rows.map((r) => ({ kind: r.kind, count: Number(r.count) })),
        pulls: pulls.rows.map((r) => ({ state: r.state, count: Number(r.count) })),
        handedOver: pulls.rows.reduce((n, r) => n + Number(r.handed_over), 0),
      };
    },

    /**
     * Open pull requests whose loop may have something to do: feedback waiting, or a round
     * recorded but not started. What a worker looks at when it starts (and every few minutes),
     * in case the process that should have moved the loop on died.
     */
    async needingAttention(limit = 100): Promise<string[]> {
      const { rows } = await db.query<{ url: string }>(
        `SELECT p.url FROM pull_requests p
         WHERE p.state = 'open' AND (
           EXISTS (SELECT 1 FROM pr_feedback f WHERE f.pull_url = p.url AND f.round_number IS NULL)
           OR EXISTS (SELECT 1 FROM pr_rounds r WHERE r.pull_url = p.url AND r.run_id IS NULL))
         ORDER BY p.updated_at LIMIT $1`,
        [limit],
      );
      return rows.map((r) => r.url);
    },
  };
}

export type PrRoundsRepository = ReturnType<typeof createPrRoundsRepository>;
