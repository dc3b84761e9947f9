import { createHash } from 'node:crypto';
import type { WebhookDelivery } from '../store/repositories/webhook-deliveries.js';
import type { JsonObject, JsonValue } from '../store/sql.js';
import type { Parsed } from './webhook-receiver.js';

/**
 * A Jira delivery whose `timestamp` is further than this from now is refused as a replay of
 * an old body. Jira Cloud retries a failed delivery for up to 30 minutes ("subject to change")
 * with the event's own timestamp, so the window is a little wider than that. Within it a
 * captured body sent again is still acted on once: the signature covers the body, not the
 * X-Atlassian-Webhook-Identifier header, so a delivery is recorded under an id derived from
 * the signed body ({@link derivedId}), and a replay under a new identifier is the same delivery.
 */
export const JIRA_TIMESTAMP_TOLERANCE_MS = 35 * 60_000;

/** The top-level objects whose ids tell one Jira event from another (see {@link derivedId}). */
const EVENT_OBJECTS = [
  'issue',
  'changelog',
  'comment',
  'worklog',
  'attachment',
  'issueLink',
  'project',
  'version',
  'sprint',
  'board',
] as const;

const describe = (value: JsonValue | undefined) =>
  value === undefined ? 'none' : JSON.stringify(value).slice(0, 80);

/**
 * The delivery in a Jira webhook's body, and the event's time, or which field is wrong.
 * `identifier` is Jira Cloud's X-Atlassian-Webhook-Identifier, checked for shape and logged;
 * the delivery's id is derived from the event in either case (see {@link derivedId}), because
 * the header is not signed and Jira Data Center and Server send none.
 */
export function jiraDelivery(
  payload: JsonObject,
  identifier: string | undefined,
): Parsed<{ delivery: WebhookDelivery; timestamp: number }> {
  const { webhookEvent, timestamp, issue_event_type_name: eventType } = payload;
  if (identifier !== undefined && !/^[\w.:-]{1,128}$/.test(identifier))
    return {
      ok: false,
      status: 400,
      detail: `X-Atlassian-Webhook-Identifier: expected the delivery's id, found ${JSON.stringify(identifier.slice(0, 80))}`,
    };
  if (typeof webhookEvent !== 'string' || !/^[\w:.-]{1,64}$/.test(webhookEvent))
    return {
      ok: false,
      status: 400,
      detail: `webhookEvent: expected the event's name such as jira:issue_updated, found ${describe(webhookEvent)}`,
    };
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp <= 0)
    return {
      ok: false,
      status: 400,
      detail: `timestamp: expected the event's time in milliseconds since 1970, found ${describe(timestamp)}`,
    };
  return {
    ok: true,
    value: {
      timestamp,
      delivery: {
        source: 'jira',
        deliveryId: derivedId(payload, webhookEvent, timestamp),
        event: webhookEvent,
        action: typeof eventType === 'string' ? eventType.slice(0, 64) : null,
        payload,
      },
    },
  };
}

/**
 * The id a delivery is recorded under, from what the signature covers: the same for the same
 * event sent again (a retry, a replay under another identifier, a second webhook), different for different events. The event's name and time (ms) alone could
 * collide when two issues change in the same millisecond, so the ids of the objects the event
 * is about are added: the issue, and the change (changelog) or comment or worklog it made.
 * A changelog id is unique per edit and a comment id per comment, so two events share all of
 * these only if they are one event. Fields a resend could render differently (the issue's
 * `fields`, `updated`) are left out on purpose. An event about none of these objects falls
 * back to the whole body: identical bodies are one delivery.
 */
export function derivedId(payload: JsonObject, event: string, timestamp: number): string {
  const ids = EVENT_OBJECTS.map((name) => {
    const object = payload[name];
    if (typeof object !== 'object' || object === null || Array.isArray(object)) return null;
    const id = object.id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
  });
  const parts = ids.some((id) => id !== null) ? [event, timestamp, ...ids] : [payload];
  return `derived-${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40)}`;
}
