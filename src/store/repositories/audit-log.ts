import type { Queryable } from '../database.js';
import { clampLimit, json, type JsonObject, type JsonValue } from '../sql.js';

/** Who changed what, with the state before and after. Append-only. */
export interface AuditEntry {
  readonly id: number;
  /** `slack:U123`, `token:<id>`, `cli:<os user>`, `system`. */
  readonly actor: string;
  /** `channel_settings.update`, `run.cancel`, … */
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly before: JsonValue | null;
  readonly after: JsonValue | null;
  readonly metadata: JsonObject;
  readonly createdAt: Date;
}

export type NewAuditEntry = Pick<AuditEntry, 'actor' | 'action'> & {
  readonly targetType?: string;
  readonly targetId?: string;
  readonly before?: JsonValue;
  readonly after?: JsonValue;
  readonly metadata?: JsonObject;
};

interface AuditRow {
  id: number;
  actor: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  before: JsonValue | null;
  after: JsonValue | null;
  metadata: JsonObject;
  created_at: Date;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    actor: row.actor,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    before: row.before,
    after: row.after,
    metadata: row.metadata,
    createdAt: row.created_at,
  };
}

export function createAuditLogRepository(db: Queryable) {
  return {
    async append(entry: NewAuditEntry): Promise<AuditEntry> {
      const { rows } = await db.query<AuditRow>(
        `INSERT INTO audit_log (actor, action, target_type, target_id, before, after, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [
          entry.actor,
          entry.action,
          entry.targetType ?? null,
          entry.targetId ?? null,
          json(entry.before),
          json(entry.after),
          json(entry.metadata ?? {}),
        ],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('audit insert returned nothing');
      return toEntry(row);
    },

    /** Newest first; `beforeId` continues to older entries. */
    async list(
      filter: {
        targetType?: string;
        targetId?: string;
        actor?: string;
        beforeId?: number;
        limit?: number;
      } = {},
    ): Promise<AuditEntry[]> {
      const { rows } = await db.query<AuditRow>(
        `SELECT * FROM audit_log
         WHERE ($1::text IS NULL OR target_type = $1) AND ($2::text IS NULL OR target_id = $2)
           AND ($3::text IS NULL OR actor = $3) AND ($4::bigint IS NULL OR id < $4)
         ORDER BY id DESC LIMIT $5`,
        [
          filter.targetType ?? null,
          filter.targetId ?? null,
          filter.actor ?? null,
          filter.beforeId ?? null,
          clampLimit(filter.limit),
        ],
      );
      return rows.map(toEntry);
    },
  };
}

export type AuditLogRepository = ReturnType<typeof createAuditLogRepository>;
