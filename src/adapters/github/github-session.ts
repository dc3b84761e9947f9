import type { InstallationAccessTokenAuthentication } from '@octokit/auth-app';
import { StepError } from '../../engine/step-errors.js';
import type { CommitIdentity } from '../../git/commit-patch.js';
import type { Logger } from '../../log/create-logger.js';
import type { ForgeIdentity } from '../../plugins/interfaces/version-control.js';
import type { ServiceGuard } from '../../resilience/service-guard.js';
import { VendorError } from '../../resilience/vendor-error.js';
import {
  createGitHubClient,
  hasStatus,
  webUrlOf,
  type GitHubClient,
  type GitHubLimits,
} from './github-client.js';
import { installationTokenCache } from './installation-token-cache.js';

/**
 * How the GitHub plugin signs in, whichever way it was given: the client for a repository's
 * calls, the token git sends for it, who commits, and who aidev is on GitHub.
 */
export interface GitHubSession {
  clientFor(owner: string, repo: string): Promise<GitHubClient>;
  /** The password of git's HTTP Basic (user `x-access-token`) for a repository. */
  gitToken(owner: string, repo: string): Promise<string>;
  /**
   * The author of commits to a repository made through the REST API: undefined lets GitHub
   * use the signed-in account. Commits pushed with git use {@link gitAuthor}.
   */
  restAuthor(owner: string, repo: string): Promise<CommitIdentity | undefined>;
  gitAuthor(owner: string, repo: string): Promise<CommitIdentity>;
  identity(): Promise<ForgeIdentity>;
  /** Signs in (connect, health): who aidev is, as the health check shows it. */
  signIn(): Promise<string>;
}

interface Common {
  readonly apiUrl: string;
  readonly limits: GitHubLimits;
  readonly guard: ServiceGuard;
  readonly logger: Logger;
}

/** A token's session: one client, the token for git, the configured commit author. */
export function tokenSession(
  options: Common & { readonly token: string; readonly commitAuthor: CommitIdentity },
): GitHubSession {
  const client = createGitHubClient({ ...options, auth: { token: options.token } });
  let user: Promise<string> | undefined;
  const login = () => {
    user ??= client.rest.users.getAuthenticated().then(
      ({ data }) => data.login,
      (error: unknown) => {
        user = undefined;
        throw error;
      },
    );
    return user;
  };
  return {
    clientFor: () => Promise.resolve(client),
    gitToken: () => Promise.resolve(options.token),
    restAuthor: () => Promise.resolve(undefined),
    gitAuthor: () => Promise.resolve(options.commitAuthor),
    async identity() {
      const name = await login();
      return { login: name, mentions: [name] };
    },
    async signIn() {
      // Each sign-in asks again: a revoked token shows in the health check.
      user = undefined;
      return login();
    },
  };
}

/** Each repository's installation is asked again after this long (an App reinstalled). */
const INSTALLATION_TTL_MS = 60 * 60_000;

/**
 * A GitHub App's session (@octokit/auth-app): the App signs in with a JWT made from its key to
 * read itself (`GET /app`) and find each repository's installation; each installation has a
 * client whose token auth-app makes and renews (one token store for all of them, honouring
 * `expires_at`); git sends that token; commits are the App's bot's.
 */
export function appSession(
  options: Common & {
    readonly appId: string;
    readonly privateKey: string;
    readonly installationId: number | undefined;
    readonly now?: () => number;
  },
): GitHubSession {
  const cache = installationTokenCache(options.now);
  const auth = { appId: options.appId, privateKey: options.privateKey, cache };
  const appClient = createGitHubClient({ ...options, auth });
  const clients = new Map<number, GitHubClient>();
  const installations = new Map<string, { id: Promise<number>; until: number }>();
  const now = options.now ?? Date.now;

  const app = remembered(async () => {
    try {
      const { data } = await appClient.rest.apps.getAuthenticated();
      if (data === null || data.slug === undefined) throw new Error('GitHub answered no App');
      return { slug: data.slug, name: data.name };
    } catch (error) {
      throw refusedApp(error, options.appId);
    }
  });
  const bot = remembered(async (client: GitHubClient) => {
    const login = `${(await app()).slug}[bot]`;
    const { data } = await client.rest.users.getByUsername({ username: login });
    return { login, id: data.id };
  });

  function installationOf(owner: string, repo: string): Promise<number> {
    if (options.installationId !== undefined) return Promise.resolve(options.installationId);
    const key = `${owner}/${repo}`.toLowerCase();
    const known = installations.get(key);
    if (known !== undefined && known.until > now()) return known.id;
    const id = appClient.rest.apps.getRepoInstallation({ owner, repo }).then(
      ({ data }) => data.id,
      async (error: unknown) => {
        installations.delete(key);
        if (!hasStatus(error, 404)) throw error;
        const slug = await app().then(
          (a) => a.slug,
          () => undefined,
        );
        throw new StepError(
          `the GitHub App ${slug ?? options.appId} is not installed on ${owner}/${repo}: install it there (${webUrlOf(options.apiUrl)}/apps/${slug ?? '<app>'}/installations/new), or set GITHUB_APP_INSTALLATION_ID`,
          { code: 'not_found', cause: error },
        );
      },
    );
    installations.set(key, { id, until: now() + INSTALLATION_TTL_MS });
    return id;
  }

  async function clientFor(owner: string, repo: string): Promise<GitHubClient> {
    const installationId = await installationOf(owner, repo);
    let client = clients.get(installationId);
    if (client === undefined) {
      client = createGitHubClient({ ...options, auth: { ...auth, installationId } });
      clients.set(installationId, client);
    }
    return client;
  }

  async function gitAuthor(owner: string, repo: string): Promise<CommitIdentity> {
    const { login, id } = await bot(await clientFor(owner, repo));
    // GitHub links a commit to the bot by this address (the bot's user id, then its login).
    return { name: login, email: `${id}+${login}@users.noreply.github.com` };
  }

  return {
    clientFor,
    async gitToken(owner, repo) {
      const client = await clientFor(owner, repo);
      // From auth-app's store while it is fresh, else a new one (POST …/access_tokens).
      const authentication = (await client.auth({
        type: 'installation',
      })) as InstallationAccessTokenAuthentication;
      return authentication.token;
    },
    restAuthor: gitAuthor,
    gitAuthor,
    async identity() {
      const { slug } = await app();
      return { login: `${slug}[bot]`, mentions: [slug] };
    },
    async signIn() {
      app.forget();
      const { slug } = await app();
      return `${slug}[bot] (GitHub App ${options.appId})`;
    },
  };
}

/**
 * A value asked of GitHub once; a failure is not remembered (the next call asks again), and
 * `forget` makes the next call ask again (a sign-in checks that the credentials still work).
 */
function remembered<A extends unknown[], T>(get: (...args: A) => Promise<T>) {
  let value: Promise<T> | undefined;
  return Object.assign(
    (...args: A): Promise<T> => {
      value ??= get(...args).catch((error: unknown) => {
        value = undefined;
        throw error;
      });
      return value;
    },
    {
      forget() {
        value = undefined;
      },
    },
  );
}

/**
 * GitHub refusing the App's JWT (401) says little ("A JSON web token could not be decoded"):
 * say which settings to check.
 */
function refusedApp(error: unknown, appId: string): unknown {
  if (!(error instanceof VendorError) || error.status !== 401) return error;
  const said = error.message.replace(/^.*? answered 401: /, '');
  return new VendorError(
    `GitHub refused to sign in as GitHub App ${appId} (GET /app answered 401: ${said}): check that GITHUB_APP_PRIVATE_KEY is a private key of that App (its settings page → Private keys) and GITHUB_APP_ID its App ID, and that this machine's clock is right`,
    { service: 'github', status: 401, code: error.code, retryable: false, cause: error },
  );
}
