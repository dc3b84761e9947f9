-- The pull-request loop (#18): feedback on a pull request aidev opened — a review, a comment, a
-- failing check, a reply in Slack — is queued per pull request and taken up by rounds, one at a
-- time, each a run of the address-feedback workflow.

-- A round is started by feedback, not by a person typing a command.
ALTER TABLE runs DROP CONSTRAINT IF EXISTS runs_trigger_check;
ALTER TABLE runs ADD CONSTRAINT runs_trigger_check
  CHECK (trigger IN ('slack', 'cli', 'api', 'schedule', 'feedback'));

-- When aidev stopped and asked a person (the rounds ran out): asked once per pull request.
ALTER TABLE pull_requests ADD COLUMN handed_over_at timestamptz;

CREATE TABLE pr_rounds (
  pull_url text NOT NULL REFERENCES pull_requests (url) ON DELETE CASCADE,
  number integer NOT NULL CHECK (number > 0),
  -- Null between recording the round and starting its run (a crash there is resumed).
  run_id uuid UNIQUE REFERENCES runs (id) ON DELETE SET NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pull_url, number)
);

CREATE TABLE pr_feedback (
  pull_url text NOT NULL REFERENCES pull_requests (url) ON DELETE CASCADE,
  -- Unique per pull request (`review:<id>`, `comment:<id>`, `check:<sha>`, `slack:<ts>`): the
  -- same feedback delivered twice is queued once.
  source_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('review', 'comment', 'failing_check')),
  author text NOT NULL,
  item jsonb NOT NULL,
  -- Where it came from: a webhook delivery, a Slack message, the CLI, the API.
  origin text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- The round that took it up (null: waiting for the next round).
  round_number integer,
  PRIMARY KEY (pull_url, source_id)
);
CREATE INDEX pr_feedback_waiting_idx ON pr_feedback (pull_url) WHERE round_number IS NULL;
