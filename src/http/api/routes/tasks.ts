import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { App } from '../../../app/create-app.js';
import { channelSettingsSchema } from '../../../channels/channel-settings.js';
import { RegistryActionRunner } from '../../../plugins/registry-action-runner.js';
import { taskSchema, type Task } from '../../../plugins/interfaces/task-management.js';
import type { JsonObject } from '../../../store/sql.js';
import { problem, validationProblem } from '../../problem.js';
import type { Principal } from '../authenticate.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { idText, runSchema } from '../schemas.js';
import { runView } from '../views.js';
import { findProject } from './lookups.js';
import { startApiRun } from './runs.js';

const PLUGIN_CALL_TIMEOUT_MS = 30_000;
const keyParams = z.strictObject({
  key: idText.regex(/^[A-Za-z][A-Za-z0-9_]*-\d+$/, {
    error: 'expected a task key such as PROJ-456',
  }),
});
const channel = idText
  .optional()
  .describe('whose tracker to ask (a channel’s own plugin), default the global one');

const assignBody = z.strictObject({
  repository: z
    .string()
    .min(1)
    .max(1_000)
    .optional()
    .describe('default: the channel’s, else the project’s'),
  channel: idText.optional().describe('the channel the run reports to and is budgeted in'),
  project: idText
    .optional()
    .describe('a project (key or id); default: the one whose tracker project prefixes the key'),
  workflow: idText.optional().describe('default: the channel’s workflow, else implement-task'),
  approvers: z.array(idText).max(100).optional(),
});

/** Calls a task-management action for the API (outside any run), as the token's caller. */
async function taskAction(
  app: App,
  principal: Principal,
  action: 'get_task' | 'get_project_tasks',
  input: JsonObject,
  channelId: string | undefined,
): Promise<unknown> {
  const id = randomUUID();
  try {
    return await new RegistryActionRunner(app.plugins).run({
      run: { id, workflow: 'api', channelId: channelId ?? null, userId: principal.by },
      step: action,
      attempt: 1,
      idempotencyKey: `api:${id}`,
      signal: AbortSignal.timeout(PLUGIN_CALL_TIMEOUT_MS),
      log: app.logger.child({ component: 'api', action }),
      plugin: 'task_management',
      action,
      input,
    });
  } catch (error) {
    const { code, status, message } = error as { code?: string; status?: number; message?: string };
    if (code === 'not_found' || status === 404)
      throw problem(404, 'not-found', message ?? 'the tracker does not know it');
    throw problem(
      502,
      'tracker-failed',
      `the tracker did not answer: ${message ?? 'unknown error'}`,
    );
  }
}

export function taskRoutes(app: App): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/tasks',
      role: 'viewer',
      tag: 'tasks',
      summary: 'The tasks of a tracker project',
      query: z.strictObject({
        project: idText.describe('the tracker project key, e.g. PROJ'),
        status: idText.optional(),
        channel,
      }),
      responses: {
        200: { description: 'the tasks', schema: z.object({ items: z.array(taskSchema) }) },
      },
      problems: [404, 502],
      async handler({ query, principal }) {
        const result = (await taskAction(
          app,
          principal,
          'get_project_tasks',
          {
            project: query.project,
            ...(query.status === undefined ? {} : { status: query.status }),
          },
          query.channel,
        )) as { tasks: Task[] };
        return { items: result.tasks };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/tasks/:key',
      role: 'viewer',
      tag: 'tasks',
      summary: 'One task from the tracker',
      params: keyParams,
      query: z.strictObject({ channel }),
      responses: { 200: { description: 'the task', schema: taskSchema } },
      problems: [502],
      async handler({ params, query, principal }) {
        const result = (await taskAction(
          app,
          principal,
          'get_task',
          { task_id: params.key },
          query.channel,
        )) as {
          task: Task;
        };
        return result.task;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/tasks/:key/assign-to-agent',
      role: 'operator',
      tag: 'tasks',
      summary: 'Have the agent implement a task: starts implement-task (plan, approval, code, PR)',
      params: keyParams,
      body: assignBody,
      responses: { 202: { description: 'the run, queued', schema: runSchema } },
      audit: { action: 'task.assign', target: 'task' },
      async handler({ params, body, principal, request, reply }) {
        const defaults = await defaultsFor(app, params.key, body);
        const repository = body.repository ?? defaults.repository;
        const approvers = body.approvers ?? defaults.approvers;
        if (repository === undefined)
          throw validationProblem([
            {
              path: 'repository',
              message: 'expected a repository: give one, or set it for the channel or the project',
              in: 'body',
            },
          ]);
        const { run } = await startApiRun(app, principal, {
          workflow: body.workflow ?? defaults.workflow ?? 'implement-task',
          inputs: {
            task_key: params.key,
            repository,
            ...(body.channel === undefined ? {} : { channel: body.channel }),
            ...(approvers === undefined ? {} : { approvers }),
          },
          ...(body.channel === undefined ? {} : { channel: body.channel }),
          ...(defaults.projectId === undefined ? {} : { project: defaults.projectId }),
          task_key: params.key,
        });
        request.auditDetail = { after: { run_id: run.id, repository } };
        reply.code(202).header('Location', `/api/v1/runs/${run.id}`);
        return runView(run);
      },
    }),
  ];
}

/** The channel's settings, then the project's (named, or found by the key's prefix). */
async function defaultsFor(
  app: App,
  key: string,
  body: z.output<typeof assignBody>,
): Promise<{ repository?: string; workflow?: string; projectId?: string; approvers?: string[] }> {
  const stored = body.channel === undefined ? null : await app.store.channels.get(body.channel);
  const settings = channelSettingsSchema.safeParse(stored?.settings ?? {});
  const channelDefaults = settings.success ? settings.data : {};
  let project = body.project === undefined ? null : await findProject(app, body.project);
  if (body.project !== undefined && project === null)
    throw validationProblem([
      {
        path: 'project',
        message: `there is no project ${JSON.stringify(body.project)}`,
        in: 'body',
      },
    ]);
  if (project === null) {
    const prefix = key.slice(0, key.lastIndexOf('-'));
    project =
      (await app.store.projects.list('active')).find((p) => p.trackerProject === prefix) ?? null;
  }
  const repository = channelDefaults.repository ?? project?.repository ?? undefined;
  return {
    ...(repository === undefined ? {} : { repository }),
    ...(channelDefaults.workflow === undefined ? {} : { workflow: channelDefaults.workflow }),
    ...(channelDefaults.approvers === undefined ? {} : { approvers: channelDefaults.approvers }),
    ...(project === null ? {} : { projectId: project.id }),
  };
}
