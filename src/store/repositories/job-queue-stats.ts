import type { Queryable } from '../database.js';

/** How far behind the workers are, by kind of job: read from the queue's own table. */
export interface JobKindStats {
  readonly name: string;
  /** Due now and not taken by a worker. */
  readonly queued: number;
  readonly running: number;
  /** Waiting for a later time (approval timeouts, recurring jobs). */
  readonly scheduled: number;
  /** Seconds the oldest due job has waited for a worker (0 when none waits). */
  readonly lagSeconds: number;
}

/** Queue statistics for metrics: counted in the database, so they include every worker. */
export function createJobQueueStatsRepository(db: Queryable) {
  return {
    async byKind(): Promise<JobKindStats[]> {
      const { rows } = await db.query<{
        name: string;
        queued: number;
        running: number;
        scheduled: number;
        lag: number | null;
      }>(
        `SELECT name,
           count(*) FILTER (WHERE locked_at IS NULL AND next_run_at <= now()) AS queued,
           count(*) FILTER (WHERE locked_at IS NOT NULL) AS running,
           count(*) FILTER (WHERE locked_at IS NULL AND next_run_at > now()) AS scheduled,
           extract(epoch FROM now() - min(next_run_at) FILTER (
             WHERE locked_at IS NULL AND next_run_at <= now()))::float8 AS lag
         FROM agenda_jobs WHERE disabled IS NOT TRUE AND next_run_at IS NOT NULL
            OR locked_at IS NOT NULL
         GROUP BY name ORDER BY name`,
      );
      return rows.map((row) => ({
        name: row.name,
        queued: row.queued,
        running: row.running,
        scheduled: row.scheduled,
        lagSeconds: Math.max(0, row.lag ?? 0),
      }));
    },
  };
}

export type JobQueueStatsRepository = ReturnType<typeof createJobQueueStatsRepository>;
