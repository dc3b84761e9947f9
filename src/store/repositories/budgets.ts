import type { Queryable } from '../database.js';
import { monthRange, type Month } from '../month.js';
import { assertUsd, type Usd } from '../sql.js';

export const BUDGET_SCOPES = ['global', 'channel', 'user', 'run'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

/** A budget and, read together in one statement, what is spent against it and what calls hold. */
export interface BudgetStanding {
  readonly budget: Budget;
  readonly spentUsd: Usd;
  readonly heldUsd: Usd;
}

/** A spending limit: per UTC month for global/channel/user budgets, per run for run budgets. */
export interface Budget {
  readonly id: string;
  readonly scope: BudgetScope;
  /** Channel id, user id, run id, or `*` for the global budget. */
  readonly scopeId: string;
  readonly limitUsd: Usd;
  readonly updatedBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface BudgetRow {
  id: string;
  scope: BudgetScope;
  scope_id: string;
  limit_usd: string;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

function toBudget(row: BudgetRow): Budget {
  return {
    id: row.id,
    scope: row.scope,
    scopeId: row.scope_id,
    limitUsd: row.limit_usd,
    updatedBy: row.updated_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The run a run budget's scope id names (null for a malformed id, which matches nothing). */
const RUN_OF_BUDGET = `CASE WHEN b.scope_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  THEN b.scope_id::uuid END`;

/**
 * What counts against a budget of each scope ($3 and $4: the period's bounds): a fixed list,
 * never built from input. Holds count while they are held, whatever the period.
 */
const PERIOD = 'created_at >= $3 AND created_at < $4';
const SPENT_OF: Record<BudgetScope, string> = {
  run: `run_id = ${RUN_OF_BUDGET} AND ${PERIOD}`,
  channel: `channel_id = b.scope_id AND ${PERIOD}`,
  user: `user_id = b.scope_id AND ${PERIOD}`,
  global: PERIOD,
};
const HELD_OF: Record<BudgetScope, string> = {
  run: `run_id = ${RUN_OF_BUDGET}`,
  channel: 'channel_id = b.scope_id',
  user: 'user_id = b.scope_id',
  global: 'true',
};

export function createBudgetsRepository(db: Queryable) {
  return {
    async set(budget: {
      scope: BudgetScope;
      scopeId: string;
      limitUsd: Usd;
      updatedBy?: string;
    }): Promise<Budget> {
      const { rows } = await db.query<BudgetRow>(
        `INSERT INTO budgets (scope, scope_id, limit_usd, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (scope, scope_id) DO UPDATE
           SET limit_usd = EXCLUDED.limit_usd, updated_by = EXCLUDED.updated_by, updated_at = now()
         RETURNING *`,
        [
          budget.scope,
          budget.scopeId,
          assertUsd(budget.limitUsd, 'limit_usd'),
          budget.updatedBy ?? null,
        ],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('budget upsert returned nothing');
      return toBudget(row);
    },

    /** Sets a budget only if it has none yet (a run's own budget, from the defaults). */
    async ensure(budget: { scope: BudgetScope; scopeId: string; limitUsd: Usd }): Promise<void> {
      await db.query(
        `INSERT INTO budgets (scope, scope_id, limit_usd) VALUES ($1, $2, $3)
         ON CONFLICT (scope, scope_id) DO NOTHING`,
        [budget.scope, budget.scopeId, assertUsd(budget.limitUsd, 'limit_usd')],
      );
    },

    async get(scope: BudgetScope, scopeId: string): Promise<Budget | null> {
      const { rows } = await db.query<BudgetRow>(
        'SELECT * FROM budgets WHERE scope = $1 AND scope_id = $2',
        [scope, scopeId],
      );
      return rows[0] === undefined ? null : toBudget(rows[0]);
    },

    /**
     * The budget with its spend (the run's, or the month's for the channel, the user or
     * everyone) and what calls hold against it, or null without a budget. One statement reads
     * all three from one snapshot: read apart, a call settled in between would count neither
     * as held nor as spent, and the budget would admit one call too many (issue 16).
     */
    async standing(
      scope: BudgetScope,
      scopeId: string,
      month: Month,
    ): Promise<BudgetStanding | null> {
      // A run's budget covers the run's whole life, the others a UTC month.
      const { start, end } =
        scope === 'run' ? { start: '-infinity', end: 'infinity' } : monthRange(month);
      const { rows } = await db.query<BudgetRow & { spent_usd: string; held_usd: string }>(
        `SELECT b.*,
           (SELECT COALESCE(sum(usd), 0)::numeric(20, 10) FROM cost_entries
             WHERE ${SPENT_OF[scope]}) AS spent_usd,
           (SELECT COALESCE(sum(estimate_usd), 0)::numeric(20, 10) FROM budget_reservations
             WHERE status = 'held' AND ${HELD_OF[scope]}) AS held_usd
         FROM budgets b WHERE b.scope = $1 AND b.scope_id = $2`,
        [scope, scopeId, start, end],
      );
      const row = rows[0];
      if (row === undefined) return null;
      return { budget: toBudget(row), spentUsd: row.spent_usd, heldUsd: row.held_usd };
    },

    async list(scope?: BudgetScope): Promise<Budget[]> {
      const { rows } = await db.query<BudgetRow>(
        'SELECT * FROM budgets WHERE $1::text IS NULL OR scope = $1 ORDER BY scope, scope_id',
        [scope ?? null],
      );
      return rows.map(toBudget);
    },

    async remove(scope: BudgetScope, scopeId: string): Promise<boolean> {
      const { rowCount } = await db.query(
        'DELETE FROM budgets WHERE scope = $1 AND scope_id = $2',
        [scope, scopeId],
      );
      return rowCount > 0;
    },

    /** Records that an alert for `threshold` % was sent; false if it already was this period. */
    async recordAlert(budgetId: string, period: string, threshold: number): Promise<boolean> {
      const { rowCount } = await db.query(
        `INSERT INTO budget_alerts (budget_id, period, threshold) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [budgetId, period, threshold],
      );
      return rowCount > 0;
    },
  };
}

export type BudgetsRepository = ReturnType<typeof createBudgetsRepository>;
