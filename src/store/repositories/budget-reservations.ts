import type { Queryable } from '../database.js';
import { assertUsd, isUuid, type Usd } from '../sql.js';

export type ReservationStatus = 'held' | 'settled' | 'released';

/** Money set aside before a provider call, so that concurrent runs cannot overspend together. */
export interface Reservation {
  readonly id: string;
  readonly runId: string | null;
  readonly stepName: string | null;
  readonly channelId: string | null;
  readonly userId: string | null;
  readonly estimateUsd: Usd;
  readonly status: ReservationStatus;
  readonly costEntryId: string | null;
  readonly expiresAt: Date;
  readonly createdAt: Date;
  readonly closedAt: Date | null;
}

interface ReservationRow {
  id: string;
  run_id: string | null;
  step_name: string | null;
  channel_id: string | null;
  user_id: string | null;
  estimate_usd: string;
  status: ReservationStatus;
  cost_entry_id: string | null;
  expires_at: Date;
  created_at: Date;
  closed_at: Date | null;
}

function toReservation(row: ReservationRow): Reservation {
  return {
    id: row.id,
    runId: row.run_id,
    stepName: row.step_name,
    channelId: row.channel_id,
    userId: row.user_id,
    estimateUsd: row.estimate_usd,
    status: row.status,
    costEntryId: row.cost_entry_id,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    closedAt: row.closed_at,
  };
}

export function createBudgetReservationsRepository(db: Queryable) {
  async function close(
    id: string,
    status: ReservationStatus,
    costEntryId: string | null,
  ): Promise<Reservation | null> {
    if (!isUuid(id)) return null;
    const { rows } = await db.query<ReservationRow>(
      `UPDATE budget_reservations SET status = $2, cost_entry_id = $3, closed_at = now()
       WHERE id = $1 AND status = 'held' RETURNING *`,
      [id, status, costEntryId],
    );
    return rows[0] === undefined ? null : toReservation(rows[0]);
  }

  return {
    async hold(reservation: {
      runId?: string;
      stepName?: string;
      channelId?: string;
      userId?: string;
      estimateUsd: Usd;
      expiresAt: Date;
    }): Promise<Reservation> {
      const { rows } = await db.query<ReservationRow>(
        `INSERT INTO budget_reservations (run_id, step_name, channel_id, user_id, estimate_usd, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [
          reservation.runId ?? null,
          reservation.stepName ?? null,
          reservation.channelId ?? null,
          reservation.userId ?? null,
          assertUsd(reservation.estimateUsd, 'estimate_usd'),
          reservation.expiresAt,
        ],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('reservation insert returned nothing');
      return toReservation(row);
    },

    /** The call was made: the actual cost is in `costEntryId`. Null if no longer held. */
    settle: (id: string, costEntryId: string) => close(id, 'settled', costEntryId),

    /** The call was not made (or failed before spending). Null if no longer held. */
    release: (id: string) => close(id, 'released', null),

    /**
     * Keeps a hold while its call is still under way (a provider call can take longer than any
     * fixed lifetime). False if it is no longer held: settled, released, or already expired.
     */
    async renew(id: string, expiresAt: Date): Promise<boolean> {
      if (!isUuid(id)) return false;
      const { rowCount } = await db.query(
        `UPDATE budget_reservations SET expires_at = $2 WHERE id = $1 AND status = 'held'`,
        [id, expiresAt],
      );
      return rowCount > 0;
    },

    /** Frees reservations of calls that never reported back (their worker died). */
    async releaseExpired(now = new Date()): Promise<number> {
      const { rowCount } = await db.query(
        `UPDATE budget_reservations SET status = 'released', closed_at = now()
         WHERE status = 'held' AND expires_at <= $1`,
        [now],
      );
      return rowCount;
    },

    /**
     * Serialises budget decisions on these keys until the transaction ends (PostgreSQL
     * advisory locks, taken in a fixed order so that two decisions never deadlock).
     */
    async lockBudgets(keys: readonly string[]): Promise<void> {
      for (const key of [...new Set(keys)].sort())
        await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`budget:${key}`]);
    },

    /** Sum of what is currently held for a run, channel and/or user. */
    async heldTotal(scope: { runId?: string; channelId?: string; userId?: string }): Promise<Usd> {
      const { rows } = await db.query<{ usd: string }>(
        `SELECT COALESCE(sum(estimate_usd), 0)::numeric(20, 10) AS usd FROM budget_reservations
         WHERE status = 'held'
           AND ($1::uuid IS NULL OR run_id = $1)
           AND ($2::text IS NULL OR channel_id = $2)
           AND ($3::text IS NULL OR user_id = $3)`,
        [scope.runId ?? null, scope.channelId ?? null, scope.userId ?? null],
      );
      return rows[0]?.usd ?? '0.0000000000';
    },
  };
}

export type BudgetReservationsRepository = ReturnType<typeof createBudgetReservationsRepository>;
