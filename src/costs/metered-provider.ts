import type {
  AiProvider,
  ModelRequest,
  ModelResponse,
  ProviderCallOptions,
} from '../plugins/interfaces/ai-provider.js';
import type { Store } from '../store/store.js';
import { crossedThresholds, type BudgetAlert } from './budget-alerts.js';
import { BudgetExceededError } from './budget-exceeded-error.js';
import { BudgetKeeper } from './budget-keeper.js';
import { formatUsd, type Units } from './money.js';
import { estimateInputTokens } from './token-estimate.js';
import type { PriceTable } from './price-table.js';

/** Who a model call is for and how to record it. */
export interface CallMeta extends ProviderCallOptions {
  readonly runId?: string;
  readonly stepName?: string;
  readonly channelId?: string;
  readonly userId?: string;
  /** Unique per model call (the step's key and the turn): recording it twice keeps one entry. */
  readonly callKey: string;
  /** A monthly budget crossed 50, 80 or 100 %: told once per threshold and month. */
  readonly onAlert?: (alert: BudgetAlert) => Promise<void>;
}

export interface MeteredResult {
  readonly response: ModelResponse;
  /** What this call cost, exactly ("0.0123450000"). */
  readonly costUsd: string;
}

export interface MeteredProviderOptions {
  readonly provider: AiProvider;
  readonly store: Store;
  readonly prices: PriceTable;
  /** A run's own budget when it has none yet (channel or configured default); none: unlimited. */
  readonly runBudget?: (meta: CallMeta) => Promise<string | undefined>;
  /** How long an estimate stays held if the call never reports back (its worker died). */
  readonly holdMs?: number;
  readonly now?: () => Date;
}

/**
 * Every model call, metered: the most it can cost is estimated from its token count and its
 * maximum output, and held against every budget that applies before the call is made. A call
 * that would break a budget is not made (BudgetExceededError pauses the step instead); a call
 * that was made is recorded at the provider-reported usage × the price table, exactly, and its
 * hold is settled to that. Provider retries happen below this layer, so a retried call is
 * paid and recorded once.
 */
export class MeteredProvider {
  private readonly keeper: BudgetKeeper;

  constructor(private readonly options: MeteredProviderOptions) {
    this.keeper = new BudgetKeeper(options.store, options.now);
  }

  get provider(): AiProvider {
    return this.options.provider;
  }

  get prices(): PriceTable {
    return this.options.prices;
  }

  /** The most `request` can cost: its input at the dearest input rate, plus all its output. */
  estimate(request: ModelRequest): Units {
    const inputTokens = estimateInputTokens(request);
    const cached =
      request.cache?.tools === true ||
      request.cache?.conversation === true ||
      request.system.some((s) => s.cache === true);
    return this.options.prices.cost(request.model, {
      inputTokens: cached ? 0 : inputTokens,
      cacheWriteTokens: cached ? inputTokens : 0,
      cacheReadTokens: 0,
      outputTokens: request.maxTokens,
    });
  }

  async complete(request: ModelRequest, meta: CallMeta): Promise<MeteredResult> {
    const { store, prices } = this.options;
    if (meta.runId !== undefined && this.options.runBudget !== undefined) {
      const limit = await this.options.runBudget(meta);
      if (limit !== undefined)
        await store.budgets.ensure({ scope: 'run', scopeId: meta.runId, limitUsd: limit });
    }
    // Its output allowance alone can break a spent budget. (Pricing it also reports an unknown
    // model before anything is spent.)
    const floor = prices.cost(request.model, { ...emptyUsage, outputTokens: request.maxTokens });
    const early = await this.keeper.check({ ...scopeOf(meta), estimate: floor });
    if (early !== undefined) throw new BudgetExceededError({ ...early, estimateBound: 'least' });
    const estimate = this.estimate(request);
    const outcome = await this.keeper.reserve({
      ...scopeOf(meta),
      estimate,
      holdMs: this.options.holdMs ?? 15 * 60_000,
    });
    if (!outcome.ok) throw new BudgetExceededError(outcome.exceeded);
    const { reservation } = outcome;

    let response: ModelResponse;
    try {
      response = await this.options.provider.complete(request, meta);
    } catch (error) {
      await this.keeper.release(reservation);
      throw error;
    }
    const model = prices.knows(response.model) ? response.model : request.model;
    const costUsd = formatUsd(prices.cost(model, response.usage));
    await this.keeper.settle(reservation, {
      ...scopeOf(meta),
      provider: this.options.provider.name,
      model: response.model,
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
      cacheWriteTokens: response.usage.cacheWriteTokens,
      cacheWrite1hTokens: response.usage.cacheWrite1hTokens ?? 0,
      cacheReadTokens: response.usage.cacheReadTokens,
      usd: costUsd,
      idempotencyKey: meta.callKey,
    });
    await this.tellAlerts(meta);
    return { response, costUsd };
  }

  private async tellAlerts(meta: CallMeta): Promise<void> {
    if (meta.onAlert === undefined) return;
    try {
      const alerts = await crossedThresholds(
        this.options.store,
        scopeOf(meta),
        this.options.now?.() ?? new Date(),
      );
      for (const alert of alerts) await meta.onAlert(alert);
    } catch (error) {
      // The money is recorded; a missed alert must not fail the step that spent it.
      meta.log.warn({ err: error }, 'could not check budget alerts');
    }
  }
}

const emptyUsage = { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0 };

function scopeOf(meta: CallMeta) {
  return {
    ...(meta.runId === undefined ? {} : { runId: meta.runId }),
    ...(meta.stepName === undefined ? {} : { stepName: meta.stepName }),
    ...(meta.channelId === undefined ? {} : { channelId: meta.channelId }),
    ...(meta.userId === undefined ? {} : { userId: meta.userId }),
  };
}
