/**
 * The GraphQL documents aidev sends through the SDK's client (`rawRequest`): the SDK's typed
 * models fetch each relation (state, team, labels…) lazily, one request apiece, so a task is
 * read in one document here instead. Each is checked against Linear's schema by the tests'
 * local Linear.
 */

const ISSUE_FIELDS = `
fragment AidevIssue on Issue {
  id
  identifier
  title
  description
  url
  priority
  priorityLabel
  estimate
  state { id name }
  team { id key name }
  assignee { name displayName }
  project { id name }
  parent { identifier }
  labels { nodes { name } }
}`;

export const ISSUE_QUERY = `
query AidevIssue($id: String!) {
  issue(id: $id) { ...AidevIssue }
}
${ISSUE_FIELDS}`;

/** The issue with aidev's record of status changes (an attachment, see status-record.ts). */
export const ISSUE_WITH_RECORD_QUERY = `
query AidevIssueWithRecord($id: String!, $recordUrl: String!) {
  issue(id: $id) {
    ...AidevIssue
    attachments(filter: { url: { eq: $recordUrl } }) { nodes { id metadata } }
  }
}
${ISSUE_FIELDS}`;

export const ISSUES_QUERY = `
query AidevIssues($filter: IssueFilter, $first: Int, $after: String) {
  issues(filter: $filter, first: $first, after: $after, orderBy: createdAt) {
    nodes { ...AidevIssue }
    pageInfo { hasNextPage endCursor }
  }
}
${ISSUE_FIELDS}`;

export const TEAM_QUERY = `
query AidevTeam($key: String!) {
  teams(filter: { key: { eqIgnoreCase: $key } }) {
    nodes {
      id
      key
      name
      states(first: 100) { nodes { id name type position } }
      labels(first: 250) { nodes { id name } }
    }
  }
}`;

export const PROJECTS_QUERY = `
query AidevProjects($filter: ProjectFilter) {
  projects(filter: $filter, first: 2) { nodes { id name url } }
}`;

export const COMMENTS_QUERY = `
query AidevComment($id: ID!) {
  comments(filter: { id: { eq: $id } }) { nodes { id } }
}`;

export const ISSUE_CREATE = `
mutation AidevIssueCreate($input: IssueCreateInput!) {
  issueCreate(input: $input) { success issue { id identifier url } }
}`;

export const PROJECT_CREATE = `
mutation AidevProjectCreate($input: ProjectCreateInput!) {
  projectCreate(input: $input) { success project { id name url } }
}`;

export interface IssueNode {
  readonly id: string;
  readonly identifier: string;
  readonly title: string;
  readonly description?: string | null;
  readonly url: string;
  readonly priority?: number | null;
  readonly priorityLabel?: string | null;
  readonly estimate?: number | null;
  readonly state?: { id: string; name: string } | null;
  readonly team?: { id: string; key: string; name: string } | null;
  readonly assignee?: { name?: string | null; displayName?: string | null } | null;
  readonly project?: { id: string; name: string } | null;
  readonly parent?: { identifier: string } | null;
  readonly labels?: { nodes: { name: string }[] } | null;
  readonly attachments?: { nodes: { id: string; metadata?: unknown }[] } | null;
}

export interface TeamNode {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly states: { nodes: { id: string; name: string; type: string; position: number }[] };
  readonly labels: { nodes: { id: string; name: string }[] };
}

export interface ProjectNode {
  readonly id: string;
  readonly name: string;
  readonly url: string;
}

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly endCursor?: string | null;
}
