import type { Task } from '../../plugins/interfaces/task-management.js';
import { adfToText } from './adf.js';
import type { JiraConfig } from './config.js';

/** An issue as both REST versions return it, reduced to what aidev reads. */
export interface JiraIssue {
  readonly key: string;
  readonly fields: Readonly<Record<string, unknown>>;
  /** Entity properties asked for with `properties=` (absent ones are missing). */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** The fields a Task is made from: asked for explicitly, as Jira returns every field otherwise. */
export function taskFields(config: JiraConfig): string[] {
  const custom = config.custom_fields;
  return [
    'summary',
    'description',
    'status',
    'issuetype',
    'assignee',
    'priority',
    'labels',
    'parent',
    ...[custom.story_points, custom.epic, custom.team].filter((f) => f !== undefined),
  ];
}

/** An issue in aidev's task shape (descriptions as plain text, whichever REST version). */
export function toTask(issue: JiraIssue, config: JiraConfig): Task {
  const fields = issue.fields;
  const custom = config.custom_fields;
  return {
    key: issue.key,
    title: str(fields.summary) ?? '',
    description: richText(fields.description),
    status: name(fields.status) ?? '',
    issue_type: name(fields.issuetype) ?? '',
    assignee: str(field(fields.assignee, 'displayName')) ?? null,
    priority: name(fields.priority) ?? null,
    labels: Array.isArray(fields.labels)
      ? fields.labels.filter((l): l is string => typeof l === 'string')
      : [],
    story_points: custom.story_points === undefined ? null : points(fields[custom.story_points]),
    epic: epicOf(fields, config),
    team: custom.team === undefined ? null : teamName(fields[custom.team]),
    url: `${config.url}/browse/${issue.key}`,
  };
}

/** Wiki text (REST v2) as it is; ADF (REST v3) as its text. */
export function richText(value: unknown): string {
  if (typeof value === 'string') return value;
  return adfToText(value);
}

/**
 * The epic: Server's "Epic Link" field holds its key; on Cloud (and for next-gen projects) the
 * epic is the issue's parent when that parent is an epic.
 */
function epicOf(fields: Readonly<Record<string, unknown>>, config: JiraConfig): string | null {
  const link = config.custom_fields.epic;
  if (link !== undefined) {
    const value = fields[link];
    const key = str(value) ?? str(field(value, 'key'));
    if (key !== undefined) return key;
  }
  const parent = fields.parent;
  const parentKey = str(field(parent, 'key'));
  if (parentKey === undefined) return null;
  const parentType = field(field(parent, 'fields'), 'issuetype');
  const isEpic =
    name(parentType)?.toLowerCase() === config.epic_issue_type.toLowerCase() ||
    field(parentType, 'hierarchyLevel') === 1;
  return isEpic ? parentKey : null;
}

function points(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** The Atlassian team field is an object with a name (or title); a select field has a value. */
function teamName(value: unknown): string | null {
  return (
    str(value) ??
    str(field(value, 'name')) ??
    str(field(value, 'title')) ??
    str(field(value, 'value')) ??
    null
  );
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function name(value: unknown): string | undefined {
  return str(field(value, 'name'));
}
