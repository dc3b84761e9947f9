import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VendorServer, type HandlerRequest } from '../kit/vendor-server.js';
import { githubDescription } from '../kit/descriptions.js';
import { GitRepository, type RepositoryFile } from './git-repository.js';
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

  private constructor(
    readonly http: VendorServer,
    readonly token: string,
    private readonly root: string,
  ) {}

  static async start(options: { token: string }): Promise<GitHubServer> {
    const holder: { server?: GitHubServer } = {};
    const self = () => holder.server as GitHubServer;
    const http = new VendorServer({
      name: 'GitHub',
      definition: await githubDescription(),
      handlers: githubHandlers(self),
      errorBody: (status, message) => ({
        message,
        documentation_url: DOCS,
        status: String(status),
      }),
      // git's smart HTTP on the same port, before the REST router sees the request.
      serveOther: (req, res) =>
        serveSmartHttp(req, res, {
          token: () => self().token,
          repository: (owner, name) => self().repos.get(`${owner}/${name}`.toLowerCase()),
          requests: self().gitRequests,
          before: (request, repository) => self().runGitHooks(request, repository),
        }),
    });
    const root = mkdtempSync(path.join(tmpdir(), 'aidev-github-'));
    roots.add(root);
    holder.server = new GitHubServer(http, options.token, root);
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

  authenticate(request: HandlerRequest): void {
    const authorization = String(request.headers.authorization ?? '');
    if (authorization !== `token ${this.token}` && authorization !== `Bearer ${this.token}`)
      throw githubError(401, 'Bad credentials');
  }

  repo(request: HandlerRequest): GitRepository {
    this.authenticate(request);
    const repo = this.repos.get(
      `${request.params.owner ?? ''}/${request.params.repo ?? ''}`.toLowerCase(),
    );
    if (repo === undefined)
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

  takePullNumber(): number {
    return this.nextPull++;
  }
}
