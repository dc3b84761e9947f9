import { StepError } from '../../engine/step-errors.js';
import type { Task } from '../../plugins/interfaces/task-management.js';
import {
  definePlugin,
  type ActionContext,
  type Plugin,
  type PluginContext,
} from '../../plugins/plugin.js';
import type { JiraApi, JiraTransition } from './api.js';
import { jiraApiFactory } from './client.js';
import { jiraConfigSchema, type JiraConfig } from './config.js';
import {
  findComment,
  findCreatedIssue,
  marker,
  statusChanges,
  TRANSITIONS_PROPERTY,
  withChange,
} from './idempotency.js';
import { projectTasksJql } from './jql.js';
import { taskFields, toTask } from './task-shape.js';

/** get_project_tasks reads at most this many tasks (ten pages), and says so when it stops. */
const MAX_TASKS = 1000;

interface CreateInput {
  project: string;
  title: string;
  description?: string | undefined;
  issue_type?: string | undefined;
  epic?: string | undefined;
  labels?: string[] | undefined;
}

/** Jira Cloud or Jira Server / Data Center as aidev's task tracker. */
export const jira = definePlugin({
  type: 'task_management',
  name: 'jira',
  description:
    'Jira Cloud (REST v3, email and API token) or Jira Server / Data Center (REST v2, personal access token)',
  configSchema: jiraConfigSchema,
  secretFields: ['api_token', 'pat'],
  create(config: JiraConfig, context: PluginContext): Plugin<'task_management'> {
    const apiFor = jiraApiFactory(config, { guards: context.guards, logger: context.logger });
    const fields = taskFields(config);
    const site = `${config.deployment === 'cloud' ? 'Jira Cloud' : 'Jira Server / Data Center'} at ${config.url}`;

    /** The fields of a new issue; the epic link differs between the deployments. */
    function issueFields(api: JiraApi, input: CreateInput, kind: 'task' | 'epic') {
      const result: Record<string, unknown> = {
        project: { key: input.project },
        summary: input.title,
        issuetype: {
          name:
            kind === 'epic' ? config.epic_issue_type : (input.issue_type ?? config.task_issue_type),
        },
      };
      if (input.description !== undefined && input.description !== '')
        result.description = api.richText(input.description);
      if (input.labels !== undefined && input.labels.length > 0) result.labels = input.labels;
      if (kind === 'epic' && api.deployment === 'server' && config.custom_fields.epic_name)
        result[config.custom_fields.epic_name] = input.title;
      if (input.epic !== undefined) {
        if (api.deployment === 'cloud') result.parent = { key: input.epic };
        else if (config.custom_fields.epic !== undefined)
          result[config.custom_fields.epic] = input.epic;
        else
          throw new StepError(
            `cannot link the new task to epic ${input.epic}: on Jira Server / Data Center set custom_fields.epic to the id of the "Epic Link" field`,
            { code: 'invalid_input' },
          );
      }
      return result;
    }

    async function create(input: CreateInput, ctx: ActionContext, kind: 'task' | 'epic') {
      const api = apiFor(ctx.signal);
      const newFields = issueFields(api, input, kind);
      const earlier = await findCreatedIssue(api, input.project, ctx.idempotencyKey, ctx.log);
      if (earlier !== undefined) return earlier;
      const created = await api.createIssue(input.project, newFields, [marker(ctx.idempotencyKey)]);
      return created.key;
    }

    const browse = (key: string) => `${config.url}/browse/${key}`;

    return {
      type: 'task_management',
      name: 'jira',
      async connect() {
        await apiFor().myself();
      },
      disconnect: () => Promise.resolve(),
      // aidev's own account: an issue assigned to it asks for work, and its comments never do.
      async identity() {
        const me = await apiFor().myself();
        return { login: me.id, mentions: [] };
      },
      async health() {
        try {
          const me = await apiFor().myself();
          return { ok: true, detail: `${site}, signed in as ${me.displayName}` };
        } catch (error) {
          return { ok: false, detail: `${site}: ${(error as Error).message}` };
        }
      },
      actions: {
        get_task: async (input, ctx) => ({
          task: toTask(await apiFor(ctx.signal).getIssue(input.task_id, fields, []), config),
        }),
        create_task: async (input, ctx) => {
          const key = await create(input, ctx, 'task');
          return { task_id: key, url: browse(key) };
        },
        create_epic: async (input, ctx) => {
          const key = await create(input, ctx, 'epic');
          return { epic_id: key, url: browse(key) };
        },
        update_task_status: async (input, ctx) => {
          const api = apiFor(ctx.signal);
          const issue = await api.getIssue(input.task_id, ['status'], [TRANSITIONS_PROPERTY]);
          const key = issue.key;
          const current = toTask(issue, config).status;
          const changes = statusChanges(issue.properties[TRANSITIONS_PROPERTY]);
          const commentKey = `${ctx.idempotencyKey}:comment`;
          const earlier = changes.find((c) => c.key === ctx.idempotencyKey);
          if (earlier !== undefined) {
            // An earlier attempt recorded this change before making it. Still where it was:
            // that attempt stopped before the transition. Anywhere else: it made it.
            if (same(current, earlier.from) && !same(earlier.from, earlier.to))
              await api.transition(
                key,
                choose(await api.transitions(key), earlier.to, key, current).id,
              );
            if (input.comment !== undefined) {
              const done = await findComment(api, key, commentKey);
              if (done === undefined)
                await api.addComment(key, input.comment, [marker(commentKey)]);
            }
            return { task_id: key, status: earlier.to, previous_status: earlier.from };
          }
          let transition: JiraTransition | undefined;
          if (!same(current, input.status))
            transition = choose(await api.transitions(key), input.status, key, current);
          const target = transition?.to ?? current;
          // Written ahead, so that a retry knows where the issue was even if we stop right after.
          await api.setIssueProperty(
            key,
            TRANSITIONS_PROPERTY,
            withChange(changes, { key: ctx.idempotencyKey, from: current, to: target }),
          );
          if (transition !== undefined) await api.transition(key, transition.id);
          // Its own request, not part of the transition's: it carries the marker a retry finds.
          if (input.comment !== undefined)
            await api.addComment(key, input.comment, [marker(commentKey)]);
          return { task_id: key, status: target, previous_status: current };
        },
        add_comment: async (input, ctx) => {
          const api = apiFor(ctx.signal);
          const earlier = await findComment(api, input.task_id, ctx.idempotencyKey);
          if (earlier !== undefined) return { comment_id: earlier };
          const comment = await api.addComment(input.task_id, input.comment, [
            marker(ctx.idempotencyKey),
          ]);
          return { comment_id: comment.id };
        },
        get_project_tasks: async (input, ctx) => {
          const api = apiFor(ctx.signal);
          const jql = projectTasksJql(input);
          const tasks: Task[] = [];
          let cursor: string | undefined;
          do {
            const page = await api.search(jql, fields, [], cursor);
            tasks.push(...page.issues.map((issue) => toTask(issue, config)));
            cursor = page.next;
          } while (cursor !== undefined && tasks.length < MAX_TASKS);
          if (cursor !== undefined || tasks.length > MAX_TASKS)
            ctx.log.warn(
              { project: input.project, limit: MAX_TASKS },
              `jira: ${input.project} has more than ${MAX_TASKS} matching tasks; returning the first ${MAX_TASKS} (narrow it with status or filter)`,
            );
          return { tasks: tasks.slice(0, MAX_TASKS) };
        },
      },
    };
  },
});

function same(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The transition to a status, by the status's name or else the transition's own name. */
function choose(
  transitions: readonly JiraTransition[],
  status: string,
  key: string,
  current: string,
): JiraTransition {
  const found =
    transitions.find((t) => same(t.to, status)) ?? transitions.find((t) => same(t.name, status));
  if (found !== undefined) return found;
  const available = [...new Set(transitions.map((t) => t.to))];
  throw new StepError(
    `cannot move ${key} from "${current}" to "${status}" in Jira; available: ${available.join(', ') || '(none)'}`,
    { code: 'no_transition' },
  );
}
