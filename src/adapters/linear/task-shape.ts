import type { Task } from '../../plugins/interfaces/task-management.js';
import type { IssueNode } from './documents.js';

/**
 * A Linear issue in aidev's task shape. Linear has no issue types: an issue is an `Issue`, or a
 * `Sub-issue` under a parent. It has no epics either: the issue's Linear project stands in for
 * its epic (see linear.ts), so `epic` is the project's id and `epic_name` its name.
 */
export function toTask(issue: IssueNode): Task {
  const assignee = issue.assignee;
  return {
    key: issue.identifier,
    title: issue.title,
    description: issue.description ?? '',
    status: issue.state?.name ?? '',
    issue_type: issue.parent == null ? 'Issue' : 'Sub-issue',
    assignee: assignee == null ? null : assignee.displayName || assignee.name || null,
    // Priority 0 is Linear's "No priority".
    priority: issue.priority ? (issue.priorityLabel ?? null) : null,
    labels: (issue.labels?.nodes ?? []).map((l) => l.name),
    story_points: typeof issue.estimate === 'number' ? issue.estimate : null,
    epic: issue.project?.id ?? null,
    epic_name: issue.project?.name ?? null,
    team: issue.team?.name ?? null,
    url: issue.url,
  };
}
