/** JQL aidev sends. Values are always quoted, so a name with spaces or quotes stays one value. */

/** A JQL string literal: double quotes, with backslashes and quotes escaped. */
export function jqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * A project's tasks, optionally in one status, with the caller's JQL `filter` ANDed in
 * parentheses (so an `OR` inside it cannot widen the search beyond the project).
 */
export function projectTasksJql(input: {
  project: string;
  status?: string | undefined;
  filter?: string | undefined;
}): string {
  const clauses = [`project = ${jqlString(input.project)}`];
  if (input.status !== undefined) clauses.push(`status = ${jqlString(input.status)}`);
  const filter = input.filter?.trim();
  if (filter !== undefined && filter !== '') clauses.push(`(${filter})`);
  return `${clauses.join(' AND ')} ORDER BY key ASC`;
}

/**
 * Issues this account created in a project, newest first: where an earlier attempt's issue is
 * (entity properties are not searchable without an app's index, so the marker is read from
 * each result instead).
 */
export function createdByMeJql(project: string): string {
  return `project = ${jqlString(project)} AND reporter = currentUser() ORDER BY created DESC`;
}
