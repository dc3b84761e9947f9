import { z } from 'zod';
import type { App } from '../../../app/create-app.js';
import { commentOnRun, describeCommentOutcome } from '../../../pr-loop/run-feedback.js';
import { problem } from '../../problem.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { idempotencyHeaders } from '../schemas.js';
import { authorizeToken } from './run-decisions.js';

const idParams = z.object({ id: z.string().describe('the run id') });

const feedbackBody = z.strictObject({
  body: z
    .string()
    .trim()
    .min(1, { error: 'expected what to change, found an empty comment' })
    .max(20_000),
  path: z.string().min(1).max(1_000).optional().describe('the file the comment is about'),
  line: z.number().int().positive().optional().describe('the line of that file'),
});

const feedbackAnswer = z
  .object({
    outcome: z
      .enum(['queued', 'already_queued'])
      .describe('queued for a round (started now, or the next one)'),
    message: z.string().describe('what happened, in a sentence'),
    pull_request: z.string().describe('the pull request the comment is for'),
    round: z
      .object({ number: z.number().int(), state: z.enum(['started', 'queued', 'capped']) })
      .nullable()
      .describe(
        'started: this comment started round N; queued: round N runs, the next takes it up; capped: the rounds are used up and a person was asked',
      ),
    comment_id: z
      .number()
      .int()
      .nullable()
      .describe('on a local pull request (local_git): the review comment added to it'),
  })
  .meta({ id: 'RunFeedback' });

/**
 * `POST /runs/{id}/feedback`: a comment on the pull request a run opened, as a reviewer's;
 * the next round of fixes takes it up. Authorized as a decision on the run is.
 */
export function runFeedbackRoute(app: App): ApiRoute {
  return defineRoute({
    method: 'POST',
    url: '/runs/:id/feedback',
    role: 'operator',
    tag: 'runs',
    summary: 'Ask for changes on the pull request a run opened (starts a round of fixes)',
    description:
      'Queues the comment as feedback on the pull request the run (or the round) works on. A round of fixes starts at once when none runs; otherwise the next round takes it up; after `pull_requests.max_fix_rounds` rounds a person is asked instead. On a local pull request (local_git) the comment is also added to it, and the round answers in its thread. With an `Idempotency-Key` header, a retry is the same comment.',
    params: idParams,
    body: feedbackBody,
    headers: idempotencyHeaders,
    responses: { 202: { description: 'the comment was queued', schema: feedbackAnswer } },
    audit: { action: 'run.feedback', target: 'run' },
    async handler({ params, body, headers, principal, reply }) {
      await authorizeToken(app, principal, params.id, 'decide');
      const key = headers['idempotency-key'];
      const outcome = await commentOnRun(app.store, app.pullRequests, {
        runId: params.id,
        comments: [
          {
            body: body.body,
            ...(body.path === undefined ? {} : { path: body.path }),
            ...(body.line === undefined ? {} : { line: body.line }),
          },
        ],
        author: principal.by,
        origin: 'api',
        ...(key === undefined ? {} : { requestId: `${principal.tokenId}:${key}` }),
      });
      const message = describeCommentOutcome(outcome);
      switch (outcome.outcome) {
        case 'no_run':
          throw problem(404, 'not-found', `there is no run ${JSON.stringify(params.id)}`);
        case 'no_pull_request':
        case 'ended':
        case 'not_allowed':
        case 'outdated':
          throw problem(409, 'no-open-pull-request', message);
        case 'queued':
        case 'already_queued': {
          const next = outcome.next;
          reply.code(202);
          return {
            outcome: outcome.outcome,
            message,
            pull_request: outcome.pull.url,
            round:
              next.kind === 'start'
                ? { number: next.round.number, state: 'started' as const }
                : next.kind === 'busy'
                  ? { number: next.round.number, state: 'queued' as const }
                  : next.kind === 'capped'
                    ? { number: next.rounds, state: 'capped' as const }
                    : null,
            comment_id: outcome.commentIds[0] ?? null,
          };
        }
      }
    },
  });
}
