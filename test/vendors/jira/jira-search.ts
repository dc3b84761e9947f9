import { JqlError, parseJql, type JqlFields } from './jql.js';
import {
  findIssueType,
  findStatus,
  jiraError,
  PRIORITIES,
  type ApiVersion,
  type JiraUser,
  type StoredIssue,
} from './jira-model.js';
import type { JiraServer } from './jira-server.js';

const userIds = (user: JiraUser | null) =>
  user === null ? [] : [user.accountId, user.name, user.displayName];

/** How JQL reads the local Jira's issues, and the values Jira checks (unknown ones are a 400). */
function jqlFields(server: JiraServer): JqlFields<StoredIssue> {
  const readers: Record<string, (issue: StoredIssue) => string[]> = {
    project: (i) => [i.project],
    key: (i) => [i.key],
    issuekey: (i) => [i.key],
    id: (i) => [i.id],
    status: (i) => [i.status],
    issuetype: (i) => [i.issueType],
    type: (i) => [i.issueType],
    priority: (i) => [i.priority],
    labels: (i) => i.labels,
    parent: (i) => (i.parent === null ? [] : [i.parent]),
    reporter: (i) => userIds(i.reporter),
    assignee: (i) => userIds(i.assignee),
    summary: (i) => [i.summary],
    description: (i) => (i.description === null ? [] : [i.description]),
    comment: (i) => i.comments.map((c) => c.body),
    text: (i) => [i.summary, i.description ?? '', ...i.comments.map((c) => c.body)],
  };
  const known: Record<string, (value: string) => boolean> = {
    project: (v) => [...server.projects].some((p) => p.toLowerCase() === v.toLowerCase()),
    status: (v) => findStatus(v) !== undefined,
    issuetype: (v) => findIssueType(v) !== undefined,
    type: (v) => findIssueType(v) !== undefined,
    priority: (v) => PRIORITIES.some((p) => p.toLowerCase() === v.toLowerCase()),
  };
  return {
    values: (field) => readers[field],
    check: (field, value) =>
      known[field]?.(value) === false
        ? `The value '${value}' does not exist for the field '${field}'.`
        : undefined,
    currentUser: server.user.accountId,
  };
}

const SORT_KEYS: Record<string, (issue: StoredIssue) => string | number> = {
  created: (i) => i.seq,
  updated: (i) => i.updated,
  key: (i) => `${i.project}-${String(i.number).padStart(9, '0')}`,
  status: (i) => i.status,
  priority: (i) => PRIORITIES.indexOf(i.priority),
  summary: (i) => i.summary,
};

/** The issues a JQL query selects, in its order (by key when it names none). */
export function searchIssues(server: JiraServer, jql: string): StoredIssue[] {
  let parsed;
  try {
    parsed = parseJql(jql, jqlFields(server));
  } catch (error) {
    if (error instanceof JqlError) throw jiraError(400, [error.message]);
    throw error;
  }
  const order = parsed.orderBy.length > 0 ? parsed.orderBy : [{ field: 'key', descending: false }];
  for (const { field } of order)
    if (SORT_KEYS[field] === undefined)
      throw jiraError(400, [
        `Field '${field}' does not exist or you do not have permission to view it.`,
      ]);
  return [...server.issues.values()].filter(parsed.where).sort((a, b) => {
    for (const { field, descending } of order) {
      const read = SORT_KEYS[field] as (issue: StoredIssue) => string | number;
      const [x, y] = [read(a), read(b)];
      if (x !== y) return (x < y ? -1 : 1) * (descending ? -1 : 1);
    }
    return 0;
  });
}

/** A query parameter as a list: repeated, comma-separated, or both. */
export function listParam(value: string | string[] | undefined): string[] {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** An issue as GET issue and search return it: the asked fields (all by default) and properties. */
export function issueJson(
  server: JiraServer,
  issue: StoredIssue,
  version: ApiVersion,
  fields: string[],
  properties: string[],
) {
  const all: Record<string, unknown> = server.render.fields(issue, version, server.lookup);
  const everything = fields.length === 0 || fields.some((f) => f === '*all' || f === '*navigable');
  const shown = everything
    ? all
    : Object.fromEntries(fields.filter((f) => f in all).map((f) => [f, all[f]]));
  const props = properties.filter((p) => issue.properties.has(p));
  return {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: issue.id,
    self: `${server.url}/rest/api/${version}/issue/${issue.id}`,
    key: issue.key,
    fields: shown,
    ...(properties.length > 0
      ? { properties: Object.fromEntries(props.map((p) => [p, issue.properties.get(p)])) }
      : {}),
  };
}
