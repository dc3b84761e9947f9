import { z } from 'zod';
import type { App } from '../../../app/create-app.js';
import { authorizeRun, type RunAction } from '../../../engine/run-authority.js';
import type { DecisionOutcome } from '../../../engine/run-control.js';
import type { PauseOutcome } from '../../../engine/pauses.js';
import type { Run } from '../../../store/repositories/runs.js';
import { problem, validationProblem, type HttpProblem } from '../../problem.js';
import type { Principal } from '../authenticate.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { idParams, idText, runSchema } from '../schemas.js';
import { runView } from '../views.js';
import { runOr404 } from './lookups.js';

const step = idText.optional().describe('the gate to decide, if the run has several');
const feedback = z.string().min(1).max(10_000).optional();

const amount = z
  .string()
  .regex(/^\d{1,6}(\.\d{1,4})?$/, { error: 'expected a dollar amount such as 2.50' });

/**
 * One endpoint for every decision a run can wait for, told apart by `decision`: an approval
 * gate takes approve or reject (with feedback), a budget pause takes grant (more dollars for
 * this run), raise (the budget that paused it) or stop.
 */
const decisionBody = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('approve'), step, feedback }),
  z.strictObject({
    decision: z.literal('reject'),
    step,
    feedback: feedback.describe('why, and what to change: a workflow may re-plan with it'),
  }),
  z.strictObject({
    decision: z.literal('grant'),
    amount_usd: amount.describe(
      'dollars this run may spend more: added to its own budget, or past the monthly budget that paused it',
    ),
  }),
  z.strictObject({
    decision: z.literal('raise'),
    amount_usd: amount.describe(
      'dollars added to the budget that paused the run (a monthly one: for every run; admin tokens)',
    ),
  }),
  z.strictObject({ decision: z.literal('stop') }),
]);

const decidedSchema = z.object({
  outcome: z.enum(['decided', 'resumed', 'stopped']),
  step: z.string(),
  approved: z.boolean().optional(),
  limit_usd: z.string().optional().describe('the limit of the budget a grant or raise changed'),
  allowed_usd: z
    .string()
    .optional()
    .describe('after a grant past a monthly budget: the most the run may have spent in all'),
  run: runSchema,
});

export function decisionRoute(app: App): ApiRoute {
  return defineRoute({
    method: 'POST',
    url: '/runs/:id/approval',
    role: 'operator',
    tag: 'runs',
    summary:
      'Decide what a waiting run waits for: approve or reject a plan, grant or stop at a budget',
    description:
      'Operators decide for the approvers. A run waiting for approval takes `approve` or `reject`; a run paused at a budget takes `grant` (this run may spend more), `raise` (the budget that paused it) or `stop`. Past a monthly budget, grant and raise take an admin token. A second decision answers 409 with who decided first; a decision on a run that cannot go on (it ended, a cancel was requested, or its time ran out before it began to wait) answers 409 `cannot-continue` with the reason.',
    params: idParams,
    body: decisionBody,
    responses: { 200: { description: 'the decision was taken', schema: decidedSchema } },
    audit: { action: 'run.decide', target: 'run' },
    async handler({ params, body, principal, request }) {
      const funding = body.decision === 'grant' || body.decision === 'raise';
      const run = await authorizeToken(app, principal, params.id, funding ? 'fund' : 'decide');
      request.auditDetail = { metadata: { decision: body.decision } };
      const approval = body.decision === 'approve' || body.decision === 'reject';
      if (run.status === 'waiting' && run.waitingFor === (approval ? 'budget' : 'approval'))
        throw problem(
          409,
          'wrong-decision',
          run.waitingFor === 'budget'
            ? 'the run is paused at its budget: decide it with grant, raise or stop'
            : 'the run waits for approval: decide it with approve or reject',
        );
      const result =
        body.decision === 'approve' || body.decision === 'reject'
          ? approvalResult(
              await app.engine.decide(run.id, {
                approve: body.decision === 'approve',
                by: principal.by,
                override: true,
                ...(body.step === undefined ? {} : { step: body.step }),
                ...(body.feedback === undefined ? {} : { feedback: body.feedback }),
              }),
            )
          : pauseResult(
              await app.engine.decidePause(
                run.id,
                body.decision === 'stop'
                  ? { action: 'stop', by: principal.by, override: true }
                  : {
                      action: body.decision,
                      amountUsd: body.amount_usd,
                      by: principal.by,
                      override: true,
                    },
              ),
            );
      return { ...result, run: runView(await runOr404(app, run.id)) };
    },
  });
}

type Decided = Omit<z.input<typeof decidedSchema>, 'run'>;

function approvalResult(outcome: DecisionOutcome): Decided {
  switch (outcome.outcome) {
    case 'decided':
      return { outcome: 'decided', step: outcome.step, approved: outcome.approved };
    case 'already_decided':
      throw problem(
        409,
        'already-decided',
        `${outcome.step} was already ${outcome.approved ? 'approved' : 'rejected'} by ${outcome.decidedBy} at ${outcome.decidedAt}`,
      );
    case 'cannot_continue':
      throw cannotContinue(outcome.reason);
    case 'not_waiting':
      throw notWaiting(outcome.status);
    case 'not_allowed':
      throw notAllowed(outcome);
    case 'not_found':
      throw problem(404, 'not-found', 'there is no such run');
  }
}

function pauseResult(outcome: PauseOutcome): Decided {
  switch (outcome.outcome) {
    case 'resumed':
      return {
        outcome: 'resumed',
        step: outcome.step,
        ...(outcome.limitUsd === undefined ? {} : { limit_usd: outcome.limitUsd }),
        ...(outcome.allowedUsd === undefined ? {} : { allowed_usd: outcome.allowedUsd }),
      };
    case 'stopped':
      return { outcome: 'stopped', step: outcome.step };
    case 'invalid':
      if (outcome.message.startsWith('amount'))
        throw validationProblem([{ path: 'amount_usd', message: outcome.message, in: 'body' }]);
      throw problem(409, 'monthly-budget', outcome.message);
    case 'cannot_continue':
      throw cannotContinue(outcome.reason);
    case 'not_paused':
      return notPaused();
    case 'not_allowed':
      throw notAllowed(outcome);
    case 'not_found':
      throw problem(404, 'not-found', 'there is no such run');
  }
}

function notAllowed(outcome: { approvers: readonly string[]; step: string }): HttpProblem {
  return problem(
    403,
    'forbidden',
    `only ${outcome.approvers.join(', ')} may decide at ${outcome.step}`,
  );
}

/** The run ended, is being cancelled or ran out of time: the decision was not taken, and why. */
function cannotContinue(reason: string): HttpProblem {
  return problem(409, 'cannot-continue', `${reason}; nothing changed`);
}

function notWaiting(status: string): HttpProblem {
  return problem(
    409,
    'not-waiting',
    `the run is ${status}, not waiting for a decision; nothing changed`,
  );
}

function notPaused(): never {
  throw problem(409, 'not-waiting', 'the run is not paused at a budget; nothing changed');
}

/**
 * The one rule of who acts on a run (`authorizeRun`) for an API token: operator and admin
 * tokens act; a refusal is a 404 or 403 problem.
 */
export async function authorizeToken(
  app: App,
  principal: Principal,
  runId: string,
  action: RunAction,
): Promise<Run> {
  const authority = await authorizeRun(app.store, {
    actor: { kind: 'token', role: principal.role, by: principal.by },
    runId,
    action,
  });
  if (authority.ok) return authority.run;
  throw authority.reason === 'not_found'
    ? problem(404, 'not-found', `there is no run ${JSON.stringify(runId)}`)
    : problem(403, 'forbidden', authority.message);
}
