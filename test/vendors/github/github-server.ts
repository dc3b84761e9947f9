import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VendorServer, type HandlerRequest } from '../kit/vendor-server.js';
import { githubDescription } from '../kit/descriptions.js';
import { FEEDBACK_OPERATIONS, newLogSecret, serveJobLog } from './feedback-handlers.js';
import {
  GitRepository,
  type CheckRun,
  type RepositoryFile,
  type ReviewComment,
} from './git-repository.js';
import { appHandlers } from './app-handlers.js';
import { GitHubAppState, type LocalGitHubApp } from './github-app-state.js';
import { githubHandlers } from './github-handlers.js';
import { DOCS, githubError } from './github-json.js';
import { initBareRepository } from './initial-commit.js';
import { serveSmartHttp, type GitRequest } from './smart-http.js';

/** Something to do before git answers a request (see GitHubServer.beforeGit). */
export interface GitHook {
  readonly when: (request: GitRequest) => boolean;
  readonly run: (repository: GitRepository) => void | Promise<void>;
}

// Every server's repositories go when the process does, even if a test forgot close().
const roots = new Set<string>();
process.once('exit', () => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/**
 * A local GitHub: the REST API for the endpoints aidev uses, every request validated against
 * GitHub's published description (@octokit/openapi), and git's smart HTTP protocol (clone,
 * fetch, push) at `/OWNER/REPO.git` on the same port. Each repository is a real bare git
 * repository in a temporary directory of this server's, so a push is seen by the REST API and
 * a commit made through the REST API is cloned by git.
 */
export class GitHubServer {
  readonly repos = new Map<string, GitRepository>();
  /** git's smart HTTP requests (REST requests are in `http.requests`). */
  readonly gitRequests: GitRequest[] = [];
  private readonly gitHooks: (GitHook & { done: boolean })[] = [];
  private nextPull = 1;
  private nextRepository = 1;
  private nextComment = 1001;
  /** Part of each job log's address (GitHub's are signed storage URLs). */
  readonly logSecret = newLogSecret();

  /** The GitHub App the server knows, if the test gave one. */
  readonly app: GitHubAppState | undefined;

  private constructor(
    readonly http: VendorServer,
    readonly token: string,
    private readonly root: string,
    app: LocalGitHubApp | undefined,
  ) {
    this.app = app === undefined ? undefined : new GitHubAppState(app);
  }

  /**
   * `token`: the personal token the server accepts. `app`: a GitHub App whose JWTs it checks
   * and whose installation tokens it then accepts like the token, for the installations'
   * repositories only.
   */
  static async start(options: { token: string; app?: LocalGitHubApp }): Promise<GitHubServer> {
    const holder: { server?: GitHubServer } = {};
    const self = () => holder.server as GitHubServer;
    const http = new VendorServer({
      name: 'GitHub',
      definition: await githubDescription(),
      handlers: { ...githubHandlers(self), ...appHandlers(self) },
      errorBody: (status, message) => ({
        message,
        documentation_url: DOCS,
        status: String(status),
      }),
      checkResponses: FEEDBACK_OPERATIONS,
      // Job logs and git's smart HTTP on the same port, before the REST router sees a request.
      serveOther: async (req, res) =>
        serveJobLog(req, res, self()) ||
        serveSmartHttp(req, res, {
          accepts: (password, owner) => self().accepts(password, owner),
          repository: (owner, name) => self().repos.get(`${owner}/${name}`.toLowerCase()),
          requests: self().gitRequests,
          before: (request, repository) => self().runGitHooks(request, repository),
        }),
    });
    const root = mkdtempSync(path.join(tmpdir(), 'aidev-github-'));
    roots.add(root);
    holder.server = new GitHubServer(http, options.token, root, options.app);
    await http.start();
    return holder.server;
  }

  get url(): string {
    return this.http.url;
  }

  /** Where git clones a repository from (no credentials: they go in a header). */
  cloneUrl(fullName: string): string {
    return `${this.url}/${fullName}.git`;
  }

  /**
   * A repository with these files on its default branch in one commit, replacing any of the
   * same name. A file is text, a Buffer, `{ content, executable: true }` or `{ symlink }`.
   */
  createRepository(
    fullName: string,
    files: Readonly<Record<string, RepositoryFile>>,
    defaultBranch = 'main',
  ): GitRepository {
    const [owner = '', name = ''] = fullName.split('/');
    const key = fullName.toLowerCase();
    const previous = this.repos.get(key);
    if (previous !== undefined) {
      previous.close();
      rmSync(previous.dir, { recursive: true, force: true });
    }
    const dir = path.join(this.root, `${this.nextRepository++}.git`);
    initBareRepository(dir, files, defaultBranch);
    const repo = new GitRepository(owner, name, defaultBranch, dir);
    this.repos.set(key, repo);
    return repo;
  }

  /**
   * Runs `run` before git answers the next request that `when` matches (once): what someone
   * else does at that moment, such as pushing to the branch between a clone and a push.
   */
  beforeGit(hook: GitHook): void {
    this.gitHooks.push({ ...hook, done: false });
  }

  /** @internal the smart HTTP server's `before`. */
  async runGitHooks(request: GitRequest, repository: GitRepository): Promise<void> {
    const hook = this.gitHooks.find((h) => !h.done && h.when(request));
    if (hook === undefined) return;
    hook.done = true;
    await hook.run(repository);
  }

  /** git requests for one service (`git-upload-pack`, `git-receive-pack`), or all. */
  countGit(service?: string): number {
    return this.gitRequests.filter((r) => service === undefined || r.service === service).length;
  }

  reset(): void {
    for (const repo of this.repos.values()) {
      repo.close();
      rmSync(repo.dir, { recursive: true, force: true });
    }
    this.repos.clear();
    this.nextPull = 1;
    this.nextComment = 1001;
    this.gitRequests.length = 0;
    this.gitHooks.length = 0;
    this.http.resetTraffic();
  }

  /** Stops serving and removes the repositories. */
  async close(): Promise<void> {
    await this.http.close();
    for (const repo of this.repos.values()) repo.close();
    await rm(this.root, { recursive: true, force: true });
    roots.delete(this.root);
  }

  /**
   * The credentials of a REST request: the token, or a live installation token (which GitHub
   * refuses once it has expired). Answers the installation's account, or undefined for the token.
   */
  authenticate(request: HandlerRequest): { account?: string } {
    const authorization = String(request.headers.authorization ?? '');
    const given = /^(?:token|Bearer)\s+(\S+)$/i.exec(authorization)?.[1] ?? '';
    if (given === this.token) return {};
    const issued = this.app?.tokenFor(given);
    if (issued === undefined) throw githubError(401, 'Bad credentials');
    return { account: issued.account };
  }

  /** Whether git's password is good for `owner`'s repositories. */
  accepts(password: string, owner: string): boolean {
    if (password === this.token) return true;
    const issued = this.app?.tokenFor(password);
    return issued !== undefined && issued.account.toLowerCase() === owner.toLowerCase();
  }

  repo(request: HandlerRequest): GitRepository {
    const { account } = this.authenticate(request);
    const owner = request.params.owner ?? '';
    const repo = this.repos.get(`${owner}/${request.params.repo ?? ''}`.toLowerCase());
    // An installation's token sees its account's repositories only; others do not exist for it.
    if (
      repo === undefined ||
      (account !== undefined && account.toLowerCase() !== owner.toLowerCase())
    )
      throw githubError(404, 'Not Found', `${DOCS}/repos/repos#get-a-repository`);
    return repo;
  }

  /** Someone submits a review: GitHub no longer lists them among the requested reviewers. */
  submitReview(fullName: string, number: number, login: string): void {
    const pull = this.repos.get(fullName.toLowerCase())?.pulls.find((p) => p.number === number);
    if (pull === undefined) throw new Error(`no pull request ${fullName}#${number}`);
    pull.reviewers = pull.reviewers.filter((r) => r !== login);
    pull.reviewedBy.push(login);
  }

  /** Someone comments on a line of a pull request's diff; returns the comment's id. */
  addReviewComment(
    fullName: string,
    number: number,
    comment: { author: string; body: string; path: string; line: number; reviewId?: number },
  ): number {
    const repo = this.repos.get(fullName.toLowerCase());
    const pull = repo?.pulls.find((p) => p.number === number);
    if (repo === undefined || pull === undefined)
      throw new Error(`no pull request ${fullName}#${number}`);
    const made: ReviewComment = {
      ...comment,
      id: this.takeCommentId(),
      pull: number,
      commitId: repo.refs.get(`heads/${pull.head}`) ?? '',
      inReplyTo: undefined,
      createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    repo.reviewComments.push(made);
    return made.id;
  }

  /** A check run finishes on a commit (an Actions job with its log, or another app's check). */
  addCheckRun(fullName: string, run: Omit<CheckRun, 'id'>): number {
    const repo = this.repos.get(fullName.toLowerCase());
    if (repo === undefined) throw new Error(`no repository ${fullName}`);
    const id = this.takeCommentId();
    repo.checkRuns.push({ ...run, id });
    return id;
  }

  /** Ids of comments, review comments and check runs (GitHub's are unique across a host). */
  takeCommentId(): number {
    return this.nextComment++;
  }

  takePullNumber(): number {
    return this.nextPull++;
  }
}
