-- Comments on tasks of the local tracker (Jira keeps its own).
CREATE TABLE task_comments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  body text NOT NULL,
  author text NOT NULL DEFAULT 'aidev',
  -- A retried workflow step adds its comment once.
  idempotency_key text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_comments_task_idx ON task_comments (task_id, created_at);

-- Pull requests of the local git backend: a branch proposed for merging, with its diff.
CREATE TABLE local_pull_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  repository text NOT NULL,
  number integer NOT NULL CHECK (number > 0),
  source_branch text NOT NULL,
  target_branch text NOT NULL,
  title text NOT NULL,
  body text NOT NULL DEFAULT '',
  draft boolean NOT NULL DEFAULT false,
  labels text[] NOT NULL DEFAULT '{}',
  reviewers text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'merged')),
  head_sha text NOT NULL,
  diff text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (repository, number)
);
-- At most one open pull request per branch: re-running a step cannot open a second one.
CREATE UNIQUE INDEX local_pull_requests_open_branch_idx
  ON local_pull_requests (repository, source_branch) WHERE status = 'open';
