import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VendorServer } from '../kit/vendor-server.js';
import { GitRepository, type RepositoryFile } from '../github/git-repository.js';
import { initBareRepository } from '../github/initial-commit.js';
import { basicUser, runHttpBackend, type GitRequest } from '../github/smart-http.js';
import { gitlabDescription, type GitLabDescription } from './gitlab-description.js';
import { gitlabHandlers } from './gitlab-handlers.js';
import { gitlabError, gitlabJson, type GitLabJson } from './gitlab-json.js';
import {
  askForReview,
  type CommitStatus,
  type GitLabUser,
  type MergeRequest,
  type Note,
  type Project,
} from './gitlab-state.js';

const roots = new Set<string>();
process.once('exit', () => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

// GitLab serves a project's repository at /<namespace>/<project>.git (namespaces nest).
const GIT_ROUTE = /^\/(.+)\/([^/]+?)\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/;

/**
 * A local GitLab: the REST API (/api/v4) for the endpoints aidev uses, every request validated
 * against GitLab's published OpenAPI description or, where that has none, the operations
 * written from GitLab's REST documentation (counted apart); and git's smart HTTP at
 * /<group>/<project>.git on the same port, HTTP Basic with the token as password. Each project
 * is a real bare repository: a push is seen by the API, a branch made by the API is cloned.
 */
export class GitLabServer {
  readonly projects = new Map<string, Project>();
  readonly users = new Map<string, GitLabUser>();
  readonly gitRequests: GitRequest[] = [];
  readonly tokenUser: GitLabUser;
  json: GitLabJson;
  private nextId = { project: 1, user: 2, mr: 100, note: 1001, status: 5001 };

  private constructor(
    readonly http: VendorServer,
    readonly token: string,
    readonly description: GitLabDescription,
    private readonly root: string,
    botName: string,
  ) {
    this.tokenUser = { id: 1, username: botName, name: 'aidev' };
    this.json = gitlabJson('');
    this.reset();
  }

  static async start(options: { token: string; bot?: string }): Promise<GitLabServer> {
    const holder: { server?: GitLabServer } = {};
    const self = () => holder.server as GitLabServer;
    const description = await gitlabDescription();
    const handlers = gitlabHandlers(self);
    const http = new VendorServer({
      name: 'GitLab',
      definition: description.document,
      handlers,
      // Every answer the server builds is GitLab's JSON: each is checked against its entity
      // (the operations written from the REST docs describe no answers: nothing to check).
      checkResponses: Object.keys(handlers).filter((id) => description.published.has(id)),
      errorBody: gitlabError,
      serveOther: (req, res) => self().serveGit(req, res),
    });
    const root = mkdtempSync(path.join(tmpdir(), 'aidev-gitlab-'));
    roots.add(root);
    holder.server = new GitLabServer(
      http,
      options.token,
      description,
      root,
      options.bot ?? 'aidev-bot',
    );
    await http.start();
    holder.server.json = gitlabJson(http.url);
    return holder.server;
  }

  get url(): string {
    return this.http.url;
  }

  /**
   * Requests validated against GitLab's published description, and against the documented ones;
   * `answers`: the server's JSON answers checked against GitLab's entities.
   */
  validated(): {
    published: number;
    documented: number;
    other: number;
    injected: number;
    answers: number;
  } {
    // A scripted fault answers before validation: such requests are counted apart.
    const checked = this.http.requests.filter((r) => r.injected !== true);
    const count = (ids: ReadonlySet<string>) =>
      checked.filter((r) => r.operationId !== undefined && ids.has(r.operationId)).length;
    const published = count(this.description.published);
    const documented = count(this.description.documented);
    return {
      published,
      documented,
      other: checked.length - published - documented,
      injected: this.http.requests.length - checked.length,
      answers: this.http.checkedAnswers,
    };
  }

  /** Forgets every project, user but aidev's, and request. */
  reset(): void {
    for (const project of this.projects.values()) project.repository.close();
    this.projects.clear();
    this.users.clear();
    // Ids start again, as a fresh GitLab's would: a project made anew has its old id.
    this.nextId = { project: 1, user: 2, mr: 100, note: 1001, status: 5001 };
    this.users.set(this.tokenUser.username.toLowerCase(), this.tokenUser);
    this.gitRequests.length = 0;
    this.http.resetTraffic();
  }

  addUser(username: string): GitLabUser {
    const existing = this.userByName(username);
    if (existing !== undefined) return existing;
    const user = { id: this.nextId.user++, username, name: username };
    this.users.set(username.toLowerCase(), user);
    return user;
  }

  userByName(username: string): GitLabUser | undefined {
    return this.users.get(username.toLowerCase());
  }

  userById(id: number): GitLabUser | undefined {
    return [...this.users.values()].find((u) => u.id === id);
  }

  /** A project with these files on its default branch; aidev's token user is a Developer. */
  createProject(
    fullPath: string,
    files: Readonly<Record<string, RepositoryFile>>,
    defaultBranch = 'main',
  ): Project {
    const id = this.nextId.project++;
    const dir = path.join(this.root, `${id}.git`);
    // A project made anew after reset() gets its old id: none of the old repository stays.
    rmSync(dir, { recursive: true, force: true });
    initBareRepository(dir, files, defaultBranch);
    const [namespace = '', name = ''] = [
      path.posix.dirname(fullPath),
      path.posix.basename(fullPath),
    ];
    const project: Project = {
      id,
      path: fullPath,
      repository: new GitRepository(namespace, name, defaultBranch, dir),
      visibility: 'private',
      members: new Map([[this.tokenUser.id, 30]]),
      mergeRequests: [],
      statuses: [],
    };
    this.projects.set(fullPath.toLowerCase(), project);
    return project;
  }

  /** A project by numeric id or path (`acme/shop`). */
  project(idOrPath: string): Project | undefined {
    if (/^\d+$/.test(idOrPath))
      return [...this.projects.values()].find((p) => p.id === Number(idOrPath));
    return this.projects.get(idOrPath.toLowerCase());
  }

  addMergeRequest(
    project: Project,
    fields: Pick<
      MergeRequest,
      'title' | 'description' | 'sourceBranch' | 'targetBranch' | 'labels' | 'reviewerIds'
    >,
  ): MergeRequest {
    const iid = project.mergeRequests.length + 1;
    const reviewerIds = fields.reviewerIds.filter((r) => project.members.has(r));
    const mr: MergeRequest = {
      ...fields,
      reviewerIds: [],
      reviewRequests: [],
      reviewerStates: new Map(),
      id: this.nextId.mr++,
      iid,
      author: this.tokenUser,
      state: 'opened',
      discussions: [],
      createdAt: new Date().toISOString(),
    };
    askForReview(mr, reviewerIds);
    project.mergeRequests.push(mr);
    return mr;
  }

  note(fields: Pick<Note, 'body' | 'author' | 'type'> & Pick<Partial<Note>, 'position'>): Note {
    return { ...fields, id: this.nextId.note++, createdAt: new Date().toISOString() };
  }

  discussionId(): string {
    return randomBytes(20).toString('hex');
  }

  /** Someone comments on a line of a merge request's diff: a new thread. The note's id. */
  addDiffNote(
    project: Project,
    iid: number,
    comment: { author: string; body: string; path: string; line: number; headSha: string },
  ): number {
    const mr = project.mergeRequests.find((m) => m.iid === iid);
    if (mr === undefined) throw new Error(`no merge request !${iid}`);
    const note = this.note({
      body: comment.body,
      author: this.addUser(comment.author),
      type: 'DiffNote',
      position: { path: comment.path, line: comment.line, headSha: comment.headSha },
    });
    mr.discussions.push({ id: this.discussionId(), individualNote: false, notes: [note] });
    return note.id;
  }

  /** A status on a commit: a pipeline job's (with `job`) or an external CI's. */
  addStatus(
    project: Project,
    status: Omit<CommitStatus, 'id' | 'targetUrl'> & { targetUrl?: string },
  ): CommitStatus {
    const id = this.nextId.status++;
    const made: CommitStatus = {
      ...status,
      id,
      targetUrl: status.targetUrl ?? `${this.url}/${project.path}/-/jobs/${id}`,
    };
    project.statuses.push(made);
    return made;
  }

  async close(): Promise<void> {
    for (const project of this.projects.values()) project.repository.close();
    await this.http.close();
    rmSync(this.root, { recursive: true, force: true });
    roots.delete(this.root);
  }

  /** git's smart HTTP: clone, fetch and push of a project's repository. */
  private async serveGit(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = GIT_ROUTE.exec(url.pathname);
    if (match === null) return false;
    const [, namespace = '', name = '', endpoint = ''] = match;
    const service = endpoint === 'info/refs' ? (url.searchParams.get('service') ?? '') : endpoint;
    const recorded: GitRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      service,
      status: 0,
    };
    this.gitRequests.push(recorded);
    const answer = (status: number, text: string, headers: Record<string, string> = {}) => {
      recorded.status = status;
      req.resume();
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(text);
      return true;
    };
    if (basicUser(req.headers.authorization, (secret) => secret === this.token) === undefined)
      return answer(401, 'HTTP Basic: Access denied.\n', {
        'www-authenticate': 'Basic realm="GitLab"',
      });
    const project = this.project(`${namespace}/${name}`);
    if (project === undefined)
      return answer(404, 'The project you were looking for could not be found.\n');
    if (service !== 'git-upload-pack' && service !== 'git-receive-pack')
      return answer(403, 'Git access over HTTP is limited to the smart protocol.\n');
    await runHttpBackend(req, res, recorded, {
      GIT_PROJECT_ROOT: path.dirname(project.repository.dir),
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: `/${path.basename(project.repository.dir)}${endpoint === 'info/refs' ? '/info/refs' : `/${endpoint}`}`,
      REQUEST_METHOD: req.method ?? 'GET',
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: 'oauth2',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      ...(typeof req.headers['git-protocol'] === 'string'
        ? { HTTP_GIT_PROTOCOL: req.headers['git-protocol'] }
        : {}),
    });
    return true;
  }
}
