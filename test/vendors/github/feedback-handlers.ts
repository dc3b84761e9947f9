import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler, HandlerRequest } from '../kit/vendor-server.js';
import { checkRunJson, issueCommentJson, reviewCommentJson } from './feedback-json.js';
import type { GitRepository } from './git-repository.js';
import { AUTHENTICATED_USER, githubError } from './github-json.js';
import type { GitHubServer } from './github-server.js';

const param = (request: HandlerRequest, name: string) =>
  decodeURIComponent(request.params[name] ?? '');

/** The operations whose answers the server checks against GitHub's response schemas. */
export const FEEDBACK_OPERATIONS = [
  'issues/list-comments',
  'issues/create-comment',
  'pulls/list-review-comments',
  'pulls/create-reply-for-review-comment',
  'pulls/list-comments-for-review',
  'checks/list-for-ref',
] as const;

/**
 * GitHub's pages: `per_page` items of page `page`, with the Link header octokit.paginate
 * follows to the next one.
 */
function page<T>(request: HandlerRequest, path: string, serverUrl: string, items: T[]) {
  const perPage = Math.min(100, Number(request.query.per_page ?? 30));
  const number = Math.max(1, Number(request.query.page ?? 1));
  const slice = items.slice((number - 1) * perPage, number * perPage);
  const query = new URLSearchParams(request.query as Record<string, string>);
  query.set('page', String(number + 1));
  const more = number * perPage < items.length;
  return {
    slice,
    headers: more ? { link: `<${serverUrl}${path}?${query.toString()}>; rel="next"` } : {},
  };
}

/**
 * Comments, review comments and check runs of the server's repositories. A job's log is at a
 * second, unauthenticated address with a secret in it, as GitHub's redirect to its storage is.
 */
export function feedbackHandlers(server: () => GitHubServer): Record<string, Handler> {
  const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const pullOf = (repo: GitRepository, number: number) => {
    const pull = repo.pulls.find((p) => p.number === number);
    if (pull === undefined) throw githubError(404, 'Not Found');
    return pull;
  };
  const text = (request: HandlerRequest) => String((request.body as { body: string }).body);
  const limit = (body: string) => {
    if (body.length > 65_536)
      throw githubError(422, 'Validation Failed: body is too long (maximum is 65536 characters)');
    return body;
  };

  return {
    'issues/list-comments': (request) => {
      const repo = server().repo(request);
      const number = Number(param(request, 'issue_number'));
      pullOf(repo, number);
      const all = repo.issueComments.filter((c) => c.pull === number);
      const { slice, headers } = page(
        request,
        `/repos/${repo.fullName}/issues/${number}/comments`,
        server().url,
        all,
      );
      return { body: slice.map((c) => issueCommentJson(repo, c, server().url)), headers };
    },
    'issues/create-comment': (request) => {
      const repo = server().repo(request);
      const number = Number(param(request, 'issue_number'));
      pullOf(repo, number);
      const comment = {
        id: server().takeCommentId(),
        pull: number,
        author: AUTHENTICATED_USER,
        body: limit(text(request)),
        createdAt: now(),
      };
      repo.issueComments.push(comment);
      return { status: 201, body: issueCommentJson(repo, comment, server().url) };
    },
    'pulls/list-review-comments': (request) => {
      const repo = server().repo(request);
      const number = Number(param(request, 'pull_number'));
      pullOf(repo, number);
      const all = repo.reviewComments.filter((c) => c.pull === number);
      const { slice, headers } = page(
        request,
        `/repos/${repo.fullName}/pulls/${number}/comments`,
        server().url,
        all,
      );
      return { body: slice.map((c) => reviewCommentJson(repo, c, server().url)), headers };
    },
    'pulls/list-comments-for-review': (request) => {
      const repo = server().repo(request);
      const number = Number(param(request, 'pull_number'));
      pullOf(repo, number);
      const review = Number(param(request, 'review_id'));
      const all = repo.reviewComments.filter(
        (c) => c.pull === number && (c.reviewId ?? c.id) === review,
      );
      if (all.length === 0 && !repo.reviewComments.some((c) => c.pull === number))
        throw githubError(404, 'Not Found');
      const { slice, headers } = page(
        request,
        `/repos/${repo.fullName}/pulls/${number}/reviews/${review}/comments`,
        server().url,
        all,
      );
      // This list has GitHub's older shape: the diff position, besides the line.
      const body = slice.map((c) => ({
        ...reviewCommentJson(repo, c, server().url),
        position: c.line,
        original_position: c.line,
      }));
      return { body, headers };
    },
    'pulls/create-reply-for-review-comment': (request) => {
      const repo = server().repo(request);
      const number = Number(param(request, 'pull_number'));
      pullOf(repo, number);
      const parent = repo.reviewComments.find(
        (c) => c.pull === number && c.id === Number(param(request, 'comment_id')),
      );
      if (parent === undefined) throw githubError(404, 'Not Found');
      const reply = {
        ...parent,
        id: server().takeCommentId(),
        author: AUTHENTICATED_USER,
        body: limit(text(request)),
        createdAt: now(),
        // A reply joins the thread of the comment it answers.
        inReplyTo: parent.inReplyTo ?? parent.id,
      };
      repo.reviewComments.push(reply);
      return { status: 201, body: reviewCommentJson(repo, reply, server().url) };
    },
    'checks/list-for-ref': async (request) => {
      const repo = server().repo(request);
      const ref = param(request, 'ref');
      const sha = /^[0-9a-f]{40}$/.test(ref)
        ? ref
        : ((await repo.refSha(`heads/${ref}`)) ?? (await repo.refSha(`tags/${ref}`)));
      if (sha === undefined) throw githubError(422, `No commit found for SHA: ${ref}`);
      const runs = repo.checkRuns.filter((r) => r.headSha === sha);
      const { slice, headers } = page(
        request,
        `/repos/${repo.fullName}/commits/${encodeURIComponent(ref)}/check-runs`,
        server().url,
        runs,
      );
      return {
        body: {
          total_count: runs.length,
          check_runs: slice.map((r) => checkRunJson(repo, r, server().url)),
        },
        headers,
      };
    },
    'actions/download-job-logs-for-workflow-run': (request) => {
      const repo = server().repo(request);
      const id = Number(param(request, 'job_id'));
      const run = repo.checkRuns.find((r) => r.id === id && r.app === 'github-actions');
      if (run === undefined) throw githubError(404, 'Not Found');
      if (run.log === undefined) throw githubError(410, 'Gone');
      return {
        status: 302,
        headers: {
          location: `${server().url}${LOGS_ROOT}/${server().logSecret}/${repo.fullName}/${id}`,
        },
      };
    },
  };
}

const LOGS_ROOT = '/_job-logs';

/** A fresh secret for the log addresses of one server. */
export const newLogSecret = () => randomBytes(12).toString('hex');

/** Serves a job's log at the address the log operation redirects to; false for other paths. */
export function serveJobLog(
  req: IncomingMessage,
  res: ServerResponse,
  server: GitHubServer,
): boolean {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!url.pathname.startsWith(`${LOGS_ROOT}/`)) return false;
  const [secret = '', owner = '', name = '', id = ''] = url.pathname
    .slice(LOGS_ROOT.length + 1)
    .split('/');
  const run = server.repos
    .get(`${owner}/${name}`.toLowerCase())
    ?.checkRuns.find((r) => r.id === Number(id));
  if (req.method !== 'GET' || secret !== server.logSecret || run?.log === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not Found');
    return true;
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(run.log);
  return true;
}
