-- A run keeps the definition it started with, so a resumed run (another worker, a new deploy)
-- executes exactly the same steps.
ALTER TABLE runs ADD COLUMN workflow_definition jsonb;

-- Finding runs whose job has gone missing scans the job table by run id.
CREATE INDEX agenda_jobs_run_idx ON agenda_jobs ((data ->> 'runId')) WHERE name = 'workflow.run';

-- Attempts that ended in failure, as opposed to attempts cut short by a worker that died:
-- retries are budgeted on failures, while a takeover after a crash is always allowed.
ALTER TABLE run_steps ADD COLUMN failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0);
