import type { Budget } from '../store/repositories/budgets.js';
import { monthOf } from '../store/month.js';
import type { Store } from '../store/store.js';
import { formatUsd, parseUsd } from './money.js';

export const ALERT_THRESHOLDS = [50, 80, 100] as const;

export interface BudgetAlert {
  readonly budget: Budget;
  readonly threshold: (typeof ALERT_THRESHOLDS)[number];
  readonly period: string;
  readonly spentUsd: string;
}

/**
 * The monthly budgets a new cost touched (its channel's, its user's, the global one) that
 * crossed 50, 80 or 100 % this month, each reported once per threshold and month however many
 * workers record costs at the same time (the store keeps who was told).
 */
export async function crossedThresholds(
  store: Store,
  cost: { channelId?: string; userId?: string },
  now: Date = new Date(),
): Promise<BudgetAlert[]> {
  const period = monthOf(now);
  const candidates: (Budget | null)[] = await Promise.all([
    cost.channelId === undefined ? null : store.budgets.get('channel', cost.channelId),
    cost.userId === undefined ? null : store.budgets.get('user', cost.userId),
    store.budgets.get('global', '*'),
  ]);
  const alerts: BudgetAlert[] = [];
  for (const budget of candidates) {
    if (budget === null) continue;
    const limit = parseUsd(budget.limitUsd);
    if (limit === 0n) continue;
    const spent = parseUsd(
      await store.costs.spend(
        period,
        budget.scope === 'channel'
          ? { channelId: budget.scopeId }
          : budget.scope === 'user'
            ? { userId: budget.scopeId }
            : {},
      ),
    );
    for (const threshold of ALERT_THRESHOLDS) {
      if (spent * 100n < limit * BigInt(threshold)) continue;
      if (await store.budgets.recordAlert(budget.id, period, threshold))
        alerts.push({ budget, threshold, period, spentUsd: formatUsd(spent) });
    }
  }
  return alerts;
}
