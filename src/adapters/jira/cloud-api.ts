import type * as Cloud from 'jira.js/cloud';
import type { Client } from 'jira.js/core';
import { textToAdf } from './adf.js';
import {
  PAGE_SIZE,
  propertyMap,
  type JiraApi,
  type JiraComment,
  type JiraTransition,
} from './api.js';
import type { JiraCall } from './errors.js';
import type { JiraIssue } from './task-shape.js';

let loaded: Promise<typeof Cloud> | undefined;

/**
 * jira.js's Cloud surface builds a zod schema for every model of the platform API (about a
 * second): loaded on first use, so that aidev starts as fast without Jira configured.
 */
function cloud(): Promise<typeof Cloud> {
  loaded ??= import('jira.js/cloud');
  return loaded;
}

/** Jira Cloud, REST v3 through jira.js's typed functions; rich text as ADF. */
export function cloudApi(client: Client, call: JiraCall): JiraApi {
  const key = encodeURIComponent;
  return {
    deployment: 'cloud',
    async myself() {
      const { getCurrentUser } = await cloud();
      const user = await call('get the signed-in user', () => getCurrentUser(client));
      return {
        displayName: user.displayName ?? user.emailAddress ?? user.accountId ?? '?',
        id: user.accountId ?? '',
      };
    },
    async getIssue(issueKey, fields, properties) {
      const { getIssue } = await cloud();
      const issue = await call(`get issue ${issueKey}`, () =>
        getIssue(client, { issueIdOrKey: key(issueKey), fields, properties }),
      );
      return toIssue(issue, issueKey);
    },
    async search(jql, fields, properties, cursor) {
      const { searchAndReconsileIssuesUsingJql: search } = await cloud();
      const page = await call('search issues', () =>
        search(client, {
          jql,
          fields,
          properties,
          maxResults: PAGE_SIZE,
          ...(cursor === undefined ? {} : { nextPageToken: cursor }),
        }),
      );
      const next = page.isLast === true ? undefined : (page.nextPageToken ?? undefined);
      return { issues: (page.issues ?? []).map((i) => toIssue(i)), next };
    },
    async createIssue(project, fields, properties) {
      const { createIssue } = await cloud();
      const created = await call(`create an issue in ${project}`, () =>
        createIssue(client, { fields, properties: [...properties] }),
      );
      return { key: created.key };
    },
    async transitions(issueKey) {
      const { getTransitions } = await cloud();
      const answer = await call(`list the transitions of ${issueKey}`, () =>
        getTransitions(client, { issueIdOrKey: key(issueKey) }),
      );
      return (answer.transitions ?? []).flatMap((t): JiraTransition[] =>
        t.id === undefined ? [] : [{ id: t.id, name: t.name ?? '', to: t.to?.name ?? '' }],
      );
    },
    async transition(issueKey, transitionId) {
      const { doTransition } = await cloud();
      await call(`transition ${issueKey}`, () =>
        doTransition(client, { issueIdOrKey: key(issueKey), transition: { id: transitionId } }),
      );
    },
    async comments(issueKey, startAt) {
      const { getComments } = await cloud();
      const page = await call(`list the comments of ${issueKey}`, () =>
        getComments(client, {
          issueIdOrKey: key(issueKey),
          startAt,
          maxResults: PAGE_SIZE,
          orderBy: '-created',
          expand: 'properties',
        }),
      );
      const comments = (page.comments ?? []).flatMap((c): JiraComment[] =>
        c.id === undefined ? [] : [{ id: c.id, properties: propertyMap(c.properties) }],
      );
      const end = (page.startAt ?? startAt) + comments.length;
      return {
        comments,
        nextStartAt: comments.length > 0 && end < (page.total ?? 0) ? end : undefined,
      };
    },
    async addComment(issueKey, text, properties) {
      const { addComment } = await cloud();
      const comment = await call(`comment on ${issueKey}`, () =>
        addComment(client, {
          issueIdOrKey: key(issueKey),
          body: textToAdf(text),
          properties: [...properties],
        }),
      );
      if (comment.id === undefined)
        throw new Error(`Jira did not return the id of the comment on ${issueKey}`);
      return { id: comment.id };
    },
    async setIssueProperty(issueKey, propertyKey, value) {
      const { setIssueProperty } = await cloud();
      await call(`set the ${propertyKey} property of ${issueKey}`, () =>
        setIssueProperty(client, {
          issueIdOrKey: key(issueKey),
          propertyKey: key(propertyKey),
          body: value,
        }),
      );
    },
    richText: textToAdf,
  };
}

function toIssue(issue: Cloud.Issue, asked?: string): JiraIssue {
  const key = issue.key ?? asked;
  if (key === undefined) throw new Error('Jira returned an issue without a key');
  return { key, fields: issue.fields ?? {}, properties: issue.properties ?? {} };
}
