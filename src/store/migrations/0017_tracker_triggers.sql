-- Work started from a tracker (#19): a Jira or Linear webhook (a label, an assignment, a
-- comment) starts a run as `/aidev implement` would, in the channel mapped to its project.
ALTER TABLE runs DROP CONSTRAINT IF EXISTS runs_trigger_check;
ALTER TABLE runs ADD CONSTRAINT runs_trigger_check
  CHECK (trigger IN ('slack', 'cli', 'api', 'schedule', 'feedback', 'tracker'));

-- The channel whose team approves a tracker project's work (its `tracker_project` setting).
CREATE INDEX channel_settings_tracker_project_idx
  ON channel_settings ((settings ->> 'tracker_project'));
