import type { Queryable } from '../database.js';
import { json, type JsonObject } from '../sql.js';

/**
 * Where a delivery came from; each source has its own delivery ids. The column is plain text
 * (no CHECK in 0013_webhook_deliveries.sql): a new source needs no migration.
 */
export type WebhookSource = 'github' | 'gitlab' | 'jira' | 'linear';

export interface WebhookDelivery {
  readonly source: WebhookSource;
  /**
   * The service's id of the delivery, the same on a redelivery: GitHub's X-GitHub-Delivery,
   * Jira Cloud's X-Atlassian-Webhook-Identifier (Jira Data Center: one derived from the event,
   * src/trackers/jira-delivery.ts), Linear's Linear-Delivery, GitLab's X-Gitlab-Event-UUID.
   */
  readonly deliveryId: string;
  /**
   * GitHub: X-GitHub-Event, such as pull_request_review; Jira: the payload's webhookEvent, such
   * as jira:issue_updated; Linear: the payload's type, such as Issue.
   */
  readonly event: string;
  readonly action: string | null;
  readonly payload: JsonObject;
  /**
   * For a service whose delivery id is not signed (Linear): the SHA-256 of the signed body. A
   * delivery whose body was recorded before is a redelivery, whatever id it comes with.
   */
  readonly bodyDigest?: string;
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
    /**
     * Records a delivery; true if it is new, false for one recorded before (a redelivery): the
     * same id, or the same signed body (`bodyDigest`) under another id.
     */
    async record(delivery: WebhookDelivery): Promise<boolean> {
      const { rows } = await db.query<{ delivery_id: string }>(
        `INSERT INTO webhook_deliveries (source, delivery_id, event, action, payload, body_digest)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING RETURNING delivery_id`,
        [
          delivery.source,
          delivery.deliveryId,
          delivery.event,
          delivery.action,
          json(delivery.payload),
          delivery.bodyDigest ?? null,
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

    /**
     * Deliveries by event and result, for metrics: `acted` (feedback queued, a loop ended),
     * `ignored` (with its reason in the outcome), `pending` (not acted on yet).
     */
    async countByResult(): Promise<{ event: string; result: string; count: number }[]> {
      const { rows } = await db.query<{ event: string; result: string; count: string }>(
        `SELECT event,
                CASE WHEN handled_at IS NULL THEN 'pending'
                     WHEN outcome LIKE 'ignored:%' THEN 'ignored'
                     ELSE 'acted' END AS result,
                count(*) AS count
         FROM webhook_deliveries GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      return rows.map((r) => ({ event: r.event, result: r.result, count: Number(r.count) }));
    },

    /**
     * Deliveries of one source received before `before` and not handled yet (their server
     * stopped first). GitHub's unless said otherwise: the pull-request loop's sweep asks without
     * naming a source, and must not be handed (and stall on) deliveries from the trackers.
     */
    async unhandled(
      before: Date,
      { source = 'github', limit = 100 }: { source?: WebhookSource; limit?: number } = {},
    ): Promise<RecordedDelivery[]> {
      const { rows } = await db.query<Row>(
        `SELECT * FROM webhook_deliveries
         WHERE source = $1 AND handled_at IS NULL AND received_at < $2
         ORDER BY received_at LIMIT $3`,
        [source, before, limit],
      );
      return rows.map(toDelivery);
    },
  };
}

export type WebhookDeliveriesRepository = ReturnType<typeof createWebhookDeliveriesRepository>;
