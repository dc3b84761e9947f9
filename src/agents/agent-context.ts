import type { BudgetAlert } from '../costs/budget-alerts.js';
import type { CallMeta, MeteredProvider } from '../costs/metered-provider.js';
import { displayUsd, parseUsd } from '../costs/money.js';
import type { ActionRunner, AgentCall } from '../engine/runners.js';
import type { SandboxedCommand } from '../sandbox/run-sandboxed.js';
import {
  sandboxModeFor,
  type SandboxMode,
  type SandboxSetting,
  type UnsandboxedDemo,
} from '../sandbox/sandbox-choice.js';
import type { Monitoring } from '../plugins/interfaces/monitoring.js';
import type { SandboxPolicy } from '../sandbox/sandbox-policy.js';
import type { JsonObject } from '../store/sql.js';
import type { Store } from '../store/store.js';
import type { AgentPrompts } from './agent-prompts.js';
import type { ContextPolicy } from './context-window.js';
import { newLoopState, type LoopState } from './model-loop.js';

/** Limits and defaults of the agents (the `ai` settings). */
export interface AgentSettings {
  readonly model: string;
  readonly maxOutputTokens: number;
  readonly maxTurns: number;
  /** Tokens of repository files given to the agents up front. */
  readonly contextTokens: number;
  readonly testTimeoutMs: number;
  /** The limit of one shell command of the development agent's; default testTimeoutMs. */
  readonly commandTimeoutMs?: number;
  /** Installs what the tests need, with network, before the development agent starts. */
  readonly setupCommand?: string;
  readonly setupTimeoutMs?: number;
  readonly sandbox: SandboxSetting;
  /** The demo's runs, which may run unsandboxed (only `aidev demo` sets it): see sandboxFor. */
  readonly unsandboxedDemo?: UnsandboxedDemo;
  /** Program directories the sandbox adds to PATH (aidev's own tsx for TypeScript projects). */
  readonly toolPath: readonly string[];
  /** The sandbox's limits, extra read-only paths and the registries setup may reach. */
  readonly sandboxPolicy?: SandboxPolicy;
  /** How the setup command's proxy resolves registries (tests point one at a local server). */
  readonly sandboxProxy?: SandboxedCommand['proxy'];
  readonly dataDir: string;
  /** How much of its conversation the development agent's model is shown; none: everything. */
  readonly context?: ContextPolicy;
}

/** What every agent works with. */
export interface AgentDeps {
  readonly model: MeteredProvider;
  readonly actions: ActionRunner;
  readonly prompts: AgentPrompts;
  readonly settings: AgentSettings;
  readonly store: Store;
  /** Where a step's relative `prompt_template` path starts. */
  readonly baseDir: string;
  /** A span per tool call of the agents (#20); model calls are traced by `model`. */
  readonly monitoring?: Monitoring;
  /** The run's channel's choice of `model` or `setup_command`, over the `ai` setting. */
  readonly channelSetting?: (
    call: AgentCall,
    key: ChannelAgentSetting,
  ) => Promise<string | undefined>;
}

/** The agent settings a channel may choose for its runs. */
export type ChannelAgentSetting = 'model' | 'setup_command' | 'instructions';

/** Identity of each model call of a step: whose budget, which cost entry. */
export function callMeta(call: AgentCall): (turn: number) => CallMeta {
  return (turn) => ({
    runId: call.run.id,
    stepName: call.step,
    ...(call.run.channelId === null ? {} : { channelId: call.run.channelId }),
    ...(call.run.userId === null ? {} : { userId: call.run.userId }),
    // The attempt is part of the key: a turn re-done after a crash was paid for twice.
    callKey: `${call.idempotencyKey}:${call.attempt}:${turn}`,
    signal: call.signal,
    log: call.log,
    conversation: {
      name: `${call.agent}/${typeof call.input.mode === 'string' ? call.input.mode : 'default'}`,
      turn,
    },
    onAlert: (alert) => call.record(budgetAlertEvent(alert)),
  });
}

/** The run-log event of a budget alert (the Slack app posts it to the channel). */
export function budgetAlertEvent(alert: BudgetAlert) {
  const { budget } = alert;
  const whose =
    budget.scope === 'global' ? 'the installation' : `${budget.scope} ${budget.scopeId}`;
  return {
    type: 'budget.alert' as const,
    level: alert.threshold >= 100 ? ('error' as const) : ('warn' as const),
    message: `${alert.threshold} % of the ${alert.period} budget of ${whose} is spent: ${displayUsd(parseUsd(alert.spentUsd))} of ${displayUsd(parseUsd(budget.limitUsd))}`,
    data: {
      scope: budget.scope,
      scope_id: budget.scopeId,
      threshold: alert.threshold,
      period: alert.period,
      spent_usd: alert.spentUsd,
      limit_usd: budget.limitUsd,
    },
  };
}

export async function modelOf(deps: AgentDeps, call: AgentCall): Promise<string> {
  return (await deps.channelSetting?.(call, 'model')) ?? deps.settings.model;
}

/** A step's saved conversation and the agent's own progress, or a fresh start. */
export interface Session<T extends JsonObject> {
  readonly loop: LoopState;
  readonly data: T;
  readonly resumed: boolean;
  save(): Promise<void>;
}

export async function openSession<T extends JsonObject>(
  store: Store,
  call: AgentCall,
  fresh: () => { firstMessage: string; data: T },
): Promise<Session<T>> {
  const saved = await store.agentSessions.get(call.idempotencyKey);
  const state = saved?.state as { loop?: LoopState; data?: T } | undefined;
  let loop: LoopState;
  let data: T;
  let resumed = false;
  // A finished conversation whose step did not get to record its output ends at once.
  if (state?.loop !== undefined && state.data !== undefined) {
    ({ loop, data } = state as { loop: LoopState; data: T });
    resumed = true;
  } else {
    const start = fresh();
    loop = newLoopState(start.firstMessage);
    data = start.data;
  }
  return {
    loop,
    data,
    resumed,
    save: async () => {
      // A call given up (another worker may be running the step by now) must not overwrite
      // the conversation that worker resumed from.
      call.signal.throwIfAborted();
      await store.agentSessions.save({
        sessionKey: call.idempotencyKey,
        runId: call.run.id,
        stepName: call.step,
        state: { loop, data } as unknown as JsonObject,
        turns: loop.turns,
      });
    },
  };
}

/**
 * How a run's commands run (an agent's, or its pull request's local CI): the configured sandbox,
 * or the demo's exemption for its runs.
 */
export function sandboxFor(
  settings: Pick<AgentSettings, 'sandbox' | 'unsandboxedDemo'>,
  call: { readonly run: { readonly id: string } },
): SandboxMode {
  return sandboxModeFor(settings.sandbox, call.run.id, settings.unsandboxedDemo);
}
