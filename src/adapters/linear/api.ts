import { LinearClient } from '@linear/sdk';
import type { LinearConfig } from './config.js';
import {
  COMMENTS_QUERY,
  ISSUE_CREATE,
  ISSUE_QUERY,
  ISSUE_WITH_RECORD_QUERY,
  ISSUES_QUERY,
  PROJECT_CREATE,
  PROJECTS_QUERY,
  TEAM_QUERY,
  type IssueNode,
  type PageInfo,
  type ProjectNode,
  type TeamNode,
} from './documents.js';
import type { LinearCall } from './errors.js';

/** Issues per page of a team's issues (Linear allows up to 250; its complexity grows with it). */
export const PAGE_SIZE = 100;

/**
 * The Linear requests aidev makes, each one HTTP request under the `linear` guard, through the
 * official SDK: its typed mutations where their answer suffices, its client's `rawRequest` for
 * documents that read what a task needs in one go (see documents.ts).
 */
export interface LinearApi {
  /** The API key's user: its name and id. */
  viewer(): Promise<{ name: string; id: string }>;
  /** By identifier (ENG-123) or id; undefined when Linear has no such issue. */
  issue(id: string, recordUrl?: string): Promise<IssueNode | undefined>;
  issues(
    filter: Record<string, unknown>,
    after: string | undefined,
  ): Promise<{
    nodes: IssueNode[];
    pageInfo: PageInfo;
  }>;
  team(key: string): Promise<TeamNode | undefined>;
  projects(filter: Record<string, unknown>): Promise<ProjectNode[]>;
  commentExists(id: string): Promise<boolean>;
  createIssue(
    input: Record<string, unknown>,
  ): Promise<{ id: string; identifier: string; url: string }>;
  createProject(input: Record<string, unknown>): Promise<ProjectNode>;
  createLabel(teamId: string, name: string): Promise<string>;
  moveIssue(issueId: string, stateId: string): Promise<void>;
  createComment(id: string, issueId: string, body: string): Promise<string>;
  /** Creates or updates (by URL) the issue's attachment with this metadata. */
  saveAttachment(input: {
    issueId: string;
    url: string;
    title: string;
    subtitle: string;
    metadata: Record<string, unknown>;
  }): Promise<void>;
}

/** The API over one SDK client; `signal` aborts this action call's requests. */
export function linearApi(config: LinearConfig, call: LinearCall, signal?: AbortSignal): LinearApi {
  const client = new LinearClient({
    ...(config.access_token === undefined
      ? { apiKey: config.api_key ?? '' }
      : { accessToken: config.access_token }),
    apiUrl: config.api_url,
    // Passed on to fetch by the SDK's client, with every request.
    ...(signal === undefined ? {} : { signal }),
  });
  const raw = async <T>(query: string, variables: Record<string, unknown>): Promise<T> =>
    (await client.client.rawRequest<T, Record<string, unknown>>(query, variables)).data as T;

  return {
    async viewer() {
      const me = await call('get the signed-in user', () => client.viewer);
      return { name: me.displayName || me.name || me.email, id: me.id };
    },
    async issue(id, recordUrl) {
      try {
        const data = await call(`get issue ${id}`, () =>
          recordUrl === undefined
            ? raw<{ issue: IssueNode | null }>(ISSUE_QUERY, { id })
            : raw<{ issue: IssueNode | null }>(ISSUE_WITH_RECORD_QUERY, { id, recordUrl }),
        );
        return data.issue ?? undefined;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'not_found') return undefined;
        throw error;
      }
    },
    async issues(filter, after) {
      const data = await call('list issues', () =>
        raw<{ issues: { nodes: IssueNode[]; pageInfo: PageInfo } }>(ISSUES_QUERY, {
          filter,
          first: PAGE_SIZE,
          ...(after === undefined ? {} : { after }),
        }),
      );
      return data.issues;
    },
    async team(key) {
      const data = await call(`get team ${key}`, () =>
        raw<{ teams: { nodes: TeamNode[] } }>(TEAM_QUERY, { key }),
      );
      return data.teams.nodes[0];
    },
    async projects(filter) {
      const data = await call('find a project', () =>
        raw<{ projects: { nodes: ProjectNode[] } }>(PROJECTS_QUERY, { filter }),
      );
      return data.projects.nodes;
    },
    async commentExists(id) {
      const data = await call('find a comment', () =>
        raw<{ comments: { nodes: { id: string }[] } }>(COMMENTS_QUERY, { id }),
      );
      return data.comments.nodes.length > 0;
    },
    async createIssue(input) {
      const data = await call('create an issue', () =>
        raw<{ issueCreate: { issue?: { id: string; identifier: string; url: string } | null } }>(
          ISSUE_CREATE,
          { input },
        ),
      );
      const issue = data.issueCreate.issue;
      if (issue == null) throw new Error('Linear did not return the issue it created');
      return issue;
    },
    async createProject(input) {
      const data = await call('create a project', () =>
        raw<{ projectCreate: { project?: ProjectNode | null } }>(PROJECT_CREATE, { input }),
      );
      const project = data.projectCreate.project;
      if (project == null) throw new Error('Linear did not return the project it created');
      return project;
    },
    async createLabel(teamId, name) {
      const payload = await call(`create label ${name}`, () =>
        client.createIssueLabel({ teamId, name }),
      );
      const id = payload.issueLabelId;
      if (id === undefined) throw new Error(`Linear did not return the id of label ${name}`);
      return id;
    },
    async moveIssue(issueId, stateId) {
      await call('move an issue', () => client.updateIssue(issueId, { stateId }));
    },
    async createComment(id, issueId, body) {
      const payload = await call('add a comment', () =>
        client.createComment({ id, issueId, body }),
      );
      return payload.commentId ?? id;
    },
    async saveAttachment(input) {
      await call('record a status change', () => client.createAttachment(input));
    },
  };
}
