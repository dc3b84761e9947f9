-- The HTTP API: step-duration metrics read the steps finished since the last scrape.
CREATE INDEX run_steps_finished_idx ON run_steps (finished_at) WHERE finished_at IS NOT NULL;
