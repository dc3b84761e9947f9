import type { Logger } from '../../log/create-logger.js';
import type { EntityProperty, JiraApi } from './api.js';
import { createdByMeJql } from './jql.js';

/*
 * How a retried step finds what an earlier attempt did in Jira, with nothing kept on aidev's
 * side. Everything is stored in Jira's entity properties (JSON on an issue or comment, set
 * through the REST API, invisible in the UI):
 *
 * - an issue aidev creates carries the property `aidev` = {idempotency_key}, set in the create
 *   request itself; a retry reads that property off this account's newest issues in the project;
 * - a comment aidev adds carries the same property, set in the add-comment request; a retry
 *   reads the issue's comments, newest first, with `expand=properties`;
 * - a status change is written ahead, before the transition, into the issue property
 *   `aidev.transitions` = {changes: [{key, from, to}]}: a retry reports the original `from`,
 *   and does the transition only if the issue is still where it was.
 */

export const MARKER_PROPERTY = 'aidev';
export const TRANSITIONS_PROPERTY = 'aidev.transitions';

/** Status changes kept per issue (a property holds at most 32 KB). */
const KEPT_CHANGES = 50;
/** How far back a retry looks: this account's newest issues in the project, and comments. */
const SCAN_ISSUES = 300;
const SCAN_COMMENTS = 500;

export interface StatusChange {
  readonly key: string;
  readonly from: string;
  readonly to: string;
}

export function marker(idempotencyKey: string): EntityProperty {
  return { key: MARKER_PROPERTY, value: { idempotency_key: idempotencyKey } };
}

function isMarked(properties: Readonly<Record<string, unknown>>, idempotencyKey: string) {
  const value = properties[MARKER_PROPERTY] as { idempotency_key?: unknown } | undefined;
  return value?.idempotency_key === idempotencyKey;
}

/** The issue an earlier attempt with this key created in the project, if any. */
export async function findCreatedIssue(
  api: JiraApi,
  project: string,
  idempotencyKey: string,
  log: Logger,
): Promise<string | undefined> {
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = await api.search(createdByMeJql(project), ['summary'], [MARKER_PROPERTY], cursor);
    const found = page.issues.find((issue) => isMarked(issue.properties, idempotencyKey));
    if (found !== undefined) return found.key;
    seen += page.issues.length;
    cursor = page.next;
  } while (cursor !== undefined && seen < SCAN_ISSUES);
  if (cursor !== undefined)
    log.debug(
      { project, seen },
      'jira: no earlier issue of this step among this account’s newest issues; creating one',
    );
  return undefined;
}

/** The comment an earlier attempt with this key added to the issue, if any. */
export async function findComment(
  api: JiraApi,
  issueKey: string,
  idempotencyKey: string,
): Promise<string | undefined> {
  let startAt: number | undefined = 0;
  while (startAt !== undefined && startAt < SCAN_COMMENTS) {
    const page = await api.comments(issueKey, startAt);
    const found = page.comments.find((c) => isMarked(c.properties, idempotencyKey));
    if (found !== undefined) return found.id;
    startAt = page.nextStartAt;
  }
  return undefined;
}

/** The recorded status changes of an issue (whatever shape the property has, never throws). */
export function statusChanges(value: unknown): StatusChange[] {
  const changes = (value as { changes?: unknown } | undefined)?.changes;
  if (!Array.isArray(changes)) return [];
  return changes.filter(
    (c): c is StatusChange =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as StatusChange).key === 'string' &&
      typeof (c as StatusChange).from === 'string' &&
      typeof (c as StatusChange).to === 'string',
  );
}

/** The property value with one more change, keeping the newest. */
export function withChange(changes: readonly StatusChange[], change: StatusChange) {
  return { changes: [...changes, change].slice(-KEPT_CHANGES) };
}
