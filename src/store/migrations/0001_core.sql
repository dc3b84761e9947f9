-- aidev system of record. Runs on PostgreSQL 13+ and on the embedded PGlite (PostgreSQL 18).
-- Money is numeric (never float); timestamps are timestamptz; months are UTC months.

CREATE TABLE projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  repository text,
  tracker_project text,
  docs_space text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Tasks of the local tracker, and copies of tasks fetched from external trackers.
CREATE TABLE tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid REFERENCES projects (id) ON DELETE SET NULL,
  source text NOT NULL,
  key text NOT NULL,
  issue_type text NOT NULL DEFAULT 'task',
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  status text NOT NULL,
  parent_key text,
  assignee text,
  priority text,
  labels text[] NOT NULL DEFAULT '{}',
  story_points numeric(8, 2),
  fields jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, key)
);
CREATE INDEX tasks_project_status_idx ON tasks (project_id, status);

CREATE TABLE runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workflow_name text NOT NULL,
  workflow_version text NOT NULL,
  workflow_digest text,
  inputs jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled')),
  waiting_for text CHECK (waiting_for IN ('approval', 'budget')),
  error jsonb,
  channel_id text,
  user_id text,
  project_id uuid REFERENCES projects (id) ON DELETE SET NULL,
  task_key text,
  trigger text NOT NULL DEFAULT 'api' CHECK (trigger IN ('slack', 'cli', 'api', 'schedule')),
  idempotency_key text UNIQUE,
  cancel_requested_at timestamptz,
  deadline_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_status_idx ON runs (status, created_at);
CREATE INDEX runs_channel_idx ON runs (channel_id, created_at DESC);
CREATE INDEX runs_user_idx ON runs (user_id, created_at DESC);
CREATE INDEX runs_created_idx ON runs (created_at DESC, id DESC);

CREATE TABLE run_steps (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_name text NOT NULL,
  step_index integer NOT NULL CHECK (step_index >= 0),
  kind text NOT NULL CHECK (kind IN ('plugin_action', 'ai_action', 'approval', 'set')),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped',
                      'cancelled', 'rolled_back')),
  attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  -- Stable across attempts and workers: lets a re-executed side effect find what it created.
  idempotency_key text NOT NULL UNIQUE,
  inputs jsonb,
  outputs jsonb,
  error jsonb,
  skip_reason text,
  worker text,
  started_at timestamptz,
  heartbeat_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run_id, step_name)
);
CREATE INDEX run_steps_run_idx ON run_steps (run_id, step_index);
CREATE INDEX run_steps_running_idx ON run_steps (heartbeat_at) WHERE status = 'running';

-- The run log: everything that happened to a run, in order.
CREATE TABLE run_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_name text,
  type text NOT NULL,
  level text NOT NULL DEFAULT 'info' CHECK (level IN ('debug', 'info', 'warn', 'error')),
  message text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX run_events_run_idx ON run_events (run_id, id);

CREATE TABLE cost_entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id uuid REFERENCES runs (id) ON DELETE SET NULL,
  step_name text,
  channel_id text,
  user_id text,
  provider text NOT NULL,
  model text NOT NULL,
  input_tokens integer NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens integer NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  cache_write_tokens integer NOT NULL DEFAULT 0 CHECK (cache_write_tokens >= 0),
  cache_read_tokens integer NOT NULL DEFAULT 0 CHECK (cache_read_tokens >= 0),
  usd numeric(20, 10) NOT NULL CHECK (usd >= 0),
  -- One provider call is recorded once, however often the recording is retried.
  idempotency_key text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cost_entries_channel_idx ON cost_entries (channel_id, created_at);
CREATE INDEX cost_entries_user_idx ON cost_entries (user_id, created_at);
CREATE INDEX cost_entries_run_idx ON cost_entries (run_id);
CREATE INDEX cost_entries_created_idx ON cost_entries (created_at);

-- Spending limits. scope 'run' limits one run; 'channel', 'user' and 'global' limit a UTC month.
CREATE TABLE budgets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope text NOT NULL CHECK (scope IN ('global', 'channel', 'user', 'run')),
  scope_id text NOT NULL,
  limit_usd numeric(20, 10) NOT NULL CHECK (limit_usd >= 0),
  updated_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (scope, scope_id)
);

-- Money set aside for a provider call before it is made, settled to the actual cost after.
CREATE TABLE budget_reservations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id uuid REFERENCES runs (id) ON DELETE CASCADE,
  step_name text,
  channel_id text,
  user_id text,
  estimate_usd numeric(20, 10) NOT NULL CHECK (estimate_usd >= 0),
  status text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'settled', 'released')),
  cost_entry_id uuid REFERENCES cost_entries (id) ON DELETE SET NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz
);
CREATE INDEX budget_reservations_held_idx ON budget_reservations (expires_at) WHERE status = 'held';
CREATE INDEX budget_reservations_run_idx ON budget_reservations (run_id) WHERE status = 'held';
CREATE INDEX budget_reservations_channel_idx ON budget_reservations (channel_id) WHERE status = 'held';
CREATE INDEX budget_reservations_user_idx ON budget_reservations (user_id) WHERE status = 'held';

-- Threshold alerts (50/80/100 %) are sent once per budget and month.
CREATE TABLE budget_alerts (
  budget_id uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
  period text NOT NULL,
  threshold integer NOT NULL CHECK (threshold > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (budget_id, period, threshold)
);

CREATE TABLE channel_settings (
  channel_id text PRIMARY KEY,
  settings jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  updated_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Plugin settings, globally ('*') or per channel. Credentials are stored encrypted only.
CREATE TABLE plugin_configurations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plugin_type text NOT NULL,
  plugin_name text NOT NULL,
  scope text NOT NULL DEFAULT '*',
  settings jsonb NOT NULL DEFAULT '{}',
  secrets_ciphertext text,
  secrets_key_id text,
  enabled boolean NOT NULL DEFAULT true,
  updated_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (plugin_type, plugin_name, scope),
  CHECK ((secrets_ciphertext IS NULL) = (secrets_key_id IS NULL))
);

-- API tokens: only a hash is stored; the token itself is shown once at creation.
CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  token_prefix text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor text NOT NULL,
  action text NOT NULL,
  target_type text,
  target_id text,
  before jsonb,
  after jsonb,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, id);
CREATE INDEX audit_log_created_idx ON audit_log (created_at);
