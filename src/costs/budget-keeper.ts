import type { BudgetScope } from '../store/repositories/budgets.js';
import type { Reservation } from '../store/repositories/budget-reservations.js';
import { monthOf } from '../store/month.js';
import type { Repositories, Store } from '../store/store.js';
import { formatUsd, parseUsd, type Units } from './money.js';

export interface SpendRequest {
  readonly runId?: string;
  readonly stepName?: string;
  readonly channelId?: string;
  readonly userId?: string;
  /** The most the call can cost: its input tokens plus its maximum output, priced. */
  readonly estimate: Units;
  /** How long the hold lasts if the call never reports back (its worker died). */
  readonly holdMs?: number;
}

/** The budget a call would break, with the figures to show the person asked to decide. */
export interface BudgetExceeded {
  readonly scope: BudgetScope;
  readonly scopeId: string;
  readonly limitUsd: string;
  readonly spentUsd: string;
  readonly heldUsd: string;
  readonly estimateUsd: string;
  /** Whether the estimate is the most the call can cost (a token count) or the least (no count yet). */
  readonly estimateBound?: 'most' | 'least';
}

export type ReserveOutcome =
  | { readonly ok: true; readonly reservation: Reservation }
  | { readonly ok: false; readonly exceeded: BudgetExceeded };

/**
 * Enforces budgets before money is spent: a call may go ahead only if, for every budget that
 * applies (the run's, the channel's and the user's month, the global month), what is spent
 * plus what other calls hold plus this call's estimate stays within the limit. The check and
 * the hold happen in one transaction under a lock per budget, so concurrent runs cannot
 * overspend together.
 */
export class BudgetKeeper {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reserve(request: SpendRequest): Promise<ReserveOutcome> {
    const applicable = applicableBudgets(request);
    return this.store.transaction(async (tx) => {
      await tx.reservations.lockBudgets(applicable.map(([scope, id]) => `${scope}:${id}`));
      const exceeded = await this.firstExceeded(tx, applicable, request.estimate);
      if (exceeded !== undefined) return { ok: false, exceeded };
      const reservation = await tx.reservations.hold({
        ...(request.runId === undefined ? {} : { runId: request.runId }),
        ...(request.stepName === undefined ? {} : { stepName: request.stepName }),
        ...(request.channelId === undefined ? {} : { channelId: request.channelId }),
        ...(request.userId === undefined ? {} : { userId: request.userId }),
        estimateUsd: formatUsd(request.estimate),
        expiresAt: new Date(this.now().getTime() + (request.holdMs ?? 15 * 60_000)),
      });
      return { ok: true, reservation };
    });
  }

  /**
   * The budget that `request.estimate` would break now, without holding anything: a cheap
   * look before asking the provider for a token count, so a spent budget costs no request.
   * Only `reserve` decides; this can only say no earlier.
   */
  async check(request: SpendRequest): Promise<BudgetExceeded | undefined> {
    return this.firstExceeded(this.store, applicableBudgets(request), request.estimate);
  }

  private async firstExceeded(
    tx: Repositories,
    applicable: readonly (readonly [BudgetScope, string])[],
    estimate: Units,
  ): Promise<BudgetExceeded | undefined> {
    for (const [scope, scopeId] of applicable) {
      const budget = await tx.budgets.get(scope, scopeId);
      if (budget === null) continue;
      const spent = parseUsd(await this.spent(tx, scope, scopeId));
      const held = parseUsd(await tx.reservations.heldTotal(heldScope(scope, scopeId)));
      const limit = parseUsd(budget.limitUsd);
      if (spent + held + estimate > limit)
        return {
          scope,
          scopeId,
          limitUsd: formatUsd(limit),
          spentUsd: formatUsd(spent),
          heldUsd: formatUsd(held),
          estimateUsd: formatUsd(estimate),
        };
    }
    return undefined;
  }

  private spent(tx: Repositories, scope: BudgetScope, scopeId: string): Promise<string> {
    const month = monthOf(this.now());
    switch (scope) {
      case 'run':
        return tx.costs.totalForRun(scopeId);
      case 'channel':
        return tx.costs.spend(month, { channelId: scopeId });
      case 'user':
        return tx.costs.spend(month, { userId: scopeId });
      case 'global':
        return tx.costs.spend(month);
    }
  }
}

function applicableBudgets(request: SpendRequest): [BudgetScope, string][] {
  const scopes: [BudgetScope, string | undefined][] = [
    ['run', request.runId],
    ['channel', request.channelId],
    ['user', request.userId],
    ['global', '*'],
  ];
  return scopes.filter((s): s is [BudgetScope, string] => s[1] !== undefined);
}

function heldScope(
  scope: BudgetScope,
  scopeId: string,
): { runId?: string; channelId?: string; userId?: string } {
  switch (scope) {
    case 'run':
      return { runId: scopeId };
    case 'channel':
      return { channelId: scopeId };
    case 'user':
      return { userId: scopeId };
    case 'global':
      return {};
  }
}
