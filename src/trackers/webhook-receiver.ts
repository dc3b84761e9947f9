import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from '../http/problem.js';
import type { Logger } from '../log/create-logger.js';
import type { WebhookDelivery } from '../store/repositories/webhook-deliveries.js';
import type { JsonObject } from '../store/sql.js';
import type { Store } from '../store/store.js';

/**
 * What the trackers' webhook routes (Jira, Linear) share with each other and with GitHub's
 * (src/github/webhooks-http.ts): the raw body kept for the signature, constant-time checks,
 * and the delivery recorded before it is answered.
 */

export interface TrackerWebhookOptions {
  readonly store: Store;
  /** The webhook's secret; without it every delivery is refused with 503 and what to set. */
  readonly secret: string | undefined;
  readonly log: Logger;
  /**
   * Hands a newly recorded delivery over to be acted on (a job). If it fails the delivery is
   * still recorded, and can be acted on later from `webhookDeliveries.unhandled`.
   */
  readonly onRecorded?: (deliveryId: string) => Promise<unknown>;
  /** The clock the deliveries' timestamps are checked against, in ms (tests move it). */
  readonly now?: () => number;
}

/** Neither tracker documents a limit; GitHub's 25 MB is generous for an issue and a comment. */
export const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Keeps the body as bytes in this scope only: the signature covers them exactly as sent (a
 * body decoded and encoded again could differ). Form bodies are kept too, to be refused with
 * 415 and what to change rather than Fastify's generic answer.
 */
export function keepRawBody(scope: FastifyInstance): void {
  scope.addContentTypeParser(
    ['application/json', 'application/x-www-form-urlencoded'],
    { parseAs: 'buffer', bodyLimit: MAX_PAYLOAD_BYTES },
    (_request, body, done) => done(null, body),
  );
}

export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/** Whether `hex` is the HMAC-SHA256 of `body` with `secret`, compared in constant time. */
export function signedWith(secret: string, body: Buffer, hex: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/**
 * Whether `given` is `expected`, in time that depends on neither: their SHA-256 digests are
 * compared, so not even the secret's length shows.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; status: 400 | 415; detail: string };

/** The body as a JSON object, or what is wrong with it (the content type said by `fix`). */
export function jsonObject(request: FastifyRequest, fix: string): Parsed<JsonObject> {
  if (header(request, 'content-type')?.includes('application/json') !== true)
    return {
      ok: false,
      status: 415,
      detail: `the webhook's content type must be application/json (${fix})`,
    };
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody(request).toString('utf8'));
  } catch {
    return { ok: false, status: 400, detail: 'the body is not JSON' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return { ok: false, status: 400, detail: 'the body is not a JSON object' };
  return { ok: true, value: payload as JsonObject };
}

/**
 * How far `timestamp` (ms since the epoch) is from now, in whole seconds, when it is further
 * than `toleranceMs`: a delivery that old (or that far ahead) is a replay of a body signed
 * long ago, or a clock that is wrong. Undefined when it is within the tolerance.
 */
export function staleBySeconds(
  timestamp: number,
  now: number,
  toleranceMs: number,
): number | undefined {
  const off = now - timestamp;
  return Math.abs(off) > toleranceMs ? Math.round(off / 1000) : undefined;
}

/** Says how a stale delivery is off, for the 401's detail. */
export function describeStale(field: string, seconds: number, toleranceMs: number): string {
  const when = seconds > 0 ? `${seconds} s ago` : `${-seconds} s ahead`;
  return `a stale delivery: its ${field} is ${when}, more than ${toleranceMs / 1000} s from this server's clock (a replayed delivery, or a clock to set right with NTP)`;
}

export interface Answering {
  readonly vendor: 'Jira' | 'Linear' | 'GitLab';
  /** The status of a delivery recorded now; a redelivery always gets 200. */
  readonly freshStatus: 200 | 202;
  /** Slower answers than this are logged with what to look at. */
  readonly lateAfterMs: number;
  /** How long the vendor waits, for that log line. */
  readonly vendorWaits: string;
  /** The vendor's own id of the delivery when it is not the one recorded, for the log. */
  readonly vendorDelivery?: string | undefined;
}

/**
 * Records the delivery, hands a new one over, and answers: before the answer, so that a
 * delivery answered is a delivery kept, and once, however often the vendor sends it again.
 */
export async function recordAndAnswer(
  reply: FastifyReply,
  options: TrackerWebhookOptions,
  delivery: WebhookDelivery,
  answering: Answering & { readonly started: number },
) {
  const fresh = await options.store.webhookDeliveries.record(delivery);
  if (fresh && options.onRecorded !== undefined)
    await options
      .onRecorded(delivery.deliveryId)
      .catch((error: unknown) =>
        options.log.warn(
          { err: error, delivery: delivery.deliveryId },
          `recorded a ${answering.vendor} delivery but could not queue it; it stays unhandled until acted on`,
        ),
      );
  const ms = performance.now() - answering.started;
  const log = {
    delivery: delivery.deliveryId,
    ...(answering.vendorDelivery === undefined ? {} : { vendorDelivery: answering.vendorDelivery }),
    event: delivery.event,
    action: delivery.action,
    ms: Math.round(ms),
  };
  if (ms > answering.lateAfterMs)
    options.log.warn(
      log,
      `answered a ${answering.vendor} delivery late (${answering.vendor} waits ${answering.vendorWaits}): is the database slow?`,
    );
  else
    options.log.debug(
      log,
      fresh ? `recorded a ${answering.vendor} delivery` : `a ${answering.vendor} delivery again`,
    );
  return reply.code(fresh ? answering.freshStatus : 200).send({
    status: fresh ? 'recorded' : 'already recorded',
    delivery: delivery.deliveryId,
  });
}

/** The 503 of a route whose secret is not set, saying which variable to set. */
export function notSetUp(reply: FastifyReply, type: string, detail: string) {
  return sendProblem(reply, problem(503, type, detail).problem);
}

/** A refusal: 401 (not recorded), logged with the delivery id cut short, never a credential. */
export function refuse(
  reply: FastifyReply,
  log: Logger,
  refusal: { type: string; detail: string; delivery: string | undefined; route: string },
) {
  log.warn(
    { delivery: refusal.delivery?.slice(0, 64), reason: refusal.detail },
    `refused a request to ${refusal.route}`,
  );
  return sendProblem(reply, problem(401, refusal.type, refusal.detail).problem);
}
