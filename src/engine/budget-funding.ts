import { formatUsd, parseUsd } from '../costs/money.js';
import type { BudgetScope } from '../store/repositories/budgets.js';
import type { Repositories } from '../store/store.js';

/** Most one grant or raise adds: the budget columns hold ten integer digits. */
export const MAX_FUNDING_USD = 10_000;

/** Money given at a budget pause: `grant` to this run only, `raise` the budget that stopped it. */
export interface Funding {
  readonly action: 'grant' | 'raise';
  readonly amountUsd: string;
  readonly by: string;
}

/** What changed: the limit of the budget raised, or what the run may now spend past it. */
export interface Funded {
  /** The new limit of the budget changed (the run's own, or the monthly one raised). */
  readonly limitUsd?: string;
  /** The most the run may have spent in all, past the monthly budget that stopped it. */
  readonly allowedUsd?: string;
}

/** Why an amount is refused, or undefined if it is a valid grant or raise. */
export function fundingProblem(amount: string): string | undefined {
  const valid =
    /^\d{1,6}(\.\d{1,4})?$/.test(amount) &&
    parseUsd(amount) > 0n &&
    parseUsd(amount) <= parseUsd(String(MAX_FUNDING_USD));
  return valid
    ? undefined
    : `amount: expected a positive dollar amount up to ${MAX_FUNDING_USD} with at most 4 decimals, such as 2.50, found ${JSON.stringify(amount.slice(0, 40))}`;
}

/**
 * Gives the money, inside the decision's transaction and under the lock of the budget it
 * changes (as every hold takes it):
 * 1. at the run's own budget, grant and raise are the same: its limit goes up;
 * 2. past a monthly budget, a grant lets this run alone spend that much more (an allowance),
 *    and the budget stays as it is for everyone else;
 * 3. a raise lifts the monthly budget itself, recorded in the audit log as any budget change.
 */
export async function fund(
  tx: Repositories,
  runId: string,
  budget: { readonly scope: BudgetScope; readonly scopeId: string },
  funding: Funding,
): Promise<Funded> {
  const { scope, scopeId } = budget;
  if (scope === 'run') {
    await tx.reservations.lockBudgets([`run:${runId}`]);
    const current = await tx.budgets.get('run', runId);
    const limitUsd = formatUsd(parseUsd(current?.limitUsd ?? '0') + parseUsd(funding.amountUsd));
    await tx.budgets.set({ scope: 'run', scopeId: runId, limitUsd, updatedBy: funding.by });
    return { limitUsd };
  }
  await tx.reservations.lockBudgets([`run:${runId}`, `${scope}:${scopeId}`]);
  if (funding.action === 'grant') {
    const allowedUsd = await tx.budgets.allow({
      runId,
      scope,
      scopeId,
      extraUsd: funding.amountUsd,
      grantedBy: funding.by,
    });
    await tx.audit.append({
      actor: funding.by,
      action: 'budget.allow',
      targetType: `budget:${scope}`,
      targetId: scopeId,
      metadata: { run_id: runId, extra_usd: funding.amountUsd, allowed_usd: allowedUsd },
    });
    return { allowedUsd };
  }
  const before = await tx.budgets.get(scope, scopeId);
  const limitUsd = formatUsd(parseUsd(before?.limitUsd ?? '0') + parseUsd(funding.amountUsd));
  await tx.budgets.set({ scope, scopeId, limitUsd, updatedBy: funding.by });
  await tx.audit.append({
    actor: funding.by,
    action: 'budget.set',
    targetType: `budget:${scope}`,
    targetId: scopeId,
    before: before === null ? null : { limit_usd: before.limitUsd },
    after: { limit_usd: limitUsd },
    metadata: { run_id: runId, raised_by_usd: funding.amountUsd },
  });
  return { limitUsd };
}
