import { z } from 'zod';
import type { App } from '../../../app/create-app.js';
import { roundsOfRun } from '../../../pr-loop/rounds-of-run.js';
import { formatUsd, parseUsd } from '../../../costs/money.js';
import { checkRunInputs } from '../../../engine/run-context.js';
import { isAppError } from '../../../errors/app-error.js';
import { RUN_STATUSES, type Run } from '../../../store/repositories/runs.js';
import type { JsonObject } from '../../../store/sql.js';
import { problem, validationProblem } from '../../problem.js';
import type { Principal } from '../authenticate.js';
import { defineRoute, type ApiRoute } from '../route.js';
import {
  idempotencyHeaders,
  idParams,
  idText,
  pageOf,
  pageQuery,
  runDetailSchema,
  runSchema,
} from '../schemas.js';
import {
  costEntryView,
  decisionView,
  eventView,
  parentRunOf,
  roundsView,
  runView,
  stepView,
} from '../views.js';
import { findProject, runOr404 } from './lookups.js';
import { authorizeToken, decisionRoute } from './run-decisions.js';
import { runFeedbackRoute } from './run-feedback.js';

const startBody = z.strictObject({
  workflow: idText.describe('the workflow to run, e.g. implement-task'),
  inputs: z.record(z.string(), z.unknown()).optional().describe('the workflow inputs'),
  channel: idText.optional().describe('the channel the run belongs to (its budgets)'),
  project: idText.optional().describe('a project, by key or id'),
  task_key: idText.optional().describe('the tracker task the run works on'),
});

const listQuery = z.strictObject({
  status: z.enum(RUN_STATUSES).optional(),
  channel: idText.optional(),
  user: idText.optional(),
  workflow: idText.optional(),
  ...pageQuery,
});

/** Starts a run for the API, with problems in the workflow or its inputs as field errors. */
export async function startApiRun(
  app: App,
  principal: Principal,
  request: z.output<typeof startBody> & { idempotencyKey?: string | undefined },
): Promise<{ run: Run; created: boolean }> {
  let workflow;
  try {
    workflow = app.engine.workflows.get(request.workflow);
  } catch (error) {
    if (!isAppError(error, 'not_found')) throw error;
    throw validationProblem([{ path: 'workflow', message: error.message, in: 'body' }]);
  }
  const inputs = (request.inputs ?? {}) as JsonObject;
  const problems = checkRunInputs(workflow, inputs);
  if (problems.length > 0)
    throw validationProblem(
      problems.map((p) => ({ path: `inputs.${p.path}`, message: p.message, in: 'body' })),
      'invalid-inputs',
      `the inputs of workflow ${workflow.name} do not fit it`,
    );
  const projectId = await projectIdOf(app, request.project);
  return app.engine.startRun({
    workflow: request.workflow,
    inputs,
    trigger: 'api',
    userId: principal.by,
    ...(request.channel === undefined ? {} : { channelId: request.channel }),
    ...(projectId === undefined ? {} : { projectId }),
    ...(request.task_key === undefined ? {} : { taskKey: request.task_key }),
    ...(request.idempotencyKey === undefined
      ? {}
      : // Scoped to the token: two clients' keys never collide.
        { idempotencyKey: `api:${principal.tokenId}:${request.idempotencyKey}` }),
  });
}

async function projectIdOf(app: App, project: string | undefined): Promise<string | undefined> {
  if (project === undefined) return undefined;
  const found = await findProject(app, project);
  if (found === null)
    throw validationProblem([
      { path: 'project', message: `there is no project ${JSON.stringify(project)}`, in: 'body' },
    ]);
  return found.id;
}

export function runRoutes(app: App): ApiRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/runs',
      role: 'operator',
      tag: 'runs',
      summary: 'Start a run of a workflow',
      description:
        'Answers 202 with the queued run. With an `Idempotency-Key` header, the same key (from the same token) returns the first run with 200 instead of starting another.',
      body: startBody,
      headers: idempotencyHeaders,
      responses: {
        202: { description: 'the run, queued', schema: runSchema },
        200: {
          description: 'the run started earlier with this Idempotency-Key',
          schema: runSchema,
        },
      },
      audit: { action: 'run.start', target: 'run' },
      async handler({ body, headers, principal, request, reply }) {
        const { run, created } = await startApiRun(app, principal, {
          ...body,
          idempotencyKey: headers['idempotency-key'],
        });
        request.auditDetail = { targetId: run.id, after: { workflow: run.workflowName } };
        reply.code(created ? 202 : 200).header('Location', `/api/v1/runs/${run.id}`);
        return runView(run);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/runs',
      role: 'viewer',
      tag: 'runs',
      summary: 'List runs, newest first',
      query: listQuery,
      responses: { 200: { description: 'a page of runs', schema: pageOf(runSchema, 'RunPage') } },
      async handler({ query }) {
        const page = await app.store.runs.list({
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.channel === undefined ? {} : { channelId: query.channel }),
          ...(query.user === undefined ? {} : { userId: query.user }),
          ...(query.workflow === undefined ? {} : { workflowName: query.workflow }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        });
        return { items: page.items.map(runView), next_cursor: page.nextCursor };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/runs/:id',
      role: 'viewer',
      tag: 'runs',
      summary: 'One run: its steps, events, cost and the decision it waits for',
      params: idParams,
      responses: { 200: { description: 'the run', schema: runDetailSchema } },
      async handler({ params }) {
        const run = await runOr404(app, params.id);
        const [steps, events, costs, rounds] = await Promise.all([
          app.store.steps.listForRun(run.id),
          app.store.events.listForRun(run.id, { limit: 5_000 }),
          app.store.costs.listForRun(run.id),
          roundsOfRun(app.store, run.id),
        ]);
        // Summed here, exactly (integer units), rather than by one more query.
        const total = formatUsd(costs.reduce((sum, entry) => sum + parseUsd(entry.usd), 0n));
        return {
          ...runView(run),
          ...roundsView(rounds, parentRunOf(run)),
          steps: steps.map(stepView),
          events: events.map(eventView),
          cost: {
            total_usd: total,
            with_rounds_usd: rounds.totalUsd,
            entries: costs.map(costEntryView),
          },
          decision: decisionView(run, steps),
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/runs/:id/cancel',
      role: 'operator',
      tag: 'runs',
      summary: 'Cancel a run (its on_failure steps keep the work done so far)',
      params: idParams,
      responses: {
        202: { description: 'the run stops at its next step boundary', schema: runSchema },
      },
      audit: { action: 'run.cancel', target: 'run' },
      async handler({ params, principal, reply }) {
        await authorizeToken(app, principal, params.id, 'cancel');
        const outcome = await app.engine.cancel(params.id, principal.by);
        switch (outcome.outcome) {
          case 'cancelling':
            reply.code(202);
            return runView(outcome.run);
          case 'finished':
            throw problem(
              409,
              'run-finished',
              `the run already ended (${outcome.status}); nothing changed`,
            );
          case 'not_found':
            throw problem(404, 'not-found', `there is no run ${JSON.stringify(params.id)}`);
        }
      },
    }),
    decisionRoute(app),
    runFeedbackRoute(app),
  ];
}
