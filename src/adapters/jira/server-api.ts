import type { Client } from 'jira.js/core';
import { z } from 'zod';
import { VendorError } from '../../resilience/vendor-error.js';
import { PAGE_SIZE, propertyMap, type JiraApi } from './api.js';
import type { JiraCall } from './errors.js';
import { wikiText } from './wiki-text.js';

/*
 * Jira Server / Data Center has REST v2 only, and jira.js v6 is generated from Cloud's v3
 * description with no v2 surface. Its transport (`Client.sendRequest`: bearer auth, typed
 * errors, no retries) is used directly with v2 paths, and the answers are checked here.
 */

const issueSchema = z.looseObject({
  key: z.string(),
  fields: z.record(z.string(), z.unknown()).default({}),
  properties: z.record(z.string(), z.unknown()).default({}),
});

const schemas = {
  myself: z.looseObject({ displayName: z.string().optional(), name: z.string().optional() }),
  issue: issueSchema,
  search: z.looseObject({
    startAt: z.number(),
    total: z.number(),
    issues: z.array(issueSchema),
  }),
  created: z.looseObject({ key: z.string() }),
  transitions: z.looseObject({
    transitions: z.array(
      z.looseObject({
        id: z.string(),
        name: z.string().default(''),
        to: z.looseObject({ name: z.string() }),
      }),
    ),
  }),
  comments: z.looseObject({
    startAt: z.number(),
    total: z.number(),
    comments: z.array(
      z.looseObject({
        id: z.string(),
        properties: z.array(z.looseObject({ key: z.string(), value: z.unknown() })).optional(),
      }),
    ),
  }),
  comment: z.looseObject({ id: z.string() }),
};

/** Jira Server reads a list parameter as comma-separated values; an empty one is left out. */
function list(values: readonly string[]): string | undefined {
  return values.length === 0 ? undefined : values.join(',');
}

/** An answer that lacks what aidev needs is Jira's fault, but trying again will not help. */
function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
  throw new VendorError(`jira: unexpected answer to ${what} (${where})`, {
    service: 'jira',
    code: 'unexpected_response',
    retryable: false,
  });
}

/** Jira Server / Data Center, REST v2 with a personal access token; rich text as wiki text. */
export function serverApi(client: Client, call: JiraCall): JiraApi {
  const api = '/rest/api/2';
  const key = encodeURIComponent;
  const request = async <S extends z.ZodType>(
    what: string,
    schema: S,
    options: Parameters<Client['sendRequest']>[0],
  ): Promise<z.output<S>> =>
    parse(schema, await call(what, () => client.sendRequest<unknown>(options)), what);
  const send = (what: string, options: Parameters<Client['sendRequest']>[0]) =>
    call(what, () => client.sendRequest<unknown>(options));

  return {
    deployment: 'server',
    async myself() {
      const user = await request('get the signed-in user', schemas.myself, {
        url: `${api}/myself`,
      });
      return { displayName: user.displayName ?? user.name ?? '?', id: user.name ?? '' };
    },
    getIssue: (issueKey, fields, properties) =>
      request(`get issue ${issueKey}`, schemas.issue, {
        url: `${api}/issue/${key(issueKey)}`,
        searchParams: { fields: list(fields), properties: list(properties) },
      }),
    async search(jql, fields, properties, cursor) {
      const startAt = cursor === undefined ? 0 : Number(cursor);
      const page = await request('search issues', schemas.search, {
        url: `${api}/search`,
        searchParams: {
          jql,
          startAt,
          maxResults: PAGE_SIZE,
          fields: list(fields),
          properties: list(properties),
        },
      });
      const end = page.startAt + page.issues.length;
      return {
        issues: page.issues,
        next: page.issues.length > 0 && end < page.total ? String(end) : undefined,
      };
    },
    createIssue: (project, fields, properties) =>
      request(`create an issue in ${project}`, schemas.created, {
        url: `${api}/issue`,
        method: 'POST',
        body: { fields, properties },
      }),
    async transitions(issueKey) {
      const answer = await request(`list the transitions of ${issueKey}`, schemas.transitions, {
        url: `${api}/issue/${key(issueKey)}/transitions`,
      });
      return answer.transitions.map((t) => ({ id: t.id, name: t.name, to: t.to.name }));
    },
    async transition(issueKey, transitionId) {
      await send(`transition ${issueKey}`, {
        url: `${api}/issue/${key(issueKey)}/transitions`,
        method: 'POST',
        body: { transition: { id: transitionId } },
      });
    },
    async comments(issueKey, startAt) {
      const page = await request(`list the comments of ${issueKey}`, schemas.comments, {
        url: `${api}/issue/${key(issueKey)}/comment`,
        searchParams: { startAt, maxResults: PAGE_SIZE, orderBy: '-created', expand: 'properties' },
      });
      const end = page.startAt + page.comments.length;
      return {
        comments: page.comments.map((c) => ({ id: c.id, properties: propertyMap(c.properties) })),
        nextStartAt: page.comments.length > 0 && end < page.total ? end : undefined,
      };
    },
    addComment: (issueKey, text, properties) =>
      request(`comment on ${issueKey}`, schemas.comment, {
        url: `${api}/issue/${key(issueKey)}/comment`,
        method: 'POST',
        body: { body: wikiText(text), properties },
      }),
    async setIssueProperty(issueKey, propertyKey, value) {
      await send(`set the ${propertyKey} property of ${issueKey}`, {
        url: `${api}/issue/${key(issueKey)}/properties/${key(propertyKey)}`,
        method: 'PUT',
        body: value,
      });
    },
    richText: wikiText,
  };
}
