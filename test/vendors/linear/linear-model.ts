import { createHash, randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { matches, type Fields } from './linear-filters.js';

/** What the local Linear keeps: a workspace's teams, their states and labels, issues, … */
export interface TeamRecord {
  id: string;
  key: string;
  name: string;
  states: StateRecord[];
  labels: LabelRecord[];
  nextNumber: number;
}
export interface StateRecord {
  id: string;
  name: string;
  type: string;
  position: number;
}
export interface LabelRecord {
  id: string;
  name: string;
}
export interface IssueRecord {
  id: string;
  teamId: string;
  number: number;
  title: string;
  description: string | null;
  stateId: string;
  labelIds: string[];
  projectId: string | null;
  priority: number;
  estimate: number | null;
  assignee: string | null;
  createdAt: string;
  seq: number;
}
export interface ProjectRecord {
  id: string;
  name: string;
  content: string | null;
  teamIds: string[];
}
export interface CommentRecord {
  id: string;
  issueId: string;
  body: string;
  seq: number;
}
export interface AttachmentRecord {
  id: string;
  issueId: string;
  url: string;
  title: string;
  subtitle: string | null;
  metadata: Record<string, unknown>;
}

/** Linear's default workflow, as a new team gets it. */
const DEFAULT_STATES: readonly [string, string][] = [
  ['Backlog', 'backlog'],
  ['To Do', 'unstarted'],
  ['In Progress', 'started'],
  ['In Review', 'started'],
  ['Done', 'completed'],
  ['Canceled', 'canceled'],
];

const PRIORITY_LABELS = ['No priority', 'Urgent', 'High', 'Medium', 'Low'];

/** Linear's answer when an id names nothing ("Entity not found"). */
export function notFound(what: string): GraphQLError {
  return new GraphQLError(`Entity not found: ${what}`, {
    extensions: {
      type: 'invalid input',
      code: 'INPUT_ERROR',
      userPresentableMessage: `Could not find referenced ${what}.`,
    },
  });
}

export class LinearModel {
  readonly teams: TeamRecord[] = [];
  readonly issues: IssueRecord[] = [];
  readonly projects: ProjectRecord[] = [];
  readonly comments: CommentRecord[] = [];
  readonly attachments: AttachmentRecord[] = [];
  readonly viewer = {
    id: randomUUID(),
    name: 'aidev',
    displayName: 'aidev bot',
    email: 'aidev@example.com',
  };
  private seq = 0;

  constructor(private readonly webUrl: string) {}

  tick(): number {
    return ++this.seq;
  }

  team(key: string): TeamRecord {
    let team = this.teams.find((t) => t.key.toLowerCase() === key.toLowerCase());
    if (team === undefined) {
      // Ids from the key: a team keeps them across reset(), as a workspace keeps its teams.
      team = {
        id: stableId(`team:${key.toUpperCase()}`),
        key: key.toUpperCase(),
        name: `${key} team`,
        states: DEFAULT_STATES.map(([name, type], position) => ({
          id: stableId(`state:${key.toUpperCase()}:${name}`),
          name,
          type,
          position,
        })),
        labels: [],
        nextNumber: 1,
      };
      this.teams.push(team);
    }
    return team;
  }

  label(team: TeamRecord, name: string): LabelRecord {
    let label = team.labels.find((l) => l.name.toLowerCase() === name.toLowerCase());
    if (label === undefined) {
      label = { id: stableId(`label:${team.key}:${name.toLowerCase()}`), name };
      team.labels.push(label);
    }
    return label;
  }

  teamById(id: string): TeamRecord {
    const team = this.teams.find((t) => t.id === id);
    if (team === undefined) throw notFound('Team');
    return team;
  }

  identifier(issue: IssueRecord): string {
    return `${this.teamById(issue.teamId).key}-${issue.number}`;
  }

  /** By id or identifier, as Linear's `issue(id:)` takes either. */
  findIssue(id: string): IssueRecord | undefined {
    return this.issues.find((i) => i.id === id || this.identifier(i) === id.toUpperCase());
  }

  issue(id: string): IssueRecord {
    const issue = this.findIssue(id);
    if (issue === undefined) throw notFound('Issue');
    return issue;
  }

  state(issue: IssueRecord): StateRecord {
    return this.teamById(issue.teamId).states.find((s) => s.id === issue.stateId)!;
  }

  // ----- GraphQL views: plain objects whose functions are fields with arguments -----

  issueView(issue: IssueRecord): Record<string, unknown> {
    const team = this.teamById(issue.teamId);
    const identifier = this.identifier(issue);
    const project = this.projects.find((p) => p.id === issue.projectId);
    return {
      id: issue.id,
      identifier,
      number: issue.number,
      title: issue.title,
      description: issue.description,
      url: `${this.webUrl}/issue/${identifier}`,
      priority: issue.priority,
      priorityLabel: PRIORITY_LABELS[issue.priority] ?? 'No priority',
      estimate: issue.estimate,
      createdAt: issue.createdAt,
      updatedAt: issue.createdAt,
      state: this.state(issue),
      team: () => this.teamView(team),
      assignee:
        issue.assignee === null
          ? null
          : { id: issue.assignee, name: issue.assignee, displayName: issue.assignee },
      project: project === undefined ? null : this.projectView(project),
      parent: null,
      labels: () => connection(team.labels.filter((l) => issue.labelIds.includes(l.id))),
      comments: () =>
        connection(
          this.comments.filter((c) => c.issueId === issue.id).map((c) => this.commentView(c)),
        ),
      attachments: (args: { filter?: Record<string, unknown> }) =>
        connection(
          this.attachments.filter(
            (a) => a.issueId === issue.id && matches(a, args.filter, ATTACHMENT_FIELDS),
          ),
        ),
    };
  }

  teamView(team: TeamRecord): Record<string, unknown> {
    return {
      id: team.id,
      key: team.key,
      name: team.name,
      states: () => connection(team.states),
      labels: () => connection(team.labels),
    };
  }

  projectView(project: ProjectRecord): Record<string, unknown> {
    return {
      id: project.id,
      name: project.name,
      content: project.content,
      slugId: project.id.slice(0, 12),
      url: `${this.webUrl}/project/${project.id.slice(0, 12)}`,
    };
  }

  commentView(comment: CommentRecord): Record<string, unknown> {
    return {
      id: comment.id,
      body: comment.body,
      issue: () => this.issueView(this.issue(comment.issueId)),
    };
  }

  issueFilter(filter: Record<string, unknown> | undefined) {
    return (issue: IssueRecord) =>
      matches(issue, filter, ISSUE_FIELDS, {
        team: { get: (i: IssueRecord) => this.teamById(i.teamId), fields: TEAM_FIELDS },
        state: { get: (i: IssueRecord) => this.state(i), fields: STATE_FIELDS },
        project: {
          get: (i: IssueRecord) => this.projects.find((p) => p.id === i.projectId),
          fields: PROJECT_FIELDS,
        },
      });
  }
}

const ISSUE_FIELDS: Fields = {
  id: (i: IssueRecord) => i.id,
  title: (i: IssueRecord) => i.title,
  number: (i: IssueRecord) => i.number,
  priority: (i: IssueRecord) => i.priority,
  estimate: (i: IssueRecord) => i.estimate,
};
export const TEAM_FIELDS: Fields = {
  id: (t: TeamRecord) => t.id,
  key: (t: TeamRecord) => t.key,
  name: (t: TeamRecord) => t.name,
};
const STATE_FIELDS: Fields = {
  id: (s: StateRecord) => s.id,
  name: (s: StateRecord) => s.name,
  type: (s: StateRecord) => s.type,
};
export const PROJECT_FIELDS: Fields = {
  id: (p: ProjectRecord) => p.id,
  name: (p: ProjectRecord) => p.name,
};
export const COMMENT_FIELDS: Fields = {
  id: (c: CommentRecord) => c.id,
  body: (c: CommentRecord) => c.body,
};
const ATTACHMENT_FIELDS: Fields = {
  id: (a: AttachmentRecord) => a.id,
  url: (a: AttachmentRecord) => a.url,
  title: (a: AttachmentRecord) => a.title,
};

function stableId(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A Relay connection of one page (the model pages only the team's issues; see the server). */
export function connection<T>(
  nodes: readonly T[],
  hasNextPage = false,
  endCursor: string | null = null,
): Record<string, unknown> {
  return {
    nodes,
    edges: nodes.map((node, i) => ({ node, cursor: String(i) })),
    pageInfo: { hasNextPage, hasPreviousPage: false, endCursor, startCursor: null },
  };
}
