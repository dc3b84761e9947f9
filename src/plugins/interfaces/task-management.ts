import { z } from 'zod';
import { action } from '../action-signature.js';

/** A tracker task in aidev's own shape, whatever the tracker (Jira, the local tracker, …). */
export const taskSchema = z.looseObject({
  key: z.string(),
  title: z.string(),
  description: z.string(),
  status: z.string(),
  issue_type: z.string(),
  assignee: z.string().nullable(),
  priority: z.string().nullable(),
  labels: z.array(z.string()),
  story_points: z.number().nullable(),
  epic: z.string().nullable(),
  team: z.string().nullable(),
  url: z.string(),
});
export type Task = z.output<typeof taskSchema>;

const taskId = z.string().min(1);

export const taskManagementActions = [
  action({
    plugin: 'task_management',
    action: 'get_task',
    description: 'Fetch a task by its key.',
    input: z.strictObject({ task_id: taskId }),
    output: z.object({ task: taskSchema }),
    sideEffect: false,
  }),
  action({
    plugin: 'task_management',
    action: 'create_task',
    description: 'Create a task (or sub-task of an epic) in a project.',
    input: z.strictObject({
      project: z.string().min(1),
      title: z.string().min(1),
      description: z.string().optional(),
      issue_type: z.string().optional(),
      epic: z.string().optional(),
      labels: z.array(z.string()).optional(),
    }),
    output: z.object({ task_id: z.string(), url: z.string() }),
    sideEffect: true,
  }),
  action({
    plugin: 'task_management',
    action: 'create_epic',
    description: 'Create an epic in a project.',
    input: z.strictObject({
      project: z.string().min(1),
      title: z.string().min(1),
      description: z.string().optional(),
    }),
    output: z.object({ epic_id: z.string(), url: z.string() }),
    sideEffect: true,
  }),
  action({
    plugin: 'task_management',
    action: 'update_task_status',
    description: 'Move a task to the status with this name, optionally with a comment.',
    input: z.strictObject({
      task_id: taskId,
      status: z.string().min(1),
      comment: z.string().optional(),
    }),
    output: z.object({ task_id: z.string(), status: z.string(), previous_status: z.string() }),
    sideEffect: true,
    compensation: {
      action: 'update_task_status',
      input: (input, output) => ({ task_id: input.task_id, status: output.previous_status }),
    },
  }),
  action({
    plugin: 'task_management',
    action: 'add_comment',
    description: 'Comment on a task.',
    input: z.strictObject({ task_id: taskId, comment: z.string().min(1) }),
    output: z.object({ comment_id: z.string() }),
    sideEffect: true,
  }),
  action({
    plugin: 'task_management',
    action: 'get_project_tasks',
    description: 'List the tasks of a project, optionally by status or with a tracker filter.',
    input: z.strictObject({
      project: z.string().min(1),
      status: z.string().optional(),
      filter: z.string().optional(),
    }),
    output: z.object({ tasks: z.array(taskSchema) }),
    sideEffect: false,
  }),
] as const;
