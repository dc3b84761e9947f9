import type { Logger } from '../log/create-logger.js';
import type { Store } from '../store/store.js';
import type { JsonObject } from '../store/sql.js';
import type { EngineEvent, EngineEventBus, EngineEventType } from './engine-events.js';

export interface EventInput {
  readonly type: EngineEventType;
  readonly runId: string;
  readonly step?: string;
  readonly level?: EngineEvent['level'];
  readonly message: string;
  readonly data?: JsonObject;
}

/** Writes each event to the run log, then publishes it; a failed write is logged, not fatal. */
export class EventRecorder {
  constructor(
    private readonly store: Store,
    private readonly bus: EngineEventBus,
    private readonly logger: Logger,
  ) {}

  async record(input: EventInput): Promise<void> {
    const event: EngineEvent = {
      ...input,
      level: input.level ?? 'info',
      data: input.data ?? {},
      at: new Date(),
    };
    try {
      await this.store.events.append({
        runId: event.runId,
        type: event.type,
        level: event.level,
        message: event.message,
        data: event.data,
        ...(event.step === undefined ? {} : { stepName: event.step }),
      });
    } catch (error) {
      this.logger.error(
        { err: error, runId: event.runId, event: event.type },
        'could not write a run event',
      );
    }
    this.bus.publish(event);
  }

  /** Published only (progress updates are too frequent for the run log). */
  publish(input: EventInput): void {
    this.bus.publish({
      ...input,
      level: input.level ?? 'info',
      data: input.data ?? {},
      at: new Date(),
    });
  }
}
