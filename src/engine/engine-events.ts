import type { Logger } from '../log/create-logger.js';
import type { JsonObject } from '../store/sql.js';

export const ENGINE_EVENT_TYPES = [
  'run.started',
  'run.resumed',
  'run.waiting',
  'run.succeeded',
  'run.failed',
  'run.cancelled',
  'step.started',
  'step.succeeded',
  'step.failed',
  'step.skipped',
  'step.retrying',
  'step.waiting',
  'step.cancelled',
  'step.rolled_back',
  'approval.requested',
  'approval.decided',
  'agent.status_update',
  /** One tool call of an agent and its whole result, for people reading the run log. */
  'agent.tool',
  /** What shaped an agent's context: instructions used, a conversation summarized. */
  'agent.context',
  /** On the run that opened a pull request: a round of fixes on it started, ended, or ran out. */
  'round.started',
  'round.ended',
  'round.handed_over',
  'budget.paused',
  'budget.decided',
  'budget.alert',
] as const;
export type EngineEventType = (typeof ENGINE_EVENT_TYPES)[number];

/** Something that happened to a run: written to the run log and published on the bus. */
export interface EngineEvent {
  readonly type: EngineEventType;
  readonly runId: string;
  readonly step?: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly data: JsonObject;
  readonly at: Date;
}

export type EngineEventListener = (event: EngineEvent) => void | Promise<void>;

/**
 * In-process publish/subscribe for engine events (Slack, WebSocket and CLI front ends listen).
 * Listeners run after the engine has moved on, and their failures are logged, never thrown:
 * a slow or broken subscriber cannot slow or break a run.
 */
export class EngineEventBus {
  private readonly listeners = new Set<EngineEventListener>();

  constructor(private readonly logger: Logger) {}

  subscribe(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: EngineEvent): void {
    for (const listener of this.listeners) {
      setImmediate(() => {
        try {
          const result = listener(event);
          if (result instanceof Promise)
            result.catch((error: unknown) => this.failed(error, event));
        } catch (error) {
          this.failed(error, event);
        }
      });
    }
  }

  private failed(error: unknown, event: EngineEvent): void {
    this.logger.warn(
      { err: error, event: event.type, runId: event.runId },
      'an engine event listener failed',
    );
  }
}
