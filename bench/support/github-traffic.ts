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
}

/** git's smart HTTP endpoints: `…/info/refs?service=…`, `…/git-upload-pack`, `…/git-receive-pack`. */
const SMART_HTTP = /\/(info\/refs|git-upload-pack|git-receive-pack)$/;

export function githubTraffic(requests: readonly RecordedRequest[]): GitHubTraffic {
  let git = 0;
  let other = 0;
  const byOperation = new Map<string, number>();
  for (const request of requests) {
    if (request.operationId !== undefined)
      byOperation.set(request.operationId, (byOperation.get(request.operationId) ?? 0) + 1);
    else if (SMART_HTTP.test(request.path)) git += 1;
    else other += 1;
  }
  const rest = [...byOperation.values()].reduce((sum, n) => sum + n, 0);
  return { rest, git, other, byOperation };
}
