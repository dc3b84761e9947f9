-- Comments on the local git backend's pull requests: people's review comments (on a file's
-- line, or on the whole pull request) and aidev's answers, in threads as on GitHub.
CREATE TABLE local_pull_request_comments (
  id bigserial PRIMARY KEY,
  repository text NOT NULL,
  number integer NOT NULL CHECK (number > 0),
  author text NOT NULL,
  body text NOT NULL,
  path text,
  line integer CHECK (line > 0),
  in_reply_to bigint REFERENCES local_pull_request_comments (id) ON DELETE CASCADE,
  -- aidev's comments: the caller's key and the comment's place in its batch; a retried step
  -- finds its comment instead of adding a second.
  idempotency_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (repository, number) REFERENCES local_pull_requests (repository, number) ON DELETE CASCADE
);
CREATE INDEX local_pull_request_comments_pull_idx
  ON local_pull_request_comments (repository, number, id);
CREATE UNIQUE INDEX local_pull_request_comments_key_idx
  ON local_pull_request_comments (repository, number, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- Checks run on commits of local repositories (aidev's local CI): the conclusion and the log
-- of each run; the newest run of a name is the one that counts.
CREATE TABLE local_checks (
  id bigserial PRIMARY KEY,
  repository text NOT NULL,
  sha text NOT NULL CHECK (sha ~ '^[0-9a-f]{40}([0-9a-f]{24})?$'),
  name text NOT NULL,
  conclusion text NOT NULL CHECK (
    conclusion IN ('success', 'failure', 'neutral', 'cancelled', 'skipped', 'timed_out',
                   'action_required', 'startup_failure', 'stale')
  ),
  log text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX local_checks_ref_idx ON local_checks (repository, sha, name, id);
