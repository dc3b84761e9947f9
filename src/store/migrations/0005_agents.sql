-- An agent's conversation and workspace changes, saved after every model turn: a step that is
-- resumed (another worker after a crash, or after a budget pause) continues where it stopped
-- instead of paying for the same turns again.
CREATE TABLE agent_sessions (
  session_key text PRIMARY KEY,
  run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_name text NOT NULL,
  state jsonb NOT NULL,
  turns integer NOT NULL DEFAULT 0 CHECK (turns >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_sessions_run_idx ON agent_sessions (run_id);

-- Cache writes with a one-hour lifetime bill at another price than five-minute ones.
ALTER TABLE cost_entries
  ADD COLUMN cache_write_1h_tokens integer NOT NULL DEFAULT 0 CHECK (cache_write_1h_tokens >= 0);

-- Stop at a budget: which budget paused a run step, kept with the step while it waits.
CREATE INDEX run_steps_waiting_idx ON run_steps (run_id) WHERE status = 'waiting';
