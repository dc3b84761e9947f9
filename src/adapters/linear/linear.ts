import { StepError } from '../../engine/step-errors.js';
import type { Task } from '../../plugins/interfaces/task-management.js';
import { definePlugin, type Plugin, type PluginContext } from '../../plugins/plugin.js';
import { siteName } from '../../resilience/guards.js';
import { linearApi, type LinearApi } from './api.js';
import { linearConfigSchema, type LinearConfig } from './config.js';
import type { TeamNode } from './documents.js';
import { guardedCall } from './errors.js';
import { idFor, STATUS_RECORD_URL, statusChanges, withChange } from './idempotency.js';
import { toTask } from './task-shape.js';

/** get_project_tasks reads at most this many tasks (ten pages), and says so when it stops. */
const MAX_TASKS = 1000;
/** How long a team's workflow states and labels are reused before being asked for again. */
const TEAM_CACHE_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Linear as aidev's task tracker, through the official SDK. A task's `project` is its team's
 * key (ENG for ENG-123). Linear has no epics: `create_epic` creates a Linear project in the
 * team, and `create_task` with an `epic` (that project's id, or its name) puts the new issue in
 * that project; a task's `epic` is its project's id.
 */
export const linear = definePlugin({
  type: 'task_management',
  name: 'linear',
  description: 'Linear (GraphQL API, personal API key or OAuth token)',
  configSchema: linearConfigSchema,
  secretFields: ['api_key', 'access_token'],
  create(config: LinearConfig, context: PluginContext): Plugin<'task_management'> {
    // The guard of this workspace's API: another channel's Linear has its own (#16).
    const guard = context.guards.for('linear', config.api_url);
    const apiFor = (signal?: AbortSignal): LinearApi =>
      linearApi(config, guardedCall(guard, signal), signal);
    const site = `Linear at ${siteName(config.api_url)}`;
    const teams = new Map<string, { team: TeamNode; at: number }>();

    /** The team a project key names (else the configured team), its states and labels cached. */
    async function teamFor(api: LinearApi, project: string, fresh = false): Promise<TeamNode> {
      for (const key of [project, config.team].filter((k) => k !== undefined)) {
        const cached = teams.get(key.toUpperCase());
        if (!fresh && cached !== undefined && Date.now() - cached.at < TEAM_CACHE_MS)
          return cached.team;
        const team = await api.team(key);
        if (team !== undefined) {
          teams.set(key.toUpperCase(), { team, at: Date.now() });
          return team;
        }
      }
      throw new StepError(
        `Linear has no team with key "${project}"${config.team === undefined ? '' : ` (nor "${config.team}", the configured team)`}: a Linear task's project is its team's key, e.g. ENG for ENG-123`,
        { code: 'not_found' },
      );
    }

    async function issueOrFail(api: LinearApi, id: string, recordUrl?: string) {
      const issue = await api.issue(id, recordUrl);
      if (issue === undefined)
        throw new StepError(`Linear has no issue ${id} (or this API key cannot see it)`, {
          code: 'not_found',
        });
      return issue;
    }

    /** Ids of the team's labels with these names; missing ones are created in the team. */
    async function labelIds(api: LinearApi, team: TeamNode, names: readonly string[]) {
      const ids: string[] = [];
      for (const name of names) {
        const found = team.labels.nodes.find((l) => same(l.name, name));
        ids.push(found?.id ?? (await api.createLabel(team.id, name)));
        if (found === undefined) teams.delete(team.key.toUpperCase());
      }
      return ids;
    }

    /** The project an epic names: its id as it is, else a project of that name. */
    async function projectId(api: LinearApi, epic: string): Promise<string> {
      if (UUID.test(epic)) return epic;
      const [project] = await api.projects({ name: { eqIgnoreCase: epic } });
      if (project === undefined)
        throw new StepError(
          `cannot put the new task in epic "${epic}": Linear has no project of that name (an epic is a Linear project; give its id or name)`,
          { code: 'invalid_input' },
        );
      return project.id;
    }

    /** Adds the comment with this id unless an earlier attempt did. */
    async function commentOnce(api: LinearApi, id: string, issueId: string, body: string) {
      if (await api.commentExists(id)) return id;
      return api.createComment(id, issueId, body);
    }

    return {
      type: 'task_management',
      name: 'linear',
      async connect() {
        await apiFor().viewer();
      },
      disconnect: () => Promise.resolve(),
      // aidev's own user: an issue assigned to it asks for work, and its comments never do.
      async identity() {
        const me = await apiFor().viewer();
        return { login: me.id, mentions: [] };
      },
      async health() {
        try {
          const me = await apiFor().viewer();
          return { ok: true, detail: `${site}, signed in as ${me.name}` };
        } catch (error) {
          return { ok: false, detail: `${site}: ${(error as Error).message}` };
        }
      },
      actions: {
        get_task: async (input, ctx) => ({
          task: toTask(await issueOrFail(apiFor(ctx.signal), input.task_id)),
        }),
        create_task: async (input, ctx) => {
          const api = apiFor(ctx.signal);
          const team = await teamFor(api, input.project);
          const id = idFor(ctx.idempotencyKey, 'issue');
          const [earlier] = (await api.issues({ id: { eq: id } }, undefined)).nodes;
          if (earlier !== undefined) return { task_id: earlier.identifier, url: earlier.url };
          const created = await api.createIssue({
            id,
            teamId: team.id,
            title: input.title,
            ...(input.description ? { description: input.description } : {}),
            ...(input.labels?.length ? { labelIds: await labelIds(api, team, input.labels) } : {}),
            ...(input.epic === undefined ? {} : { projectId: await projectId(api, input.epic) }),
          });
          return { task_id: created.identifier, url: created.url };
        },
        create_epic: async (input, ctx) => {
          const api = apiFor(ctx.signal);
          const team = await teamFor(api, input.project);
          const id = idFor(ctx.idempotencyKey, 'project');
          const [earlier] = await api.projects({ id: { eq: id } });
          if (earlier !== undefined) return { epic_id: earlier.id, url: earlier.url };
          const project = await api.createProject({
            id,
            name: input.title,
            teamIds: [team.id],
            // A project's `description` is a one-line summary; its markdown body is `content`.
            ...(input.description ? { content: input.description } : {}),
          });
          return { epic_id: project.id, url: project.url };
        },
        update_task_status: async (input, ctx) => {
          const api = apiFor(ctx.signal);
          const issue = await issueOrFail(api, input.task_id, STATUS_RECORD_URL);
          const key = issue.identifier;
          const current = issue.state?.name ?? '';
          const changes = statusChanges(issue.attachments?.nodes[0]?.metadata);
          const commentId = idFor(ctx.idempotencyKey, 'status-comment');
          const stateNamed = async (name: string) => {
            const team = await teamFor(api, issue.team?.key ?? input.task_id.split('-')[0]!);
            const state = team.states.nodes.find((s) => same(s.name, name));
            if (state !== undefined) return state;
            const available = [...team.states.nodes]
              .sort((a, b) => a.position - b.position)
              .map((s) => s.name);
            throw new StepError(
              `cannot move ${key} from "${current}" to "${name}" in Linear: team ${team.key} has no such workflow state; available: ${available.join(', ') || '(none)'}`,
              { code: 'no_transition' },
            );
          };
          const earlier = changes.find((c) => c.key === ctx.idempotencyKey);
          if (earlier !== undefined) {
            // An earlier attempt recorded this change before making it. Still where it was:
            // that attempt stopped before the move. Anywhere else: it made it.
            if (same(current, earlier.from) && !same(earlier.from, earlier.to))
              await api.moveIssue(issue.id, (await stateNamed(earlier.to)).id);
            if (input.comment !== undefined)
              await commentOnce(api, commentId, issue.id, input.comment);
            return { task_id: key, status: earlier.to, previous_status: earlier.from };
          }
          const target = same(current, input.status) ? undefined : await stateNamed(input.status);
          const to = target?.name ?? current;
          // Written ahead, so that a retry knows where the issue was even if we stop right after.
          await api.saveAttachment({
            issueId: issue.id,
            url: STATUS_RECORD_URL,
            title: 'aidev status changes',
            subtitle: 'Kept by aidev so that a retried step knows where this issue was',
            metadata: withChange(changes, { key: ctx.idempotencyKey, from: current, to }),
          });
          if (target !== undefined) await api.moveIssue(issue.id, target.id);
          if (input.comment !== undefined)
            await commentOnce(api, commentId, issue.id, input.comment);
          return { task_id: key, status: to, previous_status: current };
        },
        add_comment: async (input, ctx) => {
          const api = apiFor(ctx.signal);
          const id = idFor(ctx.idempotencyKey, 'comment');
          if (await api.commentExists(id)) return { comment_id: id };
          const issue = await issueOrFail(api, input.task_id);
          return { comment_id: await api.createComment(id, issue.id, input.comment) };
        },
        get_project_tasks: async (input, ctx) => {
          const api = apiFor(ctx.signal);
          const team = await teamFor(api, input.project);
          const filter = issueFilter(team.id, input.status, input.filter);
          const tasks: Task[] = [];
          let after: string | undefined;
          do {
            const page = await api.issues(filter, after);
            tasks.push(...page.nodes.map(toTask));
            after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? undefined) : undefined;
          } while (after !== undefined && tasks.length < MAX_TASKS);
          if (after !== undefined || tasks.length > MAX_TASKS)
            ctx.log.warn(
              { project: input.project, limit: MAX_TASKS },
              `linear: team ${team.key} has more than ${MAX_TASKS} matching issues; returning the first ${MAX_TASKS} (narrow it with status or filter)`,
            );
          return { tasks: tasks.slice(0, MAX_TASKS) };
        },
      },
    };
  },
});

/**
 * A team's issues, optionally in one workflow state; a `filter` is a JSON IssueFilter as
 * Linear's API takes it (Linear has no query language like JQL), ANDed in.
 */
function issueFilter(teamId: string, status?: string, filter?: string): Record<string, unknown> {
  const clauses: Record<string, unknown>[] = [{ team: { id: { eq: teamId } } }];
  if (status !== undefined) clauses.push({ state: { name: { eqIgnoreCase: status } } });
  if (filter !== undefined && filter.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(filter);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new StepError(
        'a Linear filter is a JSON IssueFilter, e.g. {"priority":{"lte":2}} (Linear has no query language like JQL)',
        { code: 'invalid_input' },
      );
    clauses.push(parsed as Record<string, unknown>);
  }
  return clauses.length === 1 ? clauses[0]! : { and: clauses };
}

function same(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
