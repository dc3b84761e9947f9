import { StepPauseError } from '../engine/step-errors.js';
import type { BudgetExceeded } from './budget-keeper.js';
import { displayUsd, parseUsd } from './money.js';

const SCOPE_NAMES = {
  run: 'this run’s budget',
  channel: 'the channel’s monthly budget',
  user: 'the user’s monthly budget',
  global: 'the monthly budget of this installation',
} as const;

/**
 * A model call would break a budget, so it was not made: the step pauses and asks (which
 * budget, the spend so far, what the call could cost) instead of failing or overspending.
 */
export class BudgetExceededError extends StepPauseError {
  readonly exceeded: BudgetExceeded;

  constructor(exceeded: BudgetExceeded) {
    const usd = (text: string) => displayUsd(parseUsd(text));
    const held =
      parseUsd(exceeded.heldUsd) > 0n
        ? ` (plus ${usd(exceeded.heldUsd)} held by calls under way)`
        : '';
    const cost =
      exceeded.estimateBound === 'least'
        ? `will cost at least ${usd(exceeded.estimateUsd)}`
        : `could cost up to ${usd(exceeded.estimateUsd)}`;
    super(
      `the next model call ${cost}, which would exceed ${SCOPE_NAMES[exceeded.scope]} of ${usd(exceeded.limitUsd)}: ${usd(exceeded.spentUsd)} is spent${held}`,
      {
        waitingFor: 'budget',
        record: {
          scope: exceeded.scope,
          scope_id: exceeded.scopeId,
          limit_usd: exceeded.limitUsd,
          spent_usd: exceeded.spentUsd,
          held_usd: exceeded.heldUsd,
          estimate_usd: exceeded.estimateUsd,
        },
      },
    );
    this.name = 'BudgetExceededError';
    this.exceeded = exceeded;
  }
}
