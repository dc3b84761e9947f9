import type { Queryable } from '../database.js';
import { json, type JsonObject } from '../sql.js';

/** Encrypted credentials as stored: the store never sees them in plain text. */
export interface SealedSecrets {
  readonly ciphertext: string;
  readonly keyId: string;
}

export interface PluginConfiguration {
  readonly id: string;
  readonly pluginType: string;
  readonly pluginName: string;
  /** `*` for the global configuration, or a channel id for a per-channel override. */
  readonly scope: string;
  readonly settings: JsonObject;
  readonly secrets: SealedSecrets | null;
  readonly enabled: boolean;
  readonly updatedBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface ConfigRow {
  id: string;
  plugin_type: string;
  plugin_name: string;
  scope: string;
  settings: JsonObject;
  secrets_ciphertext: string | null;
  secrets_key_id: string | null;
  enabled: boolean;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

function toConfiguration(row: ConfigRow): PluginConfiguration {
  return {
    id: row.id,
    pluginType: row.plugin_type,
    pluginName: row.plugin_name,
    scope: row.scope,
    settings: row.settings,
    secrets:
      row.secrets_ciphertext === null || row.secrets_key_id === null
        ? null
        : { ciphertext: row.secrets_ciphertext, keyId: row.secrets_key_id },
    enabled: row.enabled,
    updatedBy: row.updated_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createPluginConfigurationsRepository(db: Queryable) {
  return {
    async get(
      pluginType: string,
      pluginName: string,
      scope = '*',
    ): Promise<PluginConfiguration | null> {
      const { rows } = await db.query<ConfigRow>(
        'SELECT * FROM plugin_configurations WHERE plugin_type = $1 AND plugin_name = $2 AND scope = $3',
        [pluginType, pluginName, scope],
      );
      return rows[0] === undefined ? null : toConfiguration(rows[0]);
    },

    async list(): Promise<PluginConfiguration[]> {
      const { rows } = await db.query<ConfigRow>(
        'SELECT * FROM plugin_configurations ORDER BY plugin_type, plugin_name, scope',
      );
      return rows.map(toConfiguration);
    },

    /** Creates or replaces a configuration; `secrets: undefined` keeps the stored ones. */
    async upsert(config: {
      pluginType: string;
      pluginName: string;
      scope?: string;
      settings: JsonObject;
      secrets?: SealedSecrets | null;
      enabled?: boolean;
      updatedBy?: string;
    }): Promise<PluginConfiguration> {
      const keep = config.secrets === undefined;
      const { rows } = await db.query<ConfigRow>(
        `INSERT INTO plugin_configurations
           (plugin_type, plugin_name, scope, settings, secrets_ciphertext, secrets_key_id, enabled, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (plugin_type, plugin_name, scope) DO UPDATE SET
           settings = EXCLUDED.settings,
           secrets_ciphertext = CASE WHEN $9 THEN plugin_configurations.secrets_ciphertext ELSE EXCLUDED.secrets_ciphertext END,
           secrets_key_id = CASE WHEN $9 THEN plugin_configurations.secrets_key_id ELSE EXCLUDED.secrets_key_id END,
           enabled = EXCLUDED.enabled, updated_by = EXCLUDED.updated_by, updated_at = now()
         RETURNING *`,
        [
          config.pluginType,
          config.pluginName,
          config.scope ?? '*',
          json(config.settings),
          config.secrets?.ciphertext ?? null,
          config.secrets?.keyId ?? null,
          config.enabled ?? true,
          config.updatedBy ?? null,
          keep,
        ],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('plugin configuration upsert returned nothing');
      return toConfiguration(row);
    },

    /**
     * Replaces sealed credentials (a key rotation) only if they are still the ones that were
     * read, so that a concurrent change of the configuration is never overwritten.
     */
    async reseal(id: string, from: SealedSecrets, to: SealedSecrets): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE plugin_configurations SET secrets_ciphertext = $3, secrets_key_id = $4
         WHERE id = $1 AND secrets_ciphertext = $2`,
        [id, from.ciphertext, to.ciphertext, to.keyId],
      );
      return rowCount > 0;
    },

    async remove(pluginType: string, pluginName: string, scope = '*'): Promise<boolean> {
      const { rowCount } = await db.query(
        'DELETE FROM plugin_configurations WHERE plugin_type = $1 AND plugin_name = $2 AND scope = $3',
        [pluginType, pluginName, scope],
      );
      return rowCount > 0;
    },
  };
}

export type PluginConfigurationsRepository = ReturnType<
  typeof createPluginConfigurationsRepository
>;
