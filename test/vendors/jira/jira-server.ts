import { VendorServer, type HandlerRequest } from '../kit/vendor-server.js';
import { jiraHandlers } from './jira-handlers.js';
import { jiraServerDescription } from './jira-description.js';
import {
  findIssueType,
  findStatus,
  jiraError,
  jiraTime,
  JiraRenderer,
  NO_ISSUE,
  type ApiVersion,
  type JiraUser,
  type StoredComment,
  type StoredIssue,
} from './jira-model.js';

export interface JiraCredentials {
  /** Jira Cloud: Basic email:apiToken. */
  readonly email?: string;
  readonly apiToken?: string;
  /** Server / Data Center: Bearer personal access token. */
  readonly pat?: string;
}

export interface GivenIssue {
  key: string;
  title: string;
  status?: string;
  description?: string;
  labels?: string[];
  issueType?: string;
  priority?: string;
  assignee?: string;
  parent?: string;
  custom?: Record<string, unknown>;
}

/**
 * A local Jira (Cloud REST v3 and Server / Data Center REST v2) for the endpoints aidev uses,
 * over in-memory projects, issues, comments, entity properties and a four-status workflow, with
 * every request validated against Jira's published description.
 */
export class JiraServer {
  readonly issues = new Map<string, StoredIssue>();
  readonly projects = new Set<string>();
  readonly render: JiraRenderer;
  /** The account both credentials sign in as. */
  readonly user: JiraUser = {
    accountId: '5b10ac8d82e05b22cc7d4ef5',
    name: 'aidev',
    displayName: 'aidev bot',
    emailAddress: 'aidev@example.com',
  };
  private seq = 0;
  private nextId = 10000;
  private nextCommentId = 10000;

  private constructor(
    readonly http: VendorServer,
    private readonly credentials: JiraCredentials,
  ) {
    this.render = new JiraRenderer(() => this.http.url);
  }

  /** `port`: where to listen (default any free one), e.g. one a test kept while Jira was "down". */
  static async start(credentials: JiraCredentials, port = 0): Promise<JiraServer> {
    const holder: { server?: JiraServer } = {};
    const http = new VendorServer({
      name: 'Jira',
      definition: await jiraServerDescription(),
      handlers: jiraHandlers(() => holder.server as JiraServer),
      errorBody: (_status, message) => ({ errorMessages: [message], errors: {} }),
    });
    holder.server = new JiraServer(http, credentials);
    await http.start(port);
    return holder.server;
  }

  get url(): string {
    return this.http.url;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** Forgets every project, issue and comment, and the recorded traffic. */
  reset(): void {
    this.issues.clear();
    this.projects.clear();
    this.seq = 0;
    this.http.resetTraffic();
  }

  givenProject(key: string): void {
    this.projects.add(key);
  }

  /** An issue as if someone had made it in Jira (its project is created when missing). */
  givenIssue(given: GivenIssue): StoredIssue {
    const match = /^([A-Z][A-Z0-9]*)-(\d+)$/.exec(given.key);
    if (match === null) throw new Error(`not a Jira issue key: ${given.key}`);
    const status = findStatus(given.status ?? 'To Do');
    const type = findIssueType(given.issueType ?? 'Task');
    if (status === undefined || type === undefined)
      throw new Error(`unknown status or issue type for ${given.key}`);
    this.projects.add(match[1] ?? '');
    const assignee =
      given.assignee === undefined
        ? null
        : { ...this.user, accountId: `acc-${given.assignee}`, displayName: given.assignee };
    return this.store({
      key: given.key,
      project: match[1] ?? '',
      number: Number(match[2]),
      summary: given.title,
      description: given.description ?? null,
      status: status.name,
      issueType: type.name,
      assignee,
      priority: given.priority ?? 'Medium',
      labels: given.labels ?? [],
      parent: given.parent ?? null,
      custom: given.custom ?? {},
    });
  }

  /** A new issue with the project's next number. */
  create(fields: Omit<GivenIssue, 'key'> & { project: string }): StoredIssue {
    const numbers = [...this.issues.values()]
      .filter((i) => i.project === fields.project)
      .map((i) => i.number);
    const number = Math.max(0, ...numbers) + 1;
    return this.store({
      key: `${fields.project}-${number}`,
      project: fields.project,
      number,
      summary: fields.title,
      description: fields.description ?? null,
      status: 'To Do',
      issueType: fields.issueType ?? 'Task',
      assignee: null,
      priority: 'Medium',
      labels: fields.labels ?? [],
      parent: fields.parent ?? null,
      custom: fields.custom ?? {},
    });
  }

  private store(
    fields: Omit<
      StoredIssue,
      'id' | 'seq' | 'reporter' | 'properties' | 'comments' | 'created' | 'updated'
    >,
  ): StoredIssue {
    const now = jiraTime(new Date(Date.now() + this.seq));
    const issue: StoredIssue = {
      ...fields,
      id: String(this.nextId++),
      seq: this.seq++,
      reporter: this.user,
      properties: new Map(),
      comments: [],
      created: now,
      updated: now,
    };
    this.issues.set(issue.key, issue);
    return issue;
  }

  addComment(issue: StoredIssue, body: string, properties: Map<string, unknown>): StoredComment {
    const comment: StoredComment = {
      id: String(this.nextCommentId++),
      body,
      author: this.user,
      created: jiraTime(new Date(Date.now() + issue.comments.length)),
      properties,
    };
    issue.comments.push(comment);
    return comment;
  }

  /** The plain text of an issue's comments, oldest first. */
  commentsOf(key: string): string[] {
    return (this.issues.get(key)?.comments ?? []).map((c) => c.body);
  }

  issue(key: string): StoredIssue | undefined {
    return this.issues.get(key);
  }

  /** The issue of a request's `issueIdOrKey`, or Jira's 404. */
  find(request: HandlerRequest): StoredIssue {
    const wanted = decodeURIComponent(request.params.issueIdOrKey ?? '');
    const issue =
      this.issues.get(wanted.toUpperCase()) ??
      [...this.issues.values()].find((i) => i.id === wanted);
    if (issue === undefined) throw jiraError(404, [NO_ISSUE]);
    return issue;
  }

  lookup = (key: string): StoredIssue | undefined => this.issues.get(key.toUpperCase());

  /** Checks the Authorization header: Basic email:apiToken, or Bearer with the PAT; else 401. */
  authenticate(request: HandlerRequest): void {
    const header = String(request.headers.authorization ?? '');
    const { email, apiToken, pat } = this.credentials;
    const basic =
      email !== undefined && apiToken !== undefined
        ? `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`
        : undefined;
    if (
      (basic !== undefined && header === basic) ||
      (pat !== undefined && header === `Bearer ${pat}`)
    )
      return;
    throw jiraError(401, [
      'You are not authenticated. Authentication required to perform this operation.',
    ]);
  }

  version(request: HandlerRequest): ApiVersion {
    return request.operationId.endsWith('V2') ? 2 : 3;
  }
}
