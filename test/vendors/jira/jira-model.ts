import { VendorHttpError } from '../kit/vendor-server.js';
import { textAdf } from './adf.js';

/** Jira's error body: `{"errorMessages": [...], "errors": {"field": "message"}}`. */
export function jiraError(
  status: number,
  errorMessages: string[],
  errors: Record<string, string> = {},
): VendorHttpError {
  return new VendorHttpError(status, { errorMessages, errors });
}

export const NO_ISSUE = 'Issue does not exist or you do not have permission to see it.';

/** REST v2 (Server / Data Center; wiki text) or v3 (Cloud; ADF). */
export type ApiVersion = 2 | 3;

export interface JiraUser {
  readonly accountId: string;
  readonly name: string;
  readonly displayName: string;
  readonly emailAddress: string;
}

export interface StoredComment {
  readonly id: string;
  /** Plain text, whichever version wrote it. */
  readonly body: string;
  readonly author: JiraUser;
  readonly created: string;
  readonly properties: Map<string, unknown>;
}

export interface StoredIssue {
  readonly id: string;
  readonly key: string;
  readonly project: string;
  readonly number: number;
  /** Creation order, for ORDER BY created. */
  readonly seq: number;
  summary: string;
  /** Plain text, or null when there is none. */
  description: string | null;
  status: string;
  issueType: string;
  assignee: JiraUser | null;
  reporter: JiraUser;
  priority: string;
  labels: string[];
  parent: string | null;
  custom: Record<string, unknown>;
  readonly properties: Map<string, unknown>;
  readonly comments: StoredComment[];
  readonly created: string;
  updated: string;
}

const CATEGORIES = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
};

/** The workflow: four statuses, any status may move to any other (one transition per target). */
export const STATUSES = [
  {
    id: '10000',
    name: 'To Do',
    category: CATEGORIES.new,
    transition: { id: '11', name: 'Reopen' },
  },
  {
    id: '3',
    name: 'In Progress',
    category: CATEGORIES.indeterminate,
    transition: { id: '21', name: 'Start work' },
  },
  {
    id: '10001',
    name: 'In Review',
    category: CATEGORIES.indeterminate,
    transition: { id: '31', name: 'Request review' },
  },
  {
    id: '10002',
    name: 'Done',
    category: CATEGORIES.done,
    transition: { id: '41', name: 'Resolve' },
  },
] as const;

export const ISSUE_TYPES = [
  { id: '10001', name: 'Task', hierarchyLevel: 0 },
  { id: '10002', name: 'Bug', hierarchyLevel: 0 },
  { id: '10003', name: 'Story', hierarchyLevel: 0 },
  { id: '10000', name: 'Epic', hierarchyLevel: 1 },
  { id: '10004', name: 'Sub-task', hierarchyLevel: -1 },
] as const;

export const PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'];

export function findStatus(name: string) {
  return STATUSES.find((s) => s.name.toLowerCase() === name.toLowerCase());
}

export function findIssueType(name: string) {
  return ISSUE_TYPES.find((t) => t.name.toLowerCase() === name.toLowerCase());
}

/** Jira's timestamp format: 2024-05-01T10:00:00.000+0000. */
export function jiraTime(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}

/** Renders stored data the way each REST version does. */
export class JiraRenderer {
  constructor(readonly base: () => string) {}

  user(user: JiraUser, version: ApiVersion) {
    const common = { displayName: user.displayName, emailAddress: user.emailAddress, active: true };
    return version === 3
      ? {
          self: `${this.base()}/rest/api/3/user?accountId=${user.accountId}`,
          accountId: user.accountId,
          accountType: 'atlassian',
          timeZone: 'Europe/Paris',
          ...common,
        }
      : {
          self: `${this.base()}/rest/api/2/user?username=${user.name}`,
          name: user.name,
          key: user.name,
          timeZone: 'Europe/Paris',
          ...common,
        };
  }

  status(name: string, version: ApiVersion) {
    const status = findStatus(name) ?? STATUSES[0];
    return {
      self: `${this.base()}/rest/api/${version}/status/${status.id}`,
      description: '',
      iconUrl: `${this.base()}/images/icons/status_generic.gif`,
      name: status.name,
      id: status.id,
      statusCategory: {
        self: `${this.base()}/rest/api/${version}/statuscategory/${status.category.id}`,
        ...status.category,
      },
    };
  }

  issueType(name: string, version: ApiVersion) {
    const type = findIssueType(name) ?? ISSUE_TYPES[0];
    return {
      self: `${this.base()}/rest/api/${version}/issuetype/${type.id}`,
      id: type.id,
      description: '',
      iconUrl: `${this.base()}/images/icons/issuetypes/task.svg`,
      name: type.name,
      subtask: type.hierarchyLevel < 0,
      hierarchyLevel: type.hierarchyLevel,
    };
  }

  richText(text: string | null, version: ApiVersion) {
    if (text === null) return null;
    return version === 3 ? textAdf(text) : text;
  }

  /** Every field of an issue; `lookup` finds the parent. */
  fields(
    issue: StoredIssue,
    version: ApiVersion,
    lookup: (key: string) => StoredIssue | undefined,
  ) {
    const parent = issue.parent === null ? undefined : lookup(issue.parent);
    const priority = PRIORITIES.indexOf(issue.priority) + 1;
    return {
      summary: issue.summary,
      description: this.richText(issue.description, version),
      status: this.status(issue.status, version),
      issuetype: this.issueType(issue.issueType, version),
      project: {
        self: `${this.base()}/rest/api/${version}/project/${issue.project}`,
        id: String(10000 + issue.project.length),
        key: issue.project,
        name: issue.project,
        projectTypeKey: 'software',
      },
      assignee: issue.assignee === null ? null : this.user(issue.assignee, version),
      reporter: this.user(issue.reporter, version),
      priority: {
        self: `${this.base()}/rest/api/${version}/priority/${priority}`,
        iconUrl: `${this.base()}/images/icons/priorities/${issue.priority.toLowerCase()}.svg`,
        name: issue.priority,
        id: String(priority),
      },
      labels: [...issue.labels],
      created: issue.created,
      updated: issue.updated,
      ...(parent === undefined
        ? {}
        : {
            parent: {
              id: parent.id,
              key: parent.key,
              self: `${this.base()}/rest/api/${version}/issue/${parent.id}`,
              fields: {
                summary: parent.summary,
                status: this.status(parent.status, version),
                issuetype: this.issueType(parent.issueType, version),
              },
            },
          }),
      ...issue.custom,
    };
  }

  comment(
    issue: StoredIssue,
    comment: StoredComment,
    version: ApiVersion,
    withProperties: boolean,
  ) {
    return {
      self: `${this.base()}/rest/api/${version}/issue/${issue.id}/comment/${comment.id}`,
      id: comment.id,
      author: this.user(comment.author, version),
      body: this.richText(comment.body, version),
      updateAuthor: this.user(comment.author, version),
      created: comment.created,
      updated: comment.created,
      jsdPublic: true,
      ...(withProperties
        ? { properties: [...comment.properties].map(([key, value]) => ({ key, value })) }
        : {}),
    };
  }

  transition(status: (typeof STATUSES)[number], version: ApiVersion) {
    return {
      id: status.transition.id,
      name: status.transition.name,
      to: this.status(status.name, version),
      hasScreen: false,
      isGlobal: true,
      isInitial: false,
      isAvailable: true,
      isConditional: false,
      isLooped: false,
    };
  }
}
