import type { Handler, HandlerRequest } from '../kit/vendor-server.js';
import type { GitHubAppState } from './github-app-state.js';
import { DOCS, githubError, userJson } from './github-json.js';
import type { GitHubServer } from './github-server.js';

const APP_DOCS = `${DOCS}/apps/apps`;

/** GitHub's `/app` routes for the server's App, and the user lookup that finds its bot. */
export function appHandlers(server: () => GitHubServer): Record<string, Handler> {
  const appOf = (request: HandlerRequest): GitHubAppState => {
    const state = server().app;
    if (state === undefined) throw githubError(401, 'A JSON web token could not be decoded');
    state.verifyJwt(String(request.headers.authorization ?? ''));
    return state;
  };
  const installationJson = (state: GitHubAppState, id: number, account: string) => ({
    id,
    account: userJson(account, server().url),
    app_id: state.app.id,
    app_slug: state.app.slug,
    target_id: 1,
    target_type: 'Organization',
    repository_selection: 'all',
    access_tokens_url: `${server().url}/app/installations/${id}/access_tokens`,
    repositories_url: `${server().url}/installation/repositories`,
    html_url: `https://github.com/organizations/${account}/settings/installations/${id}`,
    permissions: { contents: 'write', pull_requests: 'write', metadata: 'read' },
    events: ['pull_request'],
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  });

  return {
    'apps/get-authenticated': (request) => {
      const { app } = appOf(request);
      return {
        body: {
          id: app.id,
          slug: app.slug,
          node_id: `A_${app.id}`,
          client_id: `Iv1.${app.id}`,
          owner: userJson('acme', server().url),
          name: app.slug,
          description: null,
          external_url: 'https://aidev.example.com',
          html_url: `https://github.com/apps/${app.slug}`,
          created_at: '2024-01-01T00:00:00Z',
          updated_at: '2024-01-01T00:00:00Z',
          permissions: { contents: 'write', pull_requests: 'write', metadata: 'read' },
          events: ['pull_request'],
          installations_count: app.installations.length,
        },
      };
    },
    'apps/get-repo-installation': (request) => {
      const state = appOf(request);
      const owner = request.params.owner ?? '';
      const repo = server().repos.get(`${owner}/${request.params.repo ?? ''}`.toLowerCase());
      const installation = state.installationFor(owner);
      if (repo === undefined || installation === undefined)
        throw githubError(
          404,
          'Not Found',
          `${APP_DOCS}#get-a-repository-installation-for-the-authenticated-app`,
        );
      return { body: installationJson(state, installation.id, installation.account) };
    },
    'apps/create-installation-access-token': (request) => {
      const state = appOf(request);
      const id = Number(request.params.installation_id);
      if (state.installation(id) === undefined)
        throw githubError(
          404,
          'Not Found',
          `${APP_DOCS}#create-an-installation-access-token-for-an-app`,
        );
      const { token, expiresAt } = state.createToken(id);
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          permissions: { contents: 'write', pull_requests: 'write', metadata: 'read' },
          repository_selection: 'all',
        },
      };
    },
    'users/get-by-username': (request) => {
      server().authenticate(request);
      const login = decodeURIComponent(request.params.username ?? '');
      const state = server().app;
      if (state !== undefined && login.toLowerCase() === state.botLogin.toLowerCase())
        return { body: { ...userJson(state.botLogin, server().url), id: state.botUserId } };
      return { body: userJson(login, server().url) };
    },
  };
}
