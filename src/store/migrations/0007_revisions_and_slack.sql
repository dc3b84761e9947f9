-- A step run again because a later approval was rejected: its revision number, the feedback
-- and what it produced before (the plan the reviewer rejected).
ALTER TABLE run_steps ADD COLUMN revision jsonb;

-- Each run started from Slack has one parent message in its channel, updated in place, and a
-- thread for milestones. Kept here so that any server process can keep it up to date.
CREATE TABLE slack_run_messages (
  run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  team_id text,
  channel_id text NOT NULL,
  parent_ts text,
  -- How far the run log has been told in the thread.
  last_event_id bigint NOT NULL DEFAULT 0,
  -- The plan message with its buttons (replaced by the decision when decided).
  plan_ts text,
  plan_revision integer,
  finished boolean NOT NULL DEFAULT false,
  -- Which server process keeps it up to date, until when (another takes over after).
  lease_owner text,
  lease_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX slack_run_messages_active_idx ON slack_run_messages (updated_at) WHERE NOT finished;
CREATE INDEX slack_run_messages_thread_idx ON slack_run_messages (channel_id, parent_ts);

-- Events API deliveries already handled: Slack retries a delivery it thinks was lost.
CREATE TABLE slack_events_seen (
  event_id text PRIMARY KEY,
  seen_at timestamptz NOT NULL DEFAULT now()
);

-- Slash commands that start work, recorded before Slack gets its answer (several per INSERT
-- under a burst): a command acknowledged is never lost, and a retry of it (same trigger) is
-- recognised. A server handles it after the answer; one that died before is picked up again.
CREATE TABLE slack_commands (
  trigger_id text PRIMARY KEY,
  team_id text NOT NULL,
  channel_id text NOT NULL,
  user_id text NOT NULL,
  text text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  handled_at timestamptz
);
CREATE INDEX slack_commands_unhandled_idx ON slack_commands (received_at) WHERE handled_at IS NULL;
