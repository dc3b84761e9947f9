import { Webhooks } from '@octokit/webhooks';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { problem, sendProblem } from '../http/problem.js';
import type { Logger } from '../log/create-logger.js';
import type { JsonObject } from '../store/sql.js';
import type { Store } from '../store/store.js';

/** GitHub sends payloads of up to 25 MB. */
const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;
/** GitHub gives a webhook 10 s to answer; a slower answer is logged with what to look at. */
const ANSWER_DEADLINE_MS = 5_000;

export interface GitHubWebhookOptions {
  readonly store: Store;
  /** GITHUB_WEBHOOK_SECRET; without it every delivery is refused with 503 and what to set. */
  readonly secret: string | undefined;
  readonly log: Logger;
  /**
   * Hands a newly recorded delivery over to be acted on (a job). If it fails the delivery is
   * still recorded, and the workers' sweep acts on it a minute later.
   */
  readonly onRecorded?: (deliveryId: string) => Promise<unknown>;
}

const header = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * `POST /github/webhooks`: deliveries from a repository's or a GitHub App's webhook. The
 * signature (X-Hub-Signature-256, HMAC-SHA256 of the raw body with GITHUB_WEBHOOK_SECRET) is
 * checked first: a delivery that fails gets 401 and is not recorded. A valid delivery is
 * recorded under its X-GitHub-Delivery id before it is answered, so it is acted on once
 * whether GitHub (or a person pressing "Redeliver") sends it again.
 */
export function githubWebhookRoutes(options: GitHubWebhookOptions): FastifyPluginAsync {
  const webhooks =
    options.secret === undefined ? undefined : new Webhooks({ secret: options.secret });
  return (scope) => {
    // The signature covers the raw body: keep it as text in this scope only.
    scope.addContentTypeParser(
      ['application/json', 'application/x-www-form-urlencoded'],
      { parseAs: 'string', bodyLimit: MAX_PAYLOAD_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.post('/github/webhooks', async (request, reply) => {
      const started = performance.now();
      if (webhooks === undefined)
        return sendProblem(
          reply,
          problem(
            503,
            'github-webhooks-not-set-up',
            'GitHub webhooks are not set up here: set GITHUB_WEBHOOK_SECRET to the secret of the webhook and restart aidev serve',
          ).problem,
        );
      const raw = typeof request.body === 'string' ? request.body : '';
      const signature = header(request, 'x-hub-signature-256');
      if (signature === undefined || !(await webhooks.verify(raw, signature).catch(() => false))) {
        options.log.warn(
          {
            delivery: header(request, 'x-github-delivery')?.slice(0, 64),
            signed: signature !== undefined,
          },
          'refused a request to /github/webhooks: not signed with GITHUB_WEBHOOK_SECRET',
        );
        return sendProblem(
          reply,
          problem(
            401,
            'github-signature',
            signature === undefined
              ? 'not a delivery signed by GitHub: the X-Hub-Signature-256 header is missing (give the webhook a secret)'
              : 'not a delivery signed by GitHub: X-Hub-Signature-256 does not match the body signed with GITHUB_WEBHOOK_SECRET',
          ).problem,
        );
      }
      const parsed = parseDelivery(request, raw);
      if (!parsed.ok)
        return sendProblem(reply, problem(parsed.status, 'github-delivery', parsed.detail).problem);
      const fresh = await options.store.webhookDeliveries.record(parsed.delivery);
      if (fresh && options.onRecorded !== undefined)
        await options
          .onRecorded(parsed.delivery.deliveryId)
          .catch((error: unknown) =>
            options.log.warn(
              { err: error, delivery: parsed.delivery.deliveryId },
              'recorded a GitHub delivery but could not queue it; the sweep will act on it',
            ),
          );
      const ms = performance.now() - started;
      const log = {
        delivery: parsed.delivery.deliveryId,
        event: parsed.delivery.event,
        action: parsed.delivery.action,
        ms: Math.round(ms),
      };
      if (ms > ANSWER_DEADLINE_MS)
        options.log.warn(
          log,
          'answered a GitHub delivery late (GitHub waits 10 s): is the database slow?',
        );
      else options.log.debug(log, fresh ? 'recorded a GitHub delivery' : 'a GitHub delivery again');
      return reply.code(fresh ? 202 : 200).send({
        status: fresh ? 'recorded' : 'already recorded',
        delivery: parsed.delivery.deliveryId,
      });
    });
    return Promise.resolve();
  };
}

type Parsed =
  | {
      ok: true;
      delivery: {
        source: 'github';
        deliveryId: string;
        event: string;
        action: string | null;
        payload: JsonObject;
      };
    }
  | { ok: false; status: 400 | 415; detail: string };

/** The delivery's id, event and payload, or what is wrong with them. */
function parseDelivery(request: FastifyRequest, raw: string): Parsed {
  const deliveryId = header(request, 'x-github-delivery');
  const event = header(request, 'x-github-event');
  if (deliveryId === undefined || !/^[\w-]{1,64}$/.test(deliveryId))
    return {
      ok: false,
      status: 400,
      detail: `X-GitHub-Delivery: expected the delivery's id (a GUID), found ${deliveryId === undefined ? 'none' : JSON.stringify(deliveryId.slice(0, 80))}`,
    };
  if (event === undefined || !/^[a-z_]{1,64}$/.test(event))
    return {
      ok: false,
      status: 400,
      detail: `X-GitHub-Event: expected an event name such as pull_request_review, found ${event === undefined ? 'none' : JSON.stringify(event.slice(0, 80))}`,
    };
  if (header(request, 'content-type')?.includes('application/json') !== true)
    return {
      ok: false,
      status: 415,
      detail:
        "the webhook's content type must be application/json (set it in the webhook's settings on GitHub)",
    };
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    return { ok: false, status: 400, detail: 'the body is not JSON' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return { ok: false, status: 400, detail: 'the body is not a JSON object' };
  const action = (payload as { action?: unknown }).action;
  return {
    ok: true,
    delivery: {
      source: 'github',
      deliveryId,
      event,
      action: typeof action === 'string' ? action.slice(0, 64) : null,
      payload: payload as JsonObject,
    },
  };
}
