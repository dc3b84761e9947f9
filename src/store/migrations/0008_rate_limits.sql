-- Each outside service's rate limit, shared by every aidev process on this database: a token
-- bucket whose level may go below zero (calls waiting for their turn), refilled by the time
-- since it was last touched, on the database's clock so that every process agrees.
CREATE TABLE rate_limits (
  service text PRIMARY KEY,
  tokens double precision NOT NULL,
  updated_at timestamptz NOT NULL
);
