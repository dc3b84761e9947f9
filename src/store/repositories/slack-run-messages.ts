import type { Queryable } from '../database.js';

/** Where a Slack-started run is told: its channel, parent message and how far its log went. */
export interface SlackRunMessage {
  readonly runId: string;
  readonly teamId: string | null;
  readonly channelId: string;
  readonly parentTs: string | null;
  readonly lastEventId: number;
  readonly planTs: string | null;
  readonly planRevision: number | null;
  readonly finished: boolean;
}

interface Row {
  run_id: string;
  team_id: string | null;
  channel_id: string;
  parent_ts: string | null;
  last_event_id: string | number;
  plan_ts: string | null;
  plan_revision: number | null;
  finished: boolean;
}

const toMessage = (row: Row): SlackRunMessage => ({
  runId: row.run_id,
  teamId: row.team_id,
  channelId: row.channel_id,
  parentTs: row.parent_ts,
  lastEventId: Number(row.last_event_id),
  planTs: row.plan_ts,
  planRevision: row.plan_revision,
  finished: row.finished,
});

export function createSlackRunMessagesRepository(db: Queryable) {
  return {
    /** Starts telling a run in a channel (once: a second call changes nothing). */
    async track(run: {
      runId: string;
      teamId: string | null;
      channelId: string;
    }): Promise<SlackRunMessage> {
      const { rows } = await db.query<Row>(
        `INSERT INTO slack_run_messages (run_id, team_id, channel_id) VALUES ($1, $2, $3)
         ON CONFLICT (run_id) DO UPDATE SET run_id = EXCLUDED.run_id RETURNING *`,
        [run.runId, run.teamId, run.channelId],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('slack run message insert returned nothing');
      return toMessage(row);
    },

    async get(runId: string): Promise<SlackRunMessage | null> {
      const { rows } = await db.query<Row>('SELECT * FROM slack_run_messages WHERE run_id = $1', [
        runId,
      ]);
      return rows[0] === undefined ? null : toMessage(rows[0]);
    },

    /**
     * The run whose parent message is `ts` in `channel` (a reply in its thread). Its rounds are
     * told in the same thread (`adoptRounds`), so it is the first run tracked there.
     */
    async byThread(channelId: string, ts: string): Promise<SlackRunMessage | null> {
      const { rows } = await db.query<Row>(
        `SELECT * FROM slack_run_messages WHERE channel_id = $1 AND parent_ts = $2
         ORDER BY created_at, run_id LIMIT 1`,
        [channelId, ts],
      );
      return rows[0] === undefined ? null : toMessage(rows[0]);
    },

    /**
     * Starts telling the rounds of the pull-request loop (src/pr-loop) of runs told here. A
     * worker starts a round, not Slack, so nothing else tracks it; it is told in the thread of
     * the run that opened the pull request: its row takes that run's channel and parent message,
     * so it never gets a parent message of its own. Rounds started more than a day ago are left
     * alone (a round is adopted within moments of starting, by whichever server runs): this
     * keeps the look, made on every notifier tick, to recent rounds. Returns the runs adopted.
     */
    async adoptRounds(): Promise<string[]> {
      const { rows } = await db.query<{ run_id: string }>(
        `INSERT INTO slack_run_messages (run_id, team_id, channel_id, parent_ts)
         SELECT r.run_id, m.team_id, m.channel_id, m.parent_ts
         FROM pr_rounds r
           JOIN pull_requests p ON p.url = r.pull_url
           JOIN slack_run_messages m ON m.run_id = p.run_id
         WHERE r.run_id IS NOT NULL AND m.parent_ts IS NOT NULL
           AND r.started_at > now() - interval '1 day'
           AND NOT EXISTS (SELECT 1 FROM slack_run_messages s WHERE s.run_id = r.run_id)
         ON CONFLICT (run_id) DO NOTHING RETURNING run_id`,
      );
      return rows.map((r) => r.run_id);
    },

    /**
     * Claims unfinished runs with something new to tell (no parent message yet, or events past
     * the last one told) for `owner` until `leaseMs` from now: runs nobody holds, or whose
     * holder stopped renewing (its process died). Two servers never tell one run, and runs with
     * nothing new cost nothing.
     */
    async claim(owner: string, leaseMs: number, limit = 50): Promise<SlackRunMessage[]> {
      const { rows } = await db.query<Row>(
        `UPDATE slack_run_messages SET lease_owner = $1, lease_until = now() + make_interval(secs => $2 / 1000.0)
         WHERE run_id IN (
           SELECT run_id FROM slack_run_messages
           WHERE NOT finished AND (lease_until IS NULL OR lease_until < now() OR lease_owner = $1)
             AND (parent_ts IS NULL OR EXISTS (
               SELECT 1 FROM run_events e WHERE e.run_id = slack_run_messages.run_id
                 AND e.id > slack_run_messages.last_event_id))
           ORDER BY updated_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [owner, leaseMs, limit],
      );
      return rows.map(toMessage);
    },

    async update(
      runId: string,
      change: {
        parentTs?: string;
        lastEventId?: number;
        planTs?: string;
        planRevision?: number;
        finished?: boolean;
      },
    ): Promise<void> {
      await db.query(
        `UPDATE slack_run_messages SET
           parent_ts = COALESCE($2, parent_ts), last_event_id = COALESCE($3, last_event_id),
           plan_ts = COALESCE($4, plan_ts), plan_revision = COALESCE($5, plan_revision),
           finished = COALESCE($6, finished), updated_at = now()
         WHERE run_id = $1`,
        [
          runId,
          change.parentTs ?? null,
          change.lastEventId ?? null,
          change.planTs ?? null,
          change.planRevision ?? null,
          change.finished ?? null,
        ],
      );
    },

    /** Records a delivered Events API event; false when it was seen before (a retry). */
    async firstSighting(eventId: string): Promise<boolean> {
      const { rowCount } = await db.query(
        'INSERT INTO slack_events_seen (event_id) VALUES ($1) ON CONFLICT DO NOTHING',
        [eventId],
      );
      return rowCount > 0;
    },
  };
}
