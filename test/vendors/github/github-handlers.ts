import { VendorHttpError, type Handler, type HandlerRequest } from '../kit/vendor-server.js';
import { gitDataHandlers } from './git-data-handlers.js';
import type { GitRepository, PullRequest } from './git-repository.js';
import { feedbackHandlers } from './feedback-handlers.js';
import {
  AUTHENTICATED_USER,
  DOCS,
  githubError,
  pullJson,
  repoJson,
  userJson,
} from './github-json.js';
import type { GitHubServer } from './github-server.js';

const param = (request: HandlerRequest, name: string) =>
  decodeURIComponent(request.params[name] ?? '');

/** The operations aidev calls, by operation id, over the server's repositories. */
export function githubHandlers(server: () => GitHubServer): Record<string, Handler> {
  const body = (request: HandlerRequest) => request.body as Record<string, unknown>;
  const pullOf = (repo: GitRepository, number: number) => {
    const pull = repo.pulls.find((p) => p.number === number);
    if (pull === undefined) throw githubError(404, 'Not Found');
    return pull;
  };
  const json = async (repo: GitRepository, pull: PullRequest) =>
    pullJson(repo, pull, (await repo.refSha(`heads/${pull.head}`)) ?? '');
  return {
    'users/get-authenticated': (request) => {
      // An App's installation is no user: GitHub refuses it this route.
      if (server().authenticate(request).account !== undefined)
        throw githubError(403, 'Resource not accessible by integration');
      return { body: { login: AUTHENTICATED_USER, id: 1, type: 'Bot' } };
    },
    'repos/get': (request) => ({ body: repoJson(server().repo(request), server().url) }),
    'repos/get-collaborator-permission-level': (request) => {
      const repo = server().repo(request);
      const login = param(request, 'username');
      const role = repo.collaborators.get(login.toLowerCase()) ?? 'none';
      // The legacy permission maps maintain to write and triage to read.
      const legacy = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
      return {
        body: { permission: legacy, role_name: role, user: userJson(login, server().url) },
      };
    },
    ...gitDataHandlers(server),
    ...feedbackHandlers(server),
    'pulls/list': async (request) => {
      const repo = server().repo(request);
      const state = request.query.state ?? 'open';
      const head = typeof request.query.head === 'string' ? request.query.head : undefined;
      const pulls = repo.pulls.filter(
        (p) =>
          (state === 'all' || p.state === state) &&
          (head === undefined || head === `${repo.owner}:${p.head}`),
      );
      return { body: await Promise.all(pulls.map((p) => json(repo, p))) };
    },
    'pulls/create': async (request) => {
      const repo = server().repo(request);
      const input = body(request) as {
        title: string;
        head: string;
        base: string;
        body?: string;
        draft?: boolean;
      };
      const head = input.head.includes(':') ? (input.head.split(':')[1] ?? '') : input.head;
      if (
        (await repo.refSha(`heads/${head}`)) === undefined ||
        (await repo.refSha(`heads/${input.base}`)) === undefined
      )
        throw new VendorHttpError(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
          documentation_url: DOCS,
        });
      if (repo.pulls.some((p) => p.state === 'open' && p.head === head))
        throw new VendorHttpError(422, {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${repo.owner}:${head}.`,
            },
          ],
          documentation_url: DOCS,
        });
      const pull: PullRequest = {
        number: server().takePullNumber(),
        author: AUTHENTICATED_USER,
        state: 'open',
        title: input.title,
        body: input.body ?? null,
        head,
        base: input.base,
        draft: input.draft ?? false,
        labels: [],
        reviewers: [],
        reviewedBy: [],
      };
      repo.pulls.push(pull);
      return { status: 201, body: await json(repo, pull) };
    },
    'pulls/update': async (request) => {
      const repo = server().repo(request);
      const pull = pullOf(repo, Number(param(request, 'pull_number')));
      const { state } = body(request) as { state?: 'open' | 'closed' };
      if (state !== undefined) pull.state = state;
      return { body: await json(repo, pull) };
    },
    'pulls/get': async (request) => {
      const repo = server().repo(request);
      return { body: await json(repo, pullOf(repo, Number(param(request, 'pull_number')))) };
    },
    'pulls/request-reviewers': async (request) => {
      const repo = server().repo(request);
      const pull = pullOf(repo, Number(param(request, 'pull_number')));
      const logins = (body(request).reviewers as string[] | undefined) ?? [];
      // As GitHub: the whole request is refused if one person cannot be asked.
      if (logins.some((l) => l.toLowerCase() === pull.author.toLowerCase()))
        throw new VendorHttpError(422, {
          message: 'Review cannot be requested from pull request author.',
          documentation_url: DOCS,
        });
      if (logins.some((l) => !repo.collaborators.has(l.toLowerCase())))
        throw new VendorHttpError(422, {
          message: `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repo.fullName} repository.`,
          documentation_url: DOCS,
        });
      // A set, as on GitHub: asking someone already asked changes nothing.
      for (const login of logins) if (!pull.reviewers.includes(login)) pull.reviewers.push(login);
      return { status: 201, body: await json(repo, pull) };
    },
    'pulls/list-reviews': (request) => {
      const repo = server().repo(request);
      const pull = pullOf(repo, Number(param(request, 'pull_number')));
      return {
        body: pull.reviewedBy.map((login, i) => ({
          id: i + 1,
          node_id: `PRR_${i + 1}`,
          user: { login },
          body: '',
          state: 'COMMENTED',
          html_url: `https://github.com/${repo.fullName}/pull/${pull.number}#pullrequestreview-${i + 1}`,
          pull_request_url: `https://api.github.com/repos/${repo.fullName}/pulls/${pull.number}`,
          commit_id: null,
          author_association: 'MEMBER',
          _links: { html: { href: '' }, pull_request: { href: '' } },
        })),
      };
    },
    'issues/add-labels': (request) => {
      const repo = server().repo(request);
      const pull = pullOf(repo, Number(param(request, 'issue_number')));
      const labels = (body(request).labels as string[] | undefined) ?? [];
      pull.labels.push(...labels.filter((l) => !pull.labels.includes(l)));
      return {
        body: pull.labels.map((name) => ({
          name,
          id: 1,
          node_id: '',
          url: '',
          color: 'ededed',
          default: false,
          description: null,
        })),
      };
    },
  };
}
