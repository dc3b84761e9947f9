import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { problem, sendProblem } from '../http/problem.js';
import { JIRA_TIMESTAMP_TOLERANCE_MS, jiraDelivery } from './jira-delivery.js';
import {
  describeStale,
  header,
  jsonObject,
  keepRawBody,
  notSetUp,
  rawBody,
  recordAndAnswer,
  refuse,
  sameSecret,
  signedWith,
  staleBySeconds,
  type TrackerWebhookOptions,
} from './webhook-receiver.js';

const ROUTE = '/jira/webhooks';

/**
 * `POST /jira/webhooks`: Jira's webhooks (Jira admin → System → WebHooks). A delivery proves
 * it comes from Jira in one of two ways, both with JIRA_WEBHOOK_SECRET:
 * 1. a signature, when the webhook has a secret (Jira Cloud, and Data Center 10): the header
 *    `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, as Atlassian documents;
 * 2. without that header, the secret as `?token=` in the webhook's URL (older Data Center and
 *    Server, whose webhooks cannot sign), compared in constant time.
 * A signature that is there but wrong is refused, whatever the URL says. A delivery that fails
 * either way, or whose `timestamp` is stale, gets 401 and is not recorded. A valid one is
 * recorded before it is answered (202; 200 when it is already recorded: a retry, or the same
 * signed body again under another X-Atlassian-Webhook-Identifier), so it is acted on once.
 */
export function jiraWebhookRoutes(options: TrackerWebhookOptions): FastifyPluginAsync {
  const now = options.now ?? Date.now;
  return (scope) => {
    keepRawBody(scope);
    // The token is read from the parsed query (parsed before this hook runs), then cut from the
    // URL, so that nothing that logs the URL later (Fastify's own warnings) can show it.
    scope.addHook('onRequest', (request, _reply, done) => {
      if (request.raw.url !== undefined) request.raw.url = withoutToken(request.raw.url);
      done();
    });
    scope.post(ROUTE, async (request, reply) => {
      const started = performance.now();
      const secret = options.secret;
      if (secret === undefined)
        return notSetUp(
          reply,
          'jira-webhooks-not-set-up',
          'Jira webhooks are not set up here: set JIRA_WEBHOOK_SECRET to the secret of the Jira webhook (or the token in its URL) and restart aidev serve',
        );
      const identifier = header(request, 'x-atlassian-webhook-identifier');
      const refusal = authenticate(request, secret);
      if (refusal !== undefined)
        return refuse(reply, options.log, {
          ...refusal,
          delivery: identifier,
          route: ROUTE,
        });
      const body = jsonObject(
        request,
        "Jira sends JSON: check that nothing between Jira and aidev rewrites the webhook's body",
      );
      if (!body.ok)
        return sendProblem(reply, problem(body.status, 'jira-delivery', body.detail).problem);
      const parsed = jiraDelivery(body.value, identifier);
      if (!parsed.ok)
        return sendProblem(reply, problem(parsed.status, 'jira-delivery', parsed.detail).problem);
      const stale = staleBySeconds(parsed.value.timestamp, now(), JIRA_TIMESTAMP_TOLERANCE_MS);
      if (stale !== undefined)
        return refuse(reply, options.log, {
          type: 'jira-stale-delivery',
          detail: describeStale('timestamp', stale, JIRA_TIMESTAMP_TOLERANCE_MS),
          delivery: parsed.value.delivery.deliveryId,
          route: ROUTE,
        });
      return recordAndAnswer(reply, options, parsed.value.delivery, {
        vendor: 'Jira',
        freshStatus: 202,
        lateAfterMs: 5_000,
        vendorWaits: '20 s, then retries',
        vendorDelivery: identifier,
        started,
      });
    });
    return Promise.resolve();
  };
}

/** Why the request is not from Jira, or undefined if it is (signed, or with the token). */
function authenticate(
  request: FastifyRequest,
  secret: string,
): { type: string; detail: string } | undefined {
  const signature = header(request, 'x-hub-signature');
  if (signature !== undefined) {
    const refused = (detail: string) => ({ type: 'jira-signature', detail });
    // WebSub's form, method=signature; Jira signs with HMAC-SHA256 only.
    const hex = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim())?.[1];
    if (hex === undefined)
      return refused(
        'not a delivery signed by Jira: X-Hub-Signature is not sha256=<64 hex digits>',
      );
    return signedWith(secret, rawBody(request), hex)
      ? undefined
      : refused(
          'not a delivery signed by Jira: X-Hub-Signature does not match the body signed with JIRA_WEBHOOK_SECRET',
        );
  }
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  if (token === undefined)
    return {
      type: 'jira-signature',
      detail:
        'not a delivery from Jira: neither signed (X-Hub-Signature: give the webhook a secret) nor with ?token= in its URL (Jira Data Center / Server)',
    };
  return typeof token === 'string' && sameSecret(token, secret)
    ? undefined
    : {
        type: 'jira-token',
        detail: "not a delivery from Jira: the URL's token is not JIRA_WEBHOOK_SECRET",
      };
}

/** The URL without its `token` parameter(s); the rest of the query as it was. */
export function withoutToken(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((part) => part !== '' && decodeName(part.split('=')[0] ?? '') !== 'token');
  return kept.length === 0 ? url.slice(0, q) : `${url.slice(0, q)}?${kept.join('&')}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}
