import type { Queryable } from '../database.js';

export interface SlackCommandRecord {
  readonly triggerId: string;
  readonly teamId: string;
  readonly channelId: string;
  readonly userId: string;
  readonly text: string;
}

interface Row {
  trigger_id: string;
  team_id: string;
  channel_id: string;
  user_id: string;
  text: string;
}

export function createSlackCommandsRepository(db: Queryable) {
  return {
    /** Records commands in one statement; returns the trigger ids that were new (not retries). */
    async recordMany(commands: readonly SlackCommandRecord[]): Promise<Set<string>> {
      if (commands.length === 0) return new Set();
      const values: unknown[] = [];
      const tuples = commands.map((c, i) => {
        values.push(c.triggerId, c.teamId, c.channelId, c.userId, c.text);
        const at = i * 5;
        return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5})`;
      });
      const { rows } = await db.query<{ trigger_id: string }>(
        `INSERT INTO slack_commands (trigger_id, team_id, channel_id, user_id, text)
         VALUES ${tuples.join(', ')} ON CONFLICT (trigger_id) DO NOTHING RETURNING trigger_id`,
        values,
      );
      return new Set(rows.map((r) => r.trigger_id));
    },

    async markHandled(triggerId: string): Promise<void> {
      await db.query('UPDATE slack_commands SET handled_at = now() WHERE trigger_id = $1', [
        triggerId,
      ]);
    },

    /** Commands received before `before` and never handled (their server stopped first). */
    async unhandled(before: Date, limit = 100): Promise<SlackCommandRecord[]> {
      const { rows } = await db.query<Row>(
        'SELECT * FROM slack_commands WHERE handled_at IS NULL AND received_at < $1 ORDER BY received_at LIMIT $2',
        [before, limit],
      );
      return rows.map((r) => ({
        triggerId: r.trigger_id,
        teamId: r.team_id,
        channelId: r.channel_id,
        userId: r.user_id,
        text: r.text,
      }));
    },
  };
}
