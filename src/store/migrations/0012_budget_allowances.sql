-- A run let past the monthly budget that paused it (issue 16): it may spend `extra_usd` more than
-- it had spent when the first allowance was granted (`base_usd`), whatever that budget says. The
-- budget itself is unchanged for every other run; raising it is a change of the budget.
CREATE TABLE budget_allowances (
  run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  scope text NOT NULL CHECK (scope IN ('global', 'channel', 'user')),
  scope_id text NOT NULL,
  base_usd numeric(20, 10) NOT NULL CHECK (base_usd >= 0),
  extra_usd numeric(20, 10) NOT NULL CHECK (extra_usd > 0),
  granted_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, scope, scope_id)
);
