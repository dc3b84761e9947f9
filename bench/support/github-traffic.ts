import type { GitRequest } from '../../test/vendors/github/smart-http.js';
import type { RecordedRequest } from '../../test/vendors/kit/vendor-server.js';

/**
 * The requests a local GitHub server saw, by kind: REST calls (those that matched an operation
 * of GitHub's API description; they count against the token's hourly quota and go through
 * aidev's 5 requests/s guard), git's smart HTTP (clone, fetch, push), and anything else.
 */
export interface GitHubTraffic {
  readonly rest: number;
  readonly git: number;
  readonly other: number;
  /** REST calls per operation, e.g. `repos/get-content` → 4,991. */
  readonly byOperation: ReadonlyMap<string, number>;
  /** git requests per service and method, e.g. `git-upload-pack POST` → 2. */
  readonly byGitService: ReadonlyMap<string, number>;
}

/**
 * `requests`: the REST side's record (`server.http.requests`); `gitRequests`: git's smart HTTP
 * (`server.gitRequests`, served beside the REST API and recorded apart from it).
 */
export function githubTraffic(
  requests: readonly RecordedRequest[],
  gitRequests: readonly GitRequest[],
): GitHubTraffic {
  let other = 0;
  const byOperation = new Map<string, number>();
  for (const request of requests) {
    if (request.operationId !== undefined)
      byOperation.set(request.operationId, (byOperation.get(request.operationId) ?? 0) + 1);
    else other += 1;
  }
  const byGitService = new Map<string, number>();
  for (const request of gitRequests) {
    const key = `${request.service} ${request.method}`;
    byGitService.set(key, (byGitService.get(key) ?? 0) + 1);
  }
  const rest = [...byOperation.values()].reduce((sum, n) => sum + n, 0);
  return { rest, git: gitRequests.length, other, byOperation, byGitService };
}
