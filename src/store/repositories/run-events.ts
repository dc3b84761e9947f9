import type { Queryable } from '../database.js';
import { clampLimit, isUuid, json, type JsonObject } from '../sql.js';

export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

export interface RunEvent {
  readonly id: number;
  readonly runId: string;
  readonly stepName: string | null;
  readonly type: string;
  readonly level: EventLevel;
  readonly message: string;
  readonly data: JsonObject;
  readonly createdAt: Date;
}

export interface NewRunEvent {
  readonly runId: string;
  readonly stepName?: string;
  readonly type: string;
  readonly level?: EventLevel;
  readonly message: string;
  readonly data?: JsonObject;
}

interface EventRow {
  id: number;
  run_id: string;
  step_name: string | null;
  type: string;
  level: EventLevel;
  message: string;
  data: JsonObject;
  created_at: Date;
}

function toEvent(row: EventRow): RunEvent {
  return {
    id: row.id,
    runId: row.run_id,
    stepName: row.step_name,
    type: row.type,
    level: row.level,
    message: row.message,
    data: row.data,
    createdAt: row.created_at,
  };
}

/** The run log: append-only, read in order. */
export function createRunEventsRepository(db: Queryable) {
  return {
    async append(event: NewRunEvent): Promise<RunEvent> {
      const { rows } = await db.query<EventRow>(
        `INSERT INTO run_events (run_id, step_name, type, level, message, data)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [
          event.runId,
          event.stepName ?? null,
          event.type,
          event.level ?? 'info',
          event.message,
          json(event.data ?? {}),
        ],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('run event insert returned nothing');
      return toEvent(row);
    },

    /** Events of a run in order; `afterId` continues where a previous read stopped. */
    async listForRun(
      runId: string,
      options: { afterId?: number; limit?: number } = {},
    ): Promise<RunEvent[]> {
      if (!isUuid(runId)) return [];
      const { rows } = await db.query<EventRow>(
        'SELECT * FROM run_events WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT $3',
        [runId, options.afterId ?? 0, clampLimit(options.limit, 200, 5_000)],
      );
      return rows.map(toEvent);
    },
  };
}

export type RunEventsRepository = ReturnType<typeof createRunEventsRepository>;
