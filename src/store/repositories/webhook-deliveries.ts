import type { Queryable } from '../database.js';
import { json, type JsonObject } from '../sql.js';

/** Where a delivery came from; each source has its own delivery ids. */
export type WebhookSource = 'github';

export interface WebhookDelivery {
  readonly source: WebhookSource;
  /** The service's id of the delivery (GitHub: X-GitHub-Delivery), the same on a redelivery. */
  readonly deliveryId: string;
  /** GitHub: X-GitHub-Event, such as pull_request_review. */
  readonly event: string;
  readonly action: string | null;
  readonly payload: JsonObject;
}

export interface RecordedDelivery extends WebhookDelivery {
  readonly receivedAt: Date;
  readonly handledAt: Date | null;
  readonly outcome: string | null;
}

interface Row {
  source: WebhookSource;
  delivery_id: string;
  event: string;
  action: string | null;
  payload: JsonObject;
  received_at: Date;
  handled_at: Date | null;
  outcome: string | null;
}

const toDelivery = (r: Row): RecordedDelivery => ({
  source: r.source,
  deliveryId: r.delivery_id,
  event: r.event,
  action: r.action,
  payload: r.payload,
  receivedAt: r.received_at,
  handledAt: r.handled_at,
  outcome: r.outcome,
});

export function createWebhookDeliveriesRepository(db: Queryable) {
  return {
    /** Records a delivery; true if it is new, false for one recorded before (a redelivery). */
    async record(delivery: WebhookDelivery): Promise<boolean> {
      const { rows } = await db.query<{ delivery_id: string }>(
        `INSERT INTO webhook_deliveries (source, delivery_id, event, action, payload)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (source, delivery_id) DO NOTHING RETURNING delivery_id`,
        [
          delivery.source,
          delivery.deliveryId,
          delivery.event,
          delivery.action,
          json(delivery.payload),
        ],
      );
      return rows.length === 1;
    },

    async get(source: WebhookSource, deliveryId: string): Promise<RecordedDelivery | null> {
      const { rows } = await db.query<Row>(
        'SELECT * FROM webhook_deliveries WHERE source = $1 AND delivery_id = $2',
        [source, deliveryId],
      );
      return rows[0] === undefined ? null : toDelivery(rows[0]);
    },

    /** Marks a delivery handled, once: false if it already was. */
    async markHandled(source: WebhookSource, deliveryId: string, outcome: string) {
      const { rowCount } = await db.query(
        `UPDATE webhook_deliveries SET handled_at = now(), outcome = $3
         WHERE source = $1 AND delivery_id = $2 AND handled_at IS NULL`,
        [source, deliveryId, outcome],
      );
      return rowCount === 1;
    },

    /** Deliveries received before `before` and not handled yet (their server stopped first). */
    async unhandled(before: Date, limit = 100): Promise<RecordedDelivery[]> {
      const { rows } = await db.query<Row>(
        `SELECT * FROM webhook_deliveries WHERE handled_at IS NULL AND received_at < $1
         ORDER BY received_at LIMIT $2`,
        [before, limit],
      );
      return rows.map(toDelivery);
    },
  };
}
