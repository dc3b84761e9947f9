import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { problem, sendProblem } from '../http/problem.js';
import type { WebhookDelivery } from '../store/repositories/webhook-deliveries.js';
import type { JsonObject, JsonValue } from '../store/sql.js';
import {
  describeStale,
  header,
  jsonObject,
  keepRawBody,
  notSetUp,
  rawBody,
  recordAndAnswer,
  refuse,
  signedWith,
  staleBySeconds,
  type Parsed,
  type TrackerWebhookOptions,
} from './webhook-receiver.js';

/**
 * Linear's documentation asks receivers to check that `webhookTimestamp` is within a minute
 * of now, and its SDK's own check (LinearWebhookClient.verify in @linear/sdk/webhooks) uses
 * exactly 60 s: a signed body older than that is a replay.
 */
export const LINEAR_TIMESTAMP_TOLERANCE_MS = 60_000;

const ROUTE = '/linear/webhooks';

const describe = (value: JsonValue | undefined) =>
  value === undefined ? 'none' : JSON.stringify(value).slice(0, 80);

/**
 * `POST /linear/webhooks`: a Linear workspace's webhook (Settings → API → Webhooks). The
 * `Linear-Signature` header (hex HMAC-SHA256 of the raw body with LINEAR_WEBHOOK_SECRET, the
 * webhook's signing secret) is checked first, then the body's `webhookTimestamp`: a delivery
 * that fails either gets 401 and is not recorded. A valid one is recorded under its
 * Linear-Delivery id before it is answered, and acted on once whether Linear sends it again
 * under its id or someone replays its signed body under another. The answer is 200 whether it
 * is new or already recorded: Linear counts any other status as a failure and sends it again.
 */
export function linearWebhookRoutes(options: TrackerWebhookOptions): FastifyPluginAsync {
  const now = options.now ?? Date.now;
  return (scope) => {
    keepRawBody(scope);
    scope.post(ROUTE, async (request, reply) => {
      const started = performance.now();
      const secret = options.secret;
      if (secret === undefined)
        return notSetUp(
          reply,
          'linear-webhooks-not-set-up',
          "Linear webhooks are not set up here: set LINEAR_WEBHOOK_SECRET to the webhook's signing secret (Linear → Settings → API → Webhooks) and restart aidev serve",
        );
      const signature = header(request, 'linear-signature');
      const deliveryId = header(request, 'linear-delivery');
      if (signature === undefined || !signedWith(secret, rawBody(request), signature.trim()))
        return refuse(reply, options.log, {
          type: 'linear-signature',
          detail:
            signature === undefined
              ? 'not a delivery signed by Linear: the Linear-Signature header is missing'
              : 'not a delivery signed by Linear: Linear-Signature does not match the body signed with LINEAR_WEBHOOK_SECRET',
          delivery: deliveryId,
          route: ROUTE,
        });
      const body = jsonObject(
        request,
        'Linear sends JSON: check that nothing between Linear and aidev rewrites the body',
      );
      if (!body.ok)
        return sendProblem(reply, problem(body.status, 'linear-delivery', body.detail).problem);
      const parsed = linearDelivery(request, body.value, rawBody(request));
      if (!parsed.ok)
        return sendProblem(reply, problem(parsed.status, 'linear-delivery', parsed.detail).problem);
      const stale = staleBySeconds(parsed.value.timestamp, now(), LINEAR_TIMESTAMP_TOLERANCE_MS);
      if (stale !== undefined)
        return refuse(reply, options.log, {
          type: 'linear-stale-delivery',
          detail: describeStale('webhookTimestamp', stale, LINEAR_TIMESTAMP_TOLERANCE_MS),
          delivery: deliveryId,
          route: ROUTE,
        });
      return recordAndAnswer(reply, options, parsed.value.delivery, {
        vendor: 'Linear',
        freshStatus: 200,
        lateAfterMs: 2_500,
        vendorWaits: '5 s, then retries',
        started,
      });
    });
    return Promise.resolve();
  };
}

/** The delivery's id, event, action and time, or which header or field is wrong. */
function linearDelivery(
  request: FastifyRequest,
  payload: JsonObject,
  signedBody: Buffer,
): Parsed<{ delivery: WebhookDelivery; timestamp: number }> {
  const deliveryId = header(request, 'linear-delivery');
  const { webhookTimestamp, type, action } = payload;
  if (deliveryId === undefined || !/^[\w-]{1,64}$/.test(deliveryId))
    return {
      ok: false,
      status: 400,
      detail: `Linear-Delivery: expected the delivery's id (a UUID), found ${deliveryId === undefined ? 'none' : JSON.stringify(deliveryId.slice(0, 80))}`,
    };
  if (typeof webhookTimestamp !== 'number' || !Number.isFinite(webhookTimestamp))
    return {
      ok: false,
      status: 400,
      detail: `webhookTimestamp: expected the time the delivery was sent, in milliseconds since 1970, found ${describe(webhookTimestamp)}`,
    };
  // The body's `type` is signed; the Linear-Event header (the same name) is not, so it only
  // stands in when the body has none.
  const event = typeof type === 'string' ? type : header(request, 'linear-event');
  if (event === undefined || !/^\w{1,64}$/.test(event))
    return {
      ok: false,
      status: 400,
      detail: `type: expected the kind of entity, such as Issue or Comment, found ${describe(type)}`,
    };
  return {
    ok: true,
    value: {
      timestamp: webhookTimestamp,
      delivery: {
        source: 'linear',
        deliveryId,
        event,
        action: typeof action === 'string' ? action.slice(0, 64) : null,
        payload,
        // Linear-Delivery is not signed: within the minute webhookTimestamp allows, a captured
        // body sent again under a new id is known by its digest. Linear's own retries carry a
        // new webhookTimestamp (so a new body) under the same id.
        bodyDigest: createHash('sha256').update(signedBody).digest('hex'),
      },
    },
  };
}
