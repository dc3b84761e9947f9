import { VendorServer, type HandlerRequest } from '../kit/vendor-server.js';
import { githubDescription } from '../kit/descriptions.js';
import { GitRepository } from './git-model.js';
import { githubHandlers } from './github-handlers.js';
import { DOCS, githubError } from './github-json.js';

/**
 * A local GitHub REST API for the endpoints aidev uses, over an in-memory git model, with every
 * request validated against GitHub's published description (@octokit/openapi).
 */
export class GitHubServer {
  readonly repos = new Map<string, GitRepository>();
  private nextPull = 1;

  private constructor(
    readonly http: VendorServer,
    readonly token: string,
  ) {}

  static async start(options: { token: string }): Promise<GitHubServer> {
    const holder: { server?: GitHubServer } = {};
    const handlers = (self: () => GitHubServer) => githubHandlers(self);
    const http = new VendorServer({
      name: 'GitHub',
      definition: await githubDescription(),
      handlers: handlers(() => holder.server as GitHubServer),
      errorBody: (status, message) => ({
        message,
        documentation_url: DOCS,
        status: String(status),
      }),
    });
    holder.server = new GitHubServer(http, options.token);
    await http.start();
    return holder.server;
  }

  get url(): string {
    return this.http.url;
  }

  /** A repository with these files on its default branch, replacing any of the same name. */
  createRepository(
    fullName: string,
    files: Readonly<Record<string, string>>,
    defaultBranch = 'main',
  ): GitRepository {
    const [owner = '', name = ''] = fullName.split('/');
    const repo = new GitRepository(owner, name, defaultBranch, files);
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  reset(): void {
    this.repos.clear();
    this.nextPull = 1;
    this.http.resetTraffic();
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

  takePullNumber(): number {
    return this.nextPull++;
  }
}
