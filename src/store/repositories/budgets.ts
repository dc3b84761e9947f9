import type { Queryable } from '../database.js';
import { monthRange, type Month } from '../month.js';
import { assertUsd, isUuid, type Usd } from '../sql.js';

export const BUDGET_SCOPES = ['global', 'channel', 'user', 'run'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

/** A budget and, read together in one statement, what is spent against it and what calls hold. */
export interface BudgetStanding {
  readonly budget: Budget;
  readonly spentUsd: Usd;
  readonly heldUsd: Usd;
  /** The run's allowance past this budget, if it has one, with the run's own spend and holds. */
  readonly allowance?: {
    /** The most the run may have spent in all, past this budget. */
    readonly allowedUsd: Usd;
    readonly runSpentUsd: Usd;
    readonly runHeldUsd: Usd;
  };
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

interface StandingRow extends BudgetRow {
  spent_usd: string;
  held_usd: string;
  allowed_usd: string | null;
  run_spent_usd: string;
  run_held_usd: string;
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
      /** The run that would spend: its allowance past this budget, if any, comes along. */
      runId?: string,
    ): Promise<BudgetStanding | null> {
      // A run's budget covers the run's whole life, the others a UTC month.
      const { start, end } =
        scope === 'run' ? { start: '-infinity', end: 'infinity' } : monthRange(month);
      const { rows } = await db.query<StandingRow>(
        `SELECT b.*,
           (SELECT COALESCE(sum(usd), 0)::numeric(20, 10) FROM cost_entries
             WHERE ${SPENT_OF[scope]}) AS spent_usd,
           (SELECT COALESCE(sum(estimate_usd), 0)::numeric(20, 10) FROM budget_reservations
             WHERE status = 'held' AND ${HELD_OF[scope]}) AS held_usd,
           (a.base_usd + a.extra_usd)::numeric(20, 10) AS allowed_usd,
           (SELECT COALESCE(sum(usd), 0)::numeric(20, 10) FROM cost_entries
             WHERE run_id = a.run_id) AS run_spent_usd,
           (SELECT COALESCE(sum(estimate_usd), 0)::numeric(20, 10) FROM budget_reservations
             WHERE status = 'held' AND run_id = a.run_id) AS run_held_usd
         FROM budgets b
         LEFT JOIN budget_allowances a
           ON a.run_id = $5::uuid AND a.scope = b.scope AND a.scope_id = b.scope_id
         WHERE b.scope = $1 AND b.scope_id = $2`,
        [scope, scopeId, start, end, runId !== undefined && isUuid(runId) ? runId : null],
      );
      const row = rows[0];
      if (row === undefined) return null;
      return {
        budget: toBudget(row),
        spentUsd: row.spent_usd,
        heldUsd: row.held_usd,
        ...(row.allowed_usd === null
          ? {}
          : {
              allowance: {
                allowedUsd: row.allowed_usd,
                runSpentUsd: row.run_spent_usd,
                runHeldUsd: row.run_held_usd,
              },
            }),
      };
    },

    /**
     * Lets a run spend `extraUsd` more past a monthly budget (added to what it was allowed
     * before, or counted from what it has spent now). Returns the most it may have spent.
     */
    async allow(allowance: {
      runId: string;
      scope: Exclude<BudgetScope, 'run'>;
      scopeId: string;
      extraUsd: Usd;
      grantedBy: string;
    }): Promise<Usd> {
      const { rows } = await db.query<{ allowed_usd: string }>(
        `INSERT INTO budget_allowances AS a (run_id, scope, scope_id, base_usd, extra_usd, granted_by)
         VALUES ($1, $2, $3,
           (SELECT COALESCE(sum(usd), 0) FROM cost_entries WHERE run_id = $1), $4, $5)
         ON CONFLICT (run_id, scope, scope_id) DO UPDATE
           SET extra_usd = a.extra_usd + EXCLUDED.extra_usd, granted_by = EXCLUDED.granted_by,
               updated_at = now()
         RETURNING (base_usd + extra_usd)::numeric(20, 10) AS allowed_usd`,
        [
          allowance.runId,
          allowance.scope,
          allowance.scopeId,
          assertUsd(allowance.extraUsd, 'extra_usd'),
          allowance.grantedBy,
        ],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('allowance upsert returned nothing');
      return row.allowed_usd;
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
