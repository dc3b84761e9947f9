import type { BudgetScope } from '../store/repositories/budgets.js';
import type { CostLine } from '../store/repositories/cost-entries.js';
import { monthOf, monthRange, type Month } from '../store/month.js';
import type { Store } from '../store/store.js';
import { formatUsd, parseUsd } from './money.js';

export interface BudgetLine {
  readonly scope: BudgetScope;
  readonly scopeId: string;
  readonly limitUsd: string;
  readonly spentUsd: string;
  /** Whole percent of the limit spent (may exceed 100). */
  readonly percent: number;
}

/** A month's spend: against each monthly budget, and by channel, user, model and run. */
export interface BudgetReport {
  readonly month: Month;
  readonly totalUsd: string;
  readonly budgets: readonly BudgetLine[];
  readonly byChannel: readonly CostLine[];
  readonly byUser: readonly CostLine[];
  readonly byModel: readonly CostLine[];
  readonly topRuns: readonly CostLine[];
  /** At this month's pace, what the whole month will cost (the current month only). */
  readonly forecastUsd: string | null;
}

/**
 * The budget report behind `/aidev budget`, `aidev budget` and the costs API. `scope` narrows
 * it to one channel or user (their budget, and the spend in it).
 */
export async function budgetReport(
  store: Store,
  options: { month?: Month; channelId?: string; userId?: string; now?: Date } = {},
): Promise<BudgetReport> {
  const now = options.now ?? new Date();
  const month = options.month ?? monthOf(now);
  const filter = {
    ...(options.channelId === undefined ? {} : { channelId: options.channelId }),
    ...(options.userId === undefined ? {} : { userId: options.userId }),
  };
  const report = (groupBy: 'channel' | 'user' | 'model' | 'run', limit = 10) =>
    store.costs.report({ month, groupBy, limit, ...filter });
  const [total, byChannel, byUser, byModel, topRuns, budgets] = await Promise.all([
    store.costs.spend(month, filter),
    report('channel'),
    report('user'),
    report('model'),
    report('run', 5),
    store.budgets.list(),
  ]);
  const lines: BudgetLine[] = [];
  for (const budget of budgets) {
    if (budget.scope === 'run') continue;
    if (
      options.channelId !== undefined &&
      !(budget.scope === 'channel' && budget.scopeId === options.channelId)
    )
      continue;
    if (
      options.userId !== undefined &&
      !(budget.scope === 'user' && budget.scopeId === options.userId)
    )
      continue;
    const spent = await store.costs.spend(
      month,
      budget.scope === 'channel'
        ? { channelId: budget.scopeId }
        : budget.scope === 'user'
          ? { userId: budget.scopeId }
          : {},
    );
    const limit = parseUsd(budget.limitUsd);
    lines.push({
      scope: budget.scope,
      scopeId: budget.scopeId,
      limitUsd: budget.limitUsd,
      spentUsd: spent,
      percent: limit === 0n ? 0 : Number((parseUsd(spent) * 100n) / limit),
    });
  }
  return {
    month,
    totalUsd: total,
    budgets: lines,
    byChannel,
    byUser,
    byModel,
    topRuns,
    forecastUsd: forecast(month, total, now),
  };
}

/** Linear: the spend so far, spread over the elapsed part of the month, for the whole month. */
function forecast(month: Month, total: string, now: Date): string | null {
  const { start, end } = monthRange(month);
  if (now < start || now >= end) return null;
  const elapsed = BigInt(Math.max(1, now.getTime() - start.getTime()));
  const length = BigInt(end.getTime() - start.getTime());
  return formatUsd((parseUsd(total) * length) / elapsed);
}

/** A text bar for people: `███████░░░ 72 %`. */
export function budgetBar(percent: number, width = 10): string {
  const filled = Math.min(width, Math.round((Math.min(percent, 100) / 100) * width));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${percent} %`;
}
