-- Time spent waiting for people (approval gates, budget pauses) does not count against a run's
-- timeout (#16): waiting_since is when the current wait began; leaving 'waiting' moves
-- deadline_at on by the wait and adds it to waited_ms (so the limit itself is still known).
ALTER TABLE runs ADD COLUMN waiting_since timestamptz;
ALTER TABLE runs ADD COLUMN waited_ms bigint NOT NULL DEFAULT 0 CHECK (waited_ms >= 0);

-- Runs already waiting began to wait when they last changed status (nothing touches a waiting run).
UPDATE runs SET waiting_since = updated_at WHERE status = 'waiting';
