import path from 'node:path';
import { z } from 'zod';
import { StepError } from '../../engine/step-errors.js';
import {
  definePlugin,
  type ActionContext,
  type Plugin,
  type PluginContext,
} from '../../plugins/plugin.js';
import type { TaskRecord } from '../../store/repositories/tasks.js';
import { isUniqueViolation, type JsonObject } from '../../store/sql.js';
import { readSeed } from './seed.js';
import { toTask } from './task-shape.js';

const SOURCE = 'local';

const configSchema = z.strictObject({
  /** YAML file of projects and tasks loaded at start (existing tasks are kept). */
  seed_file: z.string().min(1).optional(),
  statuses: z
    .array(z.string().min(1))
    .min(2)
    .default(['To Do', 'In Progress', 'In Review', 'Done']),
  /** Allowed moves by status; unset, any status may move to any other. */
  transitions: z.record(z.string(), z.array(z.string())).optional(),
});
type Config = z.output<typeof configSchema>;

interface StatusChange {
  key: string;
  from: string;
  to: string;
}

/** The embedded tracker: tasks in aidev's own database, with statuses and transitions. */
export const localTracker = definePlugin({
  type: 'task_management',
  name: 'local',
  description: 'Tasks kept in the aidev database, seeded from a YAML file',
  configSchema,
  needsSchema: true,
  create(config: Config, context: PluginContext): Plugin<'task_management'> {
    const { store } = context;

    async function task(key: string): Promise<TaskRecord> {
      const found = await store.tasks.get(SOURCE, key);
      if (found !== null) return found;
      const known = (await store.tasks.list({ source: SOURCE, limit: 20 })).map((t) => t.key);
      throw new StepError(
        `no task ${key} in the local tracker${known.length > 0 ? ` (it has ${known.join(', ')})` : ''}`,
        { code: 'not_found' },
      );
    }

    function allowedFrom(status: string): string[] {
      const explicit = config.transitions?.[status];
      return explicit ?? config.statuses.filter((s) => s !== status);
    }

    async function create(
      input: {
        project: string;
        title: string;
        description?: string | undefined;
        issue_type?: string | undefined;
        epic?: string | undefined;
        labels?: readonly string[] | undefined;
      },
      context: ActionContext,
      issueType: string,
    ) {
      const existing = await store.tasks.findCreatedBy(SOURCE, context.idempotencyKey);
      if (existing !== null) return existing;
      for (let attempt = 0; ; attempt++) {
        const key = `${input.project}-${await store.tasks.nextNumber(SOURCE, input.project)}`;
        try {
          return await store.tasks.upsertNew({
            source: SOURCE,
            key,
            title: input.title,
            description: input.description ?? '',
            status: config.statuses[0] ?? 'To Do',
            issueType: input.issue_type ?? issueType,
            ...(input.epic === undefined ? {} : { parentKey: input.epic }),
            labels: input.labels ?? [],
            fields: { idempotency_key: context.idempotencyKey },
          });
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= 5) throw error;
        }
      }
    }

    return {
      type: 'task_management',
      name: 'local',
      async connect() {
        if (config.seed_file === undefined) return;
        const seed = await readSeed(path.resolve(config.seed_file));
        for (const project of seed.projects) {
          let next = await store.tasks.nextNumber(SOURCE, project.key);
          for (const t of project.tasks) {
            const key = t.key ?? `${project.key}-${next++}`;
            if ((await store.tasks.get(SOURCE, key)) !== null) continue;
            await store.tasks.upsert({
              source: SOURCE,
              key,
              title: t.title,
              description: t.description,
              status: t.status ?? config.statuses[0] ?? 'To Do',
              issueType: t.type,
              labels: t.labels,
              ...(t.epic === undefined ? {} : { parentKey: t.epic }),
              ...(t.priority === undefined ? {} : { priority: t.priority }),
              ...(t.assignee === undefined ? {} : { assignee: t.assignee }),
              ...(t.points === undefined ? {} : { storyPoints: String(t.points) }),
              fields: t.repository === undefined ? {} : { repository: t.repository },
            });
          }
        }
      },
      disconnect: () => Promise.resolve(),
      async health() {
        await store.tasks.list({ source: SOURCE, limit: 1 });
        return { ok: true, detail: `local tracker (statuses: ${config.statuses.join(', ')})` };
      },
      actions: {
        get_task: async (input) => ({ task: toTask(await task(input.task_id)) }),
        create_task: async (input, context) => {
          const created = await create(input, context, 'task');
          return { task_id: created.key, url: toTask(created).url };
        },
        create_epic: async (input, context) => {
          const created = await create(input, context, 'epic');
          return { epic_id: created.key, url: toTask(created).url };
        },
        update_task_status: async (input, context) => {
          const current = await task(input.task_id);
          const history = (Array.isArray(current.fields.status_changes)
            ? current.fields.status_changes
            : []) as unknown as StatusChange[];
          const done = history.find((change) => change.key === context.idempotencyKey);
          if (done === undefined) {
            const target = config.statuses.find(
              (s) => s.toLowerCase() === input.status.toLowerCase(),
            );
            const allowed = allowedFrom(current.status);
            // Already there (a task re-run after review): nothing to move, the comment still goes.
            const stays = target === current.status;
            if (target === undefined || (!stays && !allowed.includes(target))) {
              throw new StepError(
                `cannot move ${current.key} from "${current.status}" to "${input.status}" in the local tracker; available: ${allowed.join(', ')}`,
                { code: 'no_transition' },
              );
            }
            const change: StatusChange = {
              key: context.idempotencyKey,
              from: current.status,
              to: target,
            };
            await store.tasks.update(SOURCE, current.key, {
              status: target,
              fields: {
                ...current.fields,
                status_changes: [...history, change] as unknown as JsonObject[],
              },
            });
            if (input.comment !== undefined)
              await store.taskComments.add({
                taskId: current.id,
                body: input.comment,
                idempotencyKey: `${context.idempotencyKey}:comment`,
              });
            return { task_id: current.key, status: target, previous_status: current.status };
          }
          return { task_id: current.key, status: done.to, previous_status: done.from };
        },
        add_comment: async (input, context) => {
          const current = await task(input.task_id);
          const comment = await store.taskComments.add({
            taskId: current.id,
            body: input.comment,
            idempotencyKey: context.idempotencyKey,
          });
          return { comment_id: comment.id };
        },
        get_project_tasks: async (input) => {
          const tasks = await store.tasks.list({
            source: SOURCE,
            ...(input.status === undefined ? {} : { status: input.status }),
            limit: 1000,
          });
          const words = (input.filter ?? '')
            .toLowerCase()
            .split(/\s+/)
            .filter((w) => w !== '');
          const matches = tasks.filter(
            (t) =>
              t.key.startsWith(`${input.project}-`) &&
              words.every((w) =>
                `${t.title} ${t.description} ${t.labels.join(' ')}`.toLowerCase().includes(w),
              ),
          );
          return { tasks: matches.map(toTask) };
        },
      },
    };
  },
});
