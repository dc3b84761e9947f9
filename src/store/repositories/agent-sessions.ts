import type { Queryable } from '../database.js';
import { json, type JsonObject } from '../sql.js';

/** An agent's saved progress in one step: its conversation and what it changed so far. */
export interface AgentSession {
  readonly sessionKey: string;
  readonly runId: string;
  readonly stepName: string;
  readonly state: JsonObject;
  readonly turns: number;
  readonly updatedAt: Date;
}

interface SessionRow {
  session_key: string;
  run_id: string;
  step_name: string;
  state: JsonObject;
  turns: number;
  updated_at: Date;
}

const toSession = (row: SessionRow): AgentSession => ({
  sessionKey: row.session_key,
  runId: row.run_id,
  stepName: row.step_name,
  state: row.state,
  turns: row.turns,
  updatedAt: row.updated_at,
});

export function createAgentSessionsRepository(db: Queryable) {
  return {
    async get(sessionKey: string): Promise<AgentSession | null> {
      const { rows } = await db.query<SessionRow>(
        'SELECT * FROM agent_sessions WHERE session_key = $1',
        [sessionKey],
      );
      return rows[0] === undefined ? null : toSession(rows[0]);
    },

    /** Saves the state after a turn (the step's idempotency key names the session). */
    async save(session: {
      sessionKey: string;
      runId: string;
      stepName: string;
      state: JsonObject;
      turns: number;
    }): Promise<void> {
      await db.query(
        `INSERT INTO agent_sessions (session_key, run_id, step_name, state, turns)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (session_key) DO UPDATE
           SET state = EXCLUDED.state, turns = EXCLUDED.turns, updated_at = now()`,
        [session.sessionKey, session.runId, session.stepName, json(session.state), session.turns],
      );
    },

    /** Forgets a session so that the next attempt starts afresh. */
    async remove(sessionKey: string): Promise<void> {
      await db.query('DELETE FROM agent_sessions WHERE session_key = $1', [sessionKey]);
    },
  };
}
