import type { App as Bolt } from '@slack/bolt';
import type { FastifyPluginAsync } from 'fastify';
import { problem, sendProblem } from '../http/problem.js';
import type { Logger } from '../log/create-logger.js';
import { foreignOrigin, type ExpectedOrigin } from './request-origin.js';
import { verifySlackSignature } from './verify-signature.js';

/** Slack gives an app 3 s to answer; a late answer is logged with what to look at. */
const ACK_DEADLINE_MS = 2_500;

export interface SlackHttpOptions {
  readonly bolt: () => Bolt;
  /** Undefined once the app is connected to Slack; else why not (the request is answered 503). */
  readonly connected?: () => Promise<string | undefined>;
  readonly signingSecret: string;
  /** The workspace and app served: requests for others are refused with 403. */
  readonly origin?: ExpectedOrigin;
  readonly log: Logger;
  /** Seconds from receipt to the answer, and what was answered, for the ack histogram. */
  readonly observeAck?: (seconds: number, kind: string) => void;
  readonly now?: () => number;
}

/**
 * A request body as Bolt expects it: form fields, an interactivity payload, or an event. Throws
 * when it is none of these (`payload=null`, an array, a number): only an object is a request.
 */
function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  const form =
    contentType?.includes('application/json') === true
      ? undefined
      : Object.fromEntries(new URLSearchParams(raw));
  const parsed: unknown =
    form === undefined
      ? JSON.parse(raw)
      : typeof form.payload === 'string'
        ? JSON.parse(form.payload)
        : form;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('not an object');
  return parsed as Record<string, unknown>;
}

/**
 * `POST /slack/events` on aidev's one HTTP server: commands, interactivity and events on one
 * URL. The signature is checked first (v0 HMAC, timestamp within 5 minutes either way), and a
 * request that fails gets 401 and starts nothing. Each request is handed to Bolt with an `ack`
 * that answers the HTTP request the moment a listener calls it.
 */
export function slackHttpRoutes(options: SlackHttpOptions): FastifyPluginAsync {
  return (scope) => {
    // The signature covers the raw body: keep it as text in this scope only.
    scope.addContentTypeParser(
      ['application/x-www-form-urlencoded', 'application/json'],
      { parseAs: 'string' },
      (_request, body, done) => done(null, body),
    );
    scope.post('/slack/events', async (request, reply) => {
      const started = performance.now();
      const raw = typeof request.body === 'string' ? request.body : '';
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const check = verifySlackSignature({
        signingSecret: options.signingSecret,
        rawBody: raw,
        signature: header('x-slack-signature'),
        timestamp: header('x-slack-request-timestamp'),
        ...(options.now === undefined ? {} : { nowMs: options.now() }),
      });
      if (!check.ok) {
        options.log.warn({ reason: check.reason }, 'refused a request to /slack/events');
        return sendProblem(
          reply,
          problem(401, 'slack-signature', `not a request signed by Slack: ${check.reason}`).problem,
        );
      }
      let body: Record<string, unknown>;
      try {
        body = parseBody(raw, request.headers['content-type']);
      } catch {
        return sendProblem(
          reply,
          problem(400, 'slack-body', 'the body is not a form or JSON Slack would send').problem,
        );
      }
      if (body.type === 'url_verification') return { challenge: body.challenge };
      const foreign =
        options.origin === undefined ? undefined : foreignOrigin(body, options.origin);
      if (foreign !== undefined) {
        options.log.warn({ reason: foreign }, 'refused a Slack request for another installation');
        return sendProblem(reply, problem(403, 'slack-origin', foreign).problem);
      }
      const notConnected = await options.connected?.();
      if (notConnected !== undefined) {
        options.log.warn(
          { type: body.type },
          `a Slack request came before aidev could connect to Slack: ${notConnected}`,
        );
        return sendProblem(
          reply,
          problem(
            503,
            'slack-not-connected',
            'aidev is not connected to Slack yet; it keeps trying (Slack retries events)',
          ).problem,
        );
      }
      const retry = Number(header('x-slack-retry-num'));
      const retryReason = header('x-slack-retry-reason');
      return new Promise<unknown>((resolve) => {
        let answered = false;
        const answer = (status: number, payload: unknown) => {
          if (answered) return;
          answered = true;
          clearTimeout(watchdog);
          options.observeAck?.(
            (performance.now() - started) / 1000,
            typeof body.type === 'string' ? body.type : 'command',
          );
          resolve(reply.code(status).send(payload ?? ''));
        };
        const watchdog = setTimeout(() => {
          options.log.warn(
            { type: body.type },
            'a Slack request is not acknowledged after 2.5 s: Slack will show an error (a listener must call ack() before slow work)',
          );
        }, ACK_DEADLINE_MS);
        options
          .bolt()
          .processEvent({
            body,
            ack: (response?: unknown) => {
              answer(200, response);
              return Promise.resolve();
            },
            ...(Number.isInteger(retry) ? { retryNum: retry } : {}),
            ...(retryReason === undefined ? {} : { retryReason }),
          })
          .then(
            () => answer(200, ''),
            (error: unknown) => {
              options.log.error({ err: error, type: body.type }, 'a Slack request failed');
              answer(500, '');
            },
          );
      });
    });
    return Promise.resolve();
  };
}
