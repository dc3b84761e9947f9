import type { BudgetScope, BudgetStanding } from '../store/repositories/budgets.js';
import type { Reservation } from '../store/repositories/budget-reservations.js';
import type { CostEntry, NewCostEntry } from '../store/repositories/cost-entries.js';
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
 * plus what other calls hold plus this call's estimate stays within the limit.
 *
 * Every change to what counts against a budget (a hold, its settlement to the actual cost, its
 * release) takes the same per-budget locks, in one transaction with the change, and the check
 * reads spent and held in one statement: so however calls of any number of processes
 * interleave, no two decisions see the same room (issue 16).
 */
export class BudgetKeeper {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reserve(request: SpendRequest): Promise<ReserveOutcome> {
    const applicable = applicableBudgets(request);
    return this.store.transaction(async (tx) => {
      await lock(tx, applicable);
      const exceeded = await this.firstExceeded(tx, request, request.estimate);
      if (exceeded !== undefined) return { ok: false, exceeded };
      const reservation = await tx.reservations.hold({
        ...(request.runId === undefined ? {} : { runId: request.runId }),
        ...(request.stepName === undefined ? {} : { stepName: request.stepName }),
        ...(request.channelId === undefined ? {} : { channelId: request.channelId }),
        ...(request.userId === undefined ? {} : { userId: request.userId }),
        estimateUsd: formatUsd(request.estimate),
        expiresAt: new Date(this.now().getTime() + (request.holdMs ?? DEFAULT_HOLD_MS)),
      });
      return { ok: true, reservation };
    });
  }

  /**
   * The call was made: records what it cost (once per idempotency key, however often this is
   * retried) and settles its hold, in one transaction under the locks `reserve` takes.
   */
  async settle(reservation: Reservation, entry: NewCostEntry): Promise<CostEntry> {
    return this.store.transaction(async (tx) => {
      await lock(tx, applicableBudgets(scopeOfReservation(reservation)));
      const { entry: recorded } = await tx.costs.record(entry);
      await tx.reservations.settle(reservation.id, recorded.id);
      return recorded;
    });
  }

  /** The call was not made, or failed without costing anything: its hold is freed. */
  async release(reservation: Reservation): Promise<void> {
    await this.store.transaction(async (tx) => {
      await lock(tx, applicableBudgets(scopeOfReservation(reservation)));
      await tx.reservations.release(reservation.id);
    });
  }

  /** Keeps the hold of a call still under way for `holdMs` more; false if it is gone. */
  renew(reservation: Reservation, holdMs = DEFAULT_HOLD_MS): Promise<boolean> {
    return this.store.reservations.renew(reservation.id, new Date(this.now().getTime() + holdMs));
  }

  /**
   * The budget that `request.estimate` would break now, without holding anything: a cheap
   * look before asking the provider for a token count, so a spent budget costs no request.
   * Only `reserve` decides; this can only say no earlier.
   */
  async check(request: SpendRequest): Promise<BudgetExceeded | undefined> {
    return this.firstExceeded(this.store, request, request.estimate);
  }

  /**
   * Whether a call of `estimate` fits `scope`'s budget now, holds included (no budget: it
   * does). Decides nothing: a paused run that fits goes on, and its call is checked again.
   */
  async fits(
    scope: BudgetScope,
    scopeId: string,
    estimate: Units,
    runId?: string,
  ): Promise<boolean> {
    const month = monthOf(this.now());
    const standing = await this.store.budgets.standing(scope, scopeId, month, runId);
    return standing === null || !exceeds(standing, estimate);
  }

  private async firstExceeded(
    tx: Repositories,
    spender: Spender,
    estimate: Units,
  ): Promise<BudgetExceeded | undefined> {
    const month = monthOf(this.now());
    for (const [scope, scopeId] of applicableBudgets(spender)) {
      const standing = await tx.budgets.standing(scope, scopeId, month, spender.runId);
      if (standing !== null && exceeds(standing, estimate))
        return {
          scope,
          scopeId,
          limitUsd: formatUsd(parseUsd(standing.budget.limitUsd)),
          spentUsd: formatUsd(parseUsd(standing.spentUsd)),
          heldUsd: formatUsd(parseUsd(standing.heldUsd)),
          estimateUsd: formatUsd(estimate),
        };
    }
    return undefined;
  }
}

/**
 * Whether the call breaks the budget: what is spent, held and estimated passes its limit, and
 * the run has no allowance past it (granted at a pause) that still covers the call.
 */
function exceeds(standing: BudgetStanding, estimate: Units): boolean {
  const { spentUsd, heldUsd, budget, allowance } = standing;
  if (parseUsd(spentUsd) + parseUsd(heldUsd) + estimate <= parseUsd(budget.limitUsd)) return false;
  if (allowance === undefined) return true;
  const { runSpentUsd, runHeldUsd, allowedUsd } = allowance;
  return parseUsd(runSpentUsd) + parseUsd(runHeldUsd) + estimate > parseUsd(allowedUsd);
}

/** How long a hold lasts unless its call renews it (see MeteredProvider). */
export const DEFAULT_HOLD_MS = 15 * 60_000;

/** The locks of these budgets, taken in one order by every decision (see lockBudgets). */
function lock(tx: Repositories, applicable: readonly (readonly [BudgetScope, string])[]) {
  return tx.reservations.lockBudgets(applicable.map(([scope, id]) => `${scope}:${id}`));
}

/** Whose money a call spends: the budgets that apply to it follow. */
type Spender = Pick<SpendRequest, 'runId' | 'channelId' | 'userId'>;

/** Whose money a held call spends: the same budgets its hold was checked against. */
function scopeOfReservation(reservation: Reservation): Spender {
  return {
    ...(reservation.runId === null ? {} : { runId: reservation.runId }),
    ...(reservation.channelId === null ? {} : { channelId: reservation.channelId }),
    ...(reservation.userId === null ? {} : { userId: reservation.userId }),
  };
}

function applicableBudgets(request: Spender): [BudgetScope, string][] {
  const scopes: [BudgetScope, string | undefined][] = [
    ['run', request.runId],
    ['channel', request.channelId],
    ['user', request.userId],
    ['global', '*'],
  ];
  return scopes.filter((s): s is [BudgetScope, string] => s[1] !== undefined);
}
