import type { Handler, HandlerRequest, HandlerResponse } from '../kit/vendor-server.js';
import { adfProblem, adfText } from './adf.js';
import {
  findIssueType,
  jiraError,
  STATUSES,
  type ApiVersion,
  type StoredIssue,
} from './jira-model.js';
import { issueJson, listParam, searchIssues } from './jira-search.js';
import type { JiraServer } from './jira-server.js';

type Body = Record<string, unknown>;
type Handle = (request: HandlerRequest, version: ApiVersion, server: JiraServer) => HandlerResponse;

/** Cloud's search/jql pages hold at most 100 full issues; Data Center's search up to 1000. */
const MAX_PAGE = { 2: 1000, 3: 100 } as const;
const MAX_PROPERTY_LENGTH = 32_768;

const body = (request: HandlerRequest) => (request.body ?? {}) as Body;
const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
const num = (value: unknown, fallback: number) =>
  value === undefined || value === '' ? fallback : Number(value);

function propertiesOf(value: unknown): Map<string, unknown> {
  const list = Array.isArray(value) ? (value as { key?: unknown; value?: unknown }[]) : [];
  return new Map(
    list.filter((p) => typeof p.key === 'string').map((p) => [p.key as string, p.value]),
  );
}

/**
 * A rich-text value in the request's version: ADF on v3, a string on v2. The description cannot
 * check this (its Comment.body is untyped), so a wrong one is also recorded as a violation.
 */
function richText(
  server: JiraServer,
  version: ApiVersion,
  value: unknown,
  field: string,
  message: string,
): string {
  if (version === 2 && typeof value === 'string') return value;
  if (version === 3 && adfProblem(value) === undefined) return adfText(value);
  const why = version === 3 ? (adfProblem(value) ?? '') : 'expected a string';
  server.http.violations.push(`Jira REST v${version}: ${field} is not valid (${why})`);
  throw jiraError(400, [], { [field]: message });
}

function createIssue(request: HandlerRequest, version: ApiVersion, server: JiraServer) {
  const {
    fields = {},
    properties,
    ...rest
  } = body(request) as { fields?: Body; properties?: unknown };
  const errors: Record<string, string> = {};
  for (const extra of Object.keys(rest)) errors[extra] = `not supported by the local Jira`;
  const project = (fields.project ?? {}) as Body;
  const projectKey = [...server.projects].find((p) => p === project.key || p === project.id);
  if (projectKey === undefined) errors.project = 'valid project is required';
  const summary = str(fields.summary)?.trim();
  if (summary === undefined || summary === '')
    errors.summary = 'You must specify a summary of the issue.';
  const type = findIssueType(str((fields.issuetype as Body | undefined)?.name) ?? '');
  if (type === undefined) errors.issuetype = 'Specify a valid issue type';
  let description: string | undefined;
  if (fields.description !== undefined && fields.description !== null)
    description = richText(
      server,
      version,
      fields.description,
      'description',
      'Operation value must be an Atlassian Document (see the Atlassian Document Format)',
    );
  const labels = fields.labels === undefined ? [] : (fields.labels as unknown[]);
  for (const label of labels)
    if (typeof label !== 'string' || /\s/.test(label))
      errors.labels = `The label '${String(label)}' contains spaces which is invalid.`;
  const parentKey = str((fields.parent as Body | undefined)?.key);
  if (
    fields.parent !== undefined &&
    (parentKey === undefined || server.lookup(parentKey) === undefined)
  )
    errors.parent = 'Could not find issue by id or key.';
  const custom: Record<string, unknown> = {};
  const standard = ['project', 'summary', 'issuetype', 'description', 'labels', 'parent'];
  for (const [name, value] of Object.entries(fields)) {
    if (name.startsWith('customfield_')) custom[name] = value;
    else if (!standard.includes(name))
      errors[name] =
        `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
  }
  if (Object.keys(errors).length > 0) throw jiraError(400, [], errors);
  const issue = server.create({
    project: projectKey ?? '',
    title: summary ?? '',
    issueType: type?.name ?? 'Task',
    labels: labels as string[],
    ...(description === undefined ? {} : { description }),
    ...(parentKey === undefined ? {} : { parent: parentKey.toUpperCase() }),
    custom,
  });
  for (const [key, value] of propertiesOf(properties)) issue.properties.set(key, value);
  return {
    status: 201,
    body: {
      id: issue.id,
      key: issue.key,
      self: `${server.url}/rest/api/${version}/issue/${issue.id}`,
    },
  };
}

function transitionsOf(issue: StoredIssue) {
  return STATUSES.filter((s) => s.name !== issue.status);
}

function doTransition(request: HandlerRequest, _version: ApiVersion, server: JiraServer) {
  const issue = server.find(request);
  const { transition, properties, ...rest } = body(request) as {
    transition?: Body;
    properties?: unknown;
  };
  const unsupported = Object.keys(rest);
  if (unsupported.length > 0) {
    server.http.violations.push(
      `doTransition: the local Jira does not apply ${unsupported.join(', ')}`,
    );
    throw jiraError(400, [`not supported by the local Jira: ${unsupported.join(', ')}`]);
  }
  const id = str(transition?.id);
  if (id === undefined) throw jiraError(400, ["Missing 'transition' identifier"]);
  const target = transitionsOf(issue).find((s) => s.transition.id === id);
  if (target === undefined)
    throw jiraError(400, [`Transition id '${id}' is not valid for this issue.`]);
  issue.status = target.name;
  for (const [key, value] of propertiesOf(properties)) issue.properties.set(key, value);
  return { status: 204 };
}

function getComments(request: HandlerRequest, version: ApiVersion, server: JiraServer) {
  const issue = server.find(request);
  const startAt = num(request.query.startAt, 0);
  const maxResults = Math.min(num(request.query.maxResults, 100), 100);
  const newestFirst = request.query.orderBy === '-created';
  const expand = listParam(request.query.expand);
  const ordered = newestFirst ? [...issue.comments].reverse() : issue.comments;
  return {
    body: {
      startAt,
      maxResults,
      total: issue.comments.length,
      comments: ordered
        .slice(startAt, startAt + maxResults)
        .map((c) => server.render.comment(issue, c, version, expand.includes('properties'))),
    },
  };
}

function addComment(request: HandlerRequest, version: ApiVersion, server: JiraServer) {
  const issue = server.find(request);
  const { body: value, properties } = body(request);
  const text = richText(server, version, value, 'comment', 'Comment body is not valid!');
  if (text.trim() === '') throw jiraError(400, [], { comment: 'Comment body can not be empty!' });
  const comment = server.addComment(issue, text, propertiesOf(properties));
  return { status: 201, body: server.render.comment(issue, comment, version, false) };
}

function search(version: ApiVersion, input: Body, server: JiraServer, token: boolean) {
  const fields = listParam(input.fields as string | string[] | undefined);
  const properties = listParam(input.properties as string | string[] | undefined);
  const maxResults = Math.min(num(input.maxResults, 50), MAX_PAGE[version]);
  let startAt = num(input.startAt, 0);
  const pageToken = str(input.nextPageToken);
  if (token && pageToken !== undefined) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(pageToken, 'base64url').toString());
    if (decoded === null)
      throw jiraError(400, ['The provided next page token is invalid or expired.']);
    startAt = Number(decoded[1]);
  }
  const found = searchIssues(server, str(input.jql) ?? '');
  const issues = found
    .slice(startAt, startAt + maxResults)
    .map((i) => issueJson(server, i, version, fields, properties));
  if (!token)
    return { body: { expand: 'schema,names', startAt, maxResults, total: found.length, issues } };
  const end = startAt + issues.length;
  const isLast = end >= found.length;
  return {
    body: {
      issues,
      isLast,
      ...(isLast ? {} : { nextPageToken: Buffer.from(`offset:${end}`).toString('base64url') }),
    },
  };
}

/** The handlers by operationId; each v3 handler also serves its v2 twin (`…V2`). */
export function jiraHandlers(server: () => JiraServer): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  const serve = (operationId: string, handle: Handle, versions: ApiVersion[] = [2, 3]) => {
    const handler: Handler = (request) => {
      const s = server();
      s.authenticate(request);
      return handle(request, s.version(request), s);
    };
    if (versions.includes(3)) handlers[operationId] = handler;
    if (versions.includes(2)) handlers[`${operationId}V2`] = handler;
  };
  serve('getCurrentUser', (_r, version, s) => ({ body: s.render.user(s.user, version) }));
  serve('createIssue', createIssue);
  serve('getIssue', (request, version, s) => ({
    body: issueJson(
      s,
      s.find(request),
      version,
      listParam(request.query.fields),
      listParam(request.query.properties),
    ),
  }));
  serve('getTransitions', (request, version, s) => ({
    body: {
      expand: 'transitions',
      transitions: transitionsOf(s.find(request)).map((t) => s.render.transition(t, version)),
    },
  }));
  serve('doTransition', doTransition);
  serve('getComments', getComments);
  serve('addComment', addComment);
  serve('getComment', (request, version, s) => {
    const issue = s.find(request);
    const comment = issue.comments.find((c) => c.id === request.params.id);
    if (comment === undefined)
      throw jiraError(404, [`Can not find a comment for the id: ${request.params.id ?? ''}.`]);
    return { body: s.render.comment(issue, comment, version, false) };
  });
  serve('getIssueProperty', (request, _v, s) => {
    const key = decodeURIComponent(request.params.propertyKey ?? '');
    const issue = s.find(request);
    if (!issue.properties.has(key))
      throw jiraError(404, [`The property with key '${key}' does not exist.`]);
    return { body: { key, value: issue.properties.get(key) } };
  });
  serve('setIssueProperty', (request, _v, s) => {
    const key = decodeURIComponent(request.params.propertyKey ?? '');
    const issue = s.find(request);
    if (request.body === undefined) throw jiraError(400, ['The property value must not be empty.']);
    if (JSON.stringify(request.body).length > MAX_PROPERTY_LENGTH)
      throw jiraError(400, [
        `The property value is too long. It must not exceed ${MAX_PROPERTY_LENGTH} characters.`,
      ]);
    const existed = issue.properties.has(key);
    issue.properties.set(key, request.body);
    return { status: existed ? 200 : 201 };
  });
  serve('searchAndReconsileIssuesUsingJql', (r, v, s) => search(v, r.query, s, true), [3]);
  serve('searchAndReconsileIssuesUsingJqlPost', (r, v, s) => search(v, body(r), s, true), [3]);
  serve('searchForIssuesUsingJql', (r, v, s) => search(v, r.query, s, false), [2]);
  serve('searchForIssuesUsingJqlPost', (r, v, s) => search(v, body(r), s, false), [2]);
  // Jira Cloud removed the old v3 search in favour of /search/jql.
  const gone: Handler = () => {
    throw jiraError(410, [
      'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.',
    ]);
  };
  handlers.searchForIssuesUsingJql = gone;
  handlers.searchForIssuesUsingJqlPost = gone;
  return handlers;
}
