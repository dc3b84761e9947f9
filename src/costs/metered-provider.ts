import type {
  AiProvider,
  ModelRequest,
  ModelResponse,
  ProviderCallOptions,
} from '../plugins/interfaces/ai-provider.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/create-logger.js';
import { noMonitoring, type Monitoring } from '../plugins/interfaces/monitoring.js';
import type { Reservation } from '../store/repositories/budget-reservations.js';
import type { NewCostEntry } from '../store/repositories/cost-entries.js';
import type { Store } from '../store/store.js';
import { crossedThresholds, type BudgetAlert } from './budget-alerts.js';
import { BudgetExceededError } from './budget-exceeded-error.js';
import { BudgetKeeper, DEFAULT_HOLD_MS } from './budget-keeper.js';
import { formatUsd, type Units } from './money.js';
import { inModelCallSpan, recordModelUsage } from './model-call-span.js';
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
  /**
   * How long an estimate stays held if the call never reports back (its worker died). A call
   * under way renews its hold every third of this, however long it takes.
   */
  readonly holdMs?: number;
  /** Waits between attempts to record a paid call's cost (default 0.5 s doubling to 30 s). */
  readonly recordRetry?: { readonly baseMs: number; readonly maxMs: number };
  readonly now?: () => Date;
  /** A span per model call with its tokens and cost, and their counters (#20). */
  readonly monitoring?: Monitoring;
}

/**
 * Every model call, metered: the most it can cost is estimated from its token count and its
 * maximum output, and held against every budget that applies before the call is made. A call
 * that would break a budget is not made (BudgetExceededError pauses the step instead); a call
 * that was made is recorded at the provider-reported usage × the price table, exactly, and its
 * hold is settled to that. Provider retries happen below this layer, so a retried call is
 * paid and recorded once.
 *
 * The hold lasts as long as the call: renewed while the provider answers (a guarded call may
 * retry for many minutes) and while its cost is written. A paid call's cost is written until
 * it is recorded, never given up on: failing the call then would make the step retry it, and
 * pay for it again, with the first payment never counted (issue 16).
 */
export class MeteredProvider {
  private readonly keeper: BudgetKeeper;
  private readonly freedListeners = new Set<() => void>();

  constructor(private readonly options: MeteredProviderOptions) {
    this.keeper = new BudgetKeeper(options.store, options.now);
  }

  /**
   * Calls `listener` each time a hold is settled or released: a budget may have room again for
   * runs that paused only because of it. Returns the means to stop listening.
   */
  onFreed(listener: () => void): () => void {
    this.freedListeners.add(listener);
    return () => this.freedListeners.delete(listener);
  }

  private freed(): void {
    for (const listener of this.freedListeners) listener();
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

  complete(request: ModelRequest, meta: CallMeta): Promise<MeteredResult> {
    const monitoring = this.options.monitoring ?? noMonitoring;
    const call = { provider: this.options.provider.name, request, meta };
    return inModelCallSpan(monitoring, call, async (span) => {
      const result = await this.meteredCall(request, meta);
      recordModelUsage(monitoring, span, call, result.response, result.costUsd);
      return result;
    });
  }

  private async meteredCall(request: ModelRequest, meta: CallMeta): Promise<MeteredResult> {
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
      holdMs: this.options.holdMs ?? DEFAULT_HOLD_MS,
    });
    if (!outcome.ok) throw new BudgetExceededError(outcome.exceeded);
    const { reservation } = outcome;
    const renewal = this.keepHeld(reservation, meta.log);
    try {
      let response: ModelResponse;
      try {
        response = await this.options.provider.complete(request, meta);
      } catch (error) {
        await this.keeper.release(reservation).then(
          () => this.freed(),
          (releaseError: unknown) => {
            // The hold expires by itself; the caller needs the provider's error, not this one.
            meta.log.warn({ err: releaseError }, 'could not release a budget hold');
          },
        );
        throw error;
      }
      const model = prices.knows(response.model) ? response.model : request.model;
      const costUsd = formatUsd(prices.cost(model, response.usage));
      await this.recordPaid(reservation, meta.log, {
        ...scopeOf(meta),
        provider: response.provider ?? this.options.provider.name,
        model: response.model,
        inputTokens: response.usage.inputTokens,
        outputTokens: response.usage.outputTokens,
        cacheWriteTokens: response.usage.cacheWriteTokens,
        cacheWrite1hTokens: response.usage.cacheWrite1hTokens ?? 0,
        cacheReadTokens: response.usage.cacheReadTokens,
        usd: costUsd,
        idempotencyKey: meta.callKey,
      });
      this.freed();
      await this.tellAlerts(meta);
      return { response, costUsd };
    } finally {
      renewal.stop();
    }
  }

  /**
   * Records a paid call's cost and settles its hold, retrying with backoff until it is done. The
   * entry's idempotency key makes a write that did land but whose answer was lost count once.
   * Not cancellable: the money is spent whether or not the step still wants the answer.
   */
  private async recordPaid(reservation: Reservation, log: Logger, entry: NewCostEntry) {
    const { baseMs, maxMs } = this.options.recordRetry ?? { baseMs: 500, maxMs: 30_000 };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.keeper.settle(reservation, entry);
      } catch (error) {
        const waitMs = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 20));
        log.error(
          { err: error, attempt, waitMs, callKey: entry.idempotencyKey, usd: entry.usd },
          `could not record the cost of a model call that was paid for; trying again in ${waitMs} ms (the call is not made again)`,
        );
        await sleep(waitMs);
      }
    }
  }

  /** Renews the hold every third of its lifetime until stopped; the call is still under way. */
  private keepHeld(reservation: Reservation, log: Logger): { stop(): void } {
    const holdMs = this.options.holdMs ?? DEFAULT_HOLD_MS;
    let warned = false;
    let stopped = false;
    const timer = setInterval(
      () => {
        this.keeper.renew(reservation, holdMs).then(
          (held) => {
            // Not held any more because the call just settled is no news.
            if (!held && !warned && !stopped) {
              warned = true;
              log.warn(
                { reservation: reservation.id },
                'the budget hold of a model call under way had expired; its cost is still recorded',
              );
            }
          },
          (error: unknown) => log.warn({ err: error }, 'could not renew a budget hold'),
        );
      },
      Math.max(10, Math.floor(holdMs / 3)),
    );
    timer.unref();
    return {
      stop: () => {
        stopped = true;
        clearInterval(timer);
      },
    };
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
