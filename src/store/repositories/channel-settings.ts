import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../database.js';
import { json, type JsonObject } from '../sql.js';

/**
 * A channel's team defaults, stored as validated JSON (the channels module owns the schema).
 * `version` increases with every change so that concurrent edits cannot overwrite each other.
 */
export interface ChannelSettingsRecord {
  readonly channelId: string;
  readonly settings: JsonObject;
  readonly version: number;
  readonly updatedBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface SettingsRow {
  channel_id: string;
  settings: JsonObject;
  version: number;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

function toRecord(row: SettingsRow): ChannelSettingsRecord {
  return {
    channelId: row.channel_id,
    settings: row.settings,
    version: row.version,
    updatedBy: row.updated_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createChannelSettingsRepository(db: Queryable) {
  return {
    async get(channelId: string): Promise<ChannelSettingsRecord | null> {
      const { rows } = await db.query<SettingsRow>(
        'SELECT * FROM channel_settings WHERE channel_id = $1',
        [channelId],
      );
      return rows[0] === undefined ? null : toRecord(rows[0]);
    },

    /**
     * Replaces the settings. With `expectedVersion` (the version that was read), the write fails
     * with a conflict if someone else changed them in between; 0 means "expected none yet".
     */
    async put(
      channelId: string,
      settings: JsonObject,
      options: { updatedBy: string; expectedVersion?: number },
    ): Promise<ChannelSettingsRecord> {
      const { rows } = await db.query<SettingsRow>(
        `INSERT INTO channel_settings (channel_id, settings, updated_by) VALUES ($1, $2, $3)
         ON CONFLICT (channel_id) DO UPDATE
           SET settings = EXCLUDED.settings, updated_by = EXCLUDED.updated_by,
               version = channel_settings.version + 1, updated_at = now()
           WHERE $4::int IS NULL OR channel_settings.version = $4
         RETURNING *`,
        [channelId, json(settings), options.updatedBy, options.expectedVersion ?? null],
      );
      const row = rows[0];
      if (row === undefined) {
        throw new AppError(
          'conflict',
          `the settings of channel ${channelId} were changed by someone else; read them again and retry`,
        );
      }
      return toRecord(row);
    },

    /** The channels whose `tracker_project` is `project` (one, unless two teams claim it). */
    async byTrackerProject(project: string): Promise<ChannelSettingsRecord[]> {
      const { rows } = await db.query<SettingsRow>(
        `SELECT * FROM channel_settings WHERE settings ->> 'tracker_project' = $1
         ORDER BY channel_id`,
        [project],
      );
      return rows.map(toRecord);
    },

    async list(): Promise<ChannelSettingsRecord[]> {
      const { rows } = await db.query<SettingsRow>(
        'SELECT * FROM channel_settings ORDER BY channel_id',
      );
      return rows.map(toRecord);
    },
  };
}

export type ChannelSettingsRepository = ReturnType<typeof createChannelSettingsRepository>;
