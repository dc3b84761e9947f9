import type { Deployment } from './config.js';
import type { JiraIssue } from './task-shape.js';

export interface JiraTransition {
  readonly id: string;
  readonly name: string;
  /** The status the transition leads to. */
  readonly to: string;
}

export interface JiraComment {
  readonly id: string;
  /** Entity properties by key (asked for with `expand=properties`). */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** A type alias, as jira.js's EntityProperty has an index signature (see adf.ts). */
export type EntityProperty = {
  readonly key: string;
  readonly value: Record<string, unknown>;
};

/** Issues of one search page, and the cursor of the next page (undefined: this was the last). */
export interface SearchPage {
  readonly issues: JiraIssue[];
  readonly next: string | undefined;
}

export interface CommentPage {
  readonly comments: JiraComment[];
  readonly nextStartAt: number | undefined;
}

/**
 * The Jira requests aidev makes, the same for both deployments: Cloud speaks REST v3 through
 * jira.js's typed functions, Server / Data Center REST v2 through the same jira.js client (v6
 * has no v2 surface). Each method is one HTTP request under the `jira` guard.
 */
export interface JiraApi {
  readonly deployment: Deployment;
  /** The signed-in user: its name, and its id (Cloud's account id, Data Center's user name). */
  myself(): Promise<{ displayName: string; id: string }>;
  getIssue(key: string, fields: string[], properties: string[]): Promise<JiraIssue>;
  search(
    jql: string,
    fields: string[],
    properties: string[],
    cursor: string | undefined,
  ): Promise<SearchPage>;
  createIssue(
    project: string,
    fields: Record<string, unknown>,
    properties: EntityProperty[],
  ): Promise<{ key: string }>;
  transitions(key: string): Promise<JiraTransition[]>;
  transition(key: string, transitionId: string): Promise<void>;
  /** Newest first, with their entity properties. */
  comments(key: string, startAt: number): Promise<CommentPage>;
  addComment(key: string, text: string, properties: EntityProperty[]): Promise<{ id: string }>;
  setIssueProperty(key: string, propertyKey: string, value: Record<string, unknown>): Promise<void>;
  /** A rich-text field's value for this text: ADF on Cloud, wiki text on Server. */
  richText(text: string): unknown;
}

/** Issues per search page and comments per comment page (Jira's maximum for full issues). */
export const PAGE_SIZE = 100;

/** Entity properties as a map by key (Jira lists them as `{key, value}` on comments). */
export function propertyMap(
  properties: readonly { key?: string | undefined; value?: unknown }[] | undefined,
): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (const p of properties ?? []) if (p.key !== undefined) map[p.key] = p.value;
  return map;
}
