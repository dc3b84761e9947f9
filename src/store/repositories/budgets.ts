import type { Queryable } from '../database.js';
import { assertUsd, type Usd } from '../sql.js';

export const BUDGET_SCOPES = ['global', 'channel', 'user', 'run'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

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
