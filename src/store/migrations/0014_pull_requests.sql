-- The pull requests aidev opened, each with the run that opened it (keyed by its URL, which is
-- also how GitHub's webhooks name it): feedback on one goes back to that run's work.
CREATE TABLE pull_requests (
  url text PRIMARY KEY,
  run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_name text NOT NULL,
  repository text NOT NULL,
  number integer NOT NULL CHECK (number > 0),
  branch text NOT NULL,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'merged')),
  opened_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pull_requests_run_idx ON pull_requests (run_id);
