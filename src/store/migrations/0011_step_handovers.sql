-- A step handed back by a stopping worker (SIGTERM, a lost job lock) is not a crash: the guard
-- against a step that keeps killing its workers counts crashes only.
ALTER TABLE run_steps ADD COLUMN handovers integer NOT NULL DEFAULT 0 CHECK (handovers >= 0);
