import type { Task } from '../../plugins/interfaces/task-management.js';
import type { TaskRecord } from '../../store/repositories/tasks.js';

/** A local task in the shape every tracker plugin returns. */
export function toTask(record: TaskRecord): Task {
  const fields = record.fields;
  return {
    key: record.key,
    title: record.title,
    description: record.description,
    status: record.status,
    issue_type: record.issueType,
    assignee: record.assignee,
    priority: record.priority,
    labels: [...record.labels],
    story_points: record.storyPoints === null ? null : Number(record.storyPoints),
    epic: record.parentKey,
    team: typeof fields.team === 'string' ? fields.team : null,
    url: `aidev://tracker/${record.key}`,
    ...(typeof fields.repository === 'string' ? { repository: fields.repository } : {}),
  };
}
