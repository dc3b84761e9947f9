import type { Logger } from '../log/create-logger.js';
import type { EngineEventType } from './engine-events.js';
import type { JsonObject } from '../store/sql.js';

/** What a step sees of the run it belongs to. */
export interface RunInfo {
  readonly id: string;
  readonly workflow: string;
  readonly channelId: string | null;
  readonly userId: string | null;
}

interface CallBase {
  readonly run: RunInfo;
  readonly step: string;
  readonly attempt: number;
  /** The same for every attempt of this step: lets a side effect find what it created before. */
  readonly idempotencyKey: string;
  /** Aborted on timeout, cancellation, or when this worker loses the run. */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

export interface ActionCall extends CallBase {
  readonly plugin: string;
  readonly action: string;
  readonly input: JsonObject;
}

/** Runs plugin actions (the plugin registry implements it). */
export interface ActionRunner {
  run(call: ActionCall): Promise<unknown>;
}

export interface AgentCall extends CallBase {
  readonly agent: string;
  readonly promptTemplate: string | undefined;
  readonly input: JsonObject;
  /** Progress for people watching (0–1) with a short message. */
  readonly progress: (fraction: number, message: string) => void;
  /** Writes an event of this step to the run log (and publishes it). */
  readonly record: (event: {
    readonly type: EngineEventType;
    readonly message: string;
    readonly level?: 'info' | 'warn' | 'error';
    readonly data?: JsonObject;
  }) => Promise<void>;
}

/** Runs AI agents (the AI layer implements it). */
export interface AgentRunner {
  run(call: AgentCall): Promise<unknown>;
  /** The run ended (succeeded, failed or cancelled): what its agents kept for it can go. */
  runEnded?(runId: string): Promise<void>;
}
