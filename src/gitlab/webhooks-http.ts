import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { problem, sendProblem } from '../http/problem.js';
import type { WebhookDelivery } from '../store/repositories/webhook-deliveries.js';
import type { JsonObject } from '../store/sql.js';
import {
  header,
  jsonObject,
  keepRawBody,
  notSetUp,
  recordAndAnswer,
  refuse,
  sameSecret,
  type Parsed,
  type TrackerWebhookOptions,
} from '../trackers/webhook-receiver.js';

const ROUTE = '/gitlab/webhooks';
/** GitLab waits 10 s for an answer (webhooks.md, "Webhook receiver requirements"). */
const ANSWER_DEADLINE_MS = 5_000;

/**
 * `POST /gitlab/webhooks`: a GitLab project's (or group's) webhook. GitLab does not sign
 * deliveries; it sends the webhook's secret token as `X-Gitlab-Token`, compared here in
 * constant time with GITLAB_WEBHOOK_SECRET: a delivery without it gets 401 and is not recorded.
 * A valid one is recorded under its `X-Gitlab-Event-UUID` (or an `Idempotency-Key`, which
 * GitLab keeps across retries) before it is answered 202, and 200 when it comes again: acted
 * on once, whatever GitLab (or a person pressing "Resend request") sends.
 */
export function gitlabWebhookRoutes(options: TrackerWebhookOptions): FastifyPluginAsync {
  return (scope) => {
    keepRawBody(scope);
    scope.post(ROUTE, async (request, reply) => {
      const started = performance.now();
      const secret = options.secret;
      if (secret === undefined)
        return notSetUp(
          reply,
          'gitlab-webhooks-not-set-up',
          "GitLab webhooks are not set up here: set GITLAB_WEBHOOK_SECRET to the webhook's secret token (project → Settings → Webhooks) and restart aidev serve",
        );
      const token = header(request, 'x-gitlab-token');
      const deliveryId = deliveryIdOf(request);
      if (token === undefined || !sameSecret(token, secret))
        return refuse(reply, options.log, {
          type: 'gitlab-token',
          detail:
            token === undefined
              ? "not a delivery from GitLab's webhook: the X-Gitlab-Token header is missing (give the webhook a secret token)"
              : "not a delivery from GitLab's webhook: X-Gitlab-Token is not GITLAB_WEBHOOK_SECRET",
          delivery: deliveryId,
          route: ROUTE,
        });
      const body = jsonObject(request, 'GitLab sends JSON: check that nothing rewrites the body');
      if (!body.ok)
        return sendProblem(reply, problem(body.status, 'gitlab-delivery', body.detail).problem);
      const parsed = gitlabDelivery(request, deliveryId, body.value);
      if (!parsed.ok)
        return sendProblem(reply, problem(parsed.status, 'gitlab-delivery', parsed.detail).problem);
      return recordAndAnswer(reply, options, parsed.value, {
        vendor: 'GitLab',
        freshStatus: 202,
        lateAfterMs: ANSWER_DEADLINE_MS,
        vendorWaits: '10 s',
        started,
      });
    });
    return Promise.resolve();
  };
}

/** GitLab's id of the delivery: the event's UUID, else the retries' Idempotency-Key. */
function deliveryIdOf(request: FastifyRequest): string | undefined {
  return header(request, 'x-gitlab-event-uuid') ?? header(request, 'idempotency-key');
}

function gitlabDelivery(
  request: FastifyRequest,
  deliveryId: string | undefined,
  payload: JsonObject,
): Parsed<WebhookDelivery> {
  const event = header(request, 'x-gitlab-event');
  if (deliveryId === undefined || !/^[\w-]{1,64}$/.test(deliveryId))
    return {
      ok: false,
      status: 400,
      detail: `X-Gitlab-Event-UUID: expected the delivery's id (a UUID), found ${deliveryId === undefined ? 'none' : JSON.stringify(deliveryId.slice(0, 80))}`,
    };
  if (event === undefined || !/^[A-Za-z ]{1,64}$/.test(event))
    return {
      ok: false,
      status: 400,
      detail: `X-Gitlab-Event: expected an event name such as Note Hook, found ${event === undefined ? 'none' : JSON.stringify(event.slice(0, 80))}`,
    };
  const attributes = payload.object_attributes;
  const action =
    typeof attributes === 'object' && attributes !== null && !Array.isArray(attributes)
      ? (attributes.action ?? attributes.status)
      : undefined;
  return {
    ok: true,
    value: {
      source: 'gitlab',
      deliveryId,
      event,
      action: typeof action === 'string' ? action.slice(0, 64) : null,
      payload,
    },
  };
}
