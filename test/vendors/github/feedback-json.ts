import type { CheckRun, GitRepository, IssueComment, ReviewComment } from './git-repository.js';
import { userJson } from './github-json.js';

// The JSON of what the pull request loop reads and writes: comments and check runs, complete
// enough that GitHub's response schemas accept it (the server checks those answers).

const NO_REACTIONS = (url: string) => ({
  url: `${url}/reactions`,
  total_count: 0,
  '+1': 0,
  '-1': 0,
  laugh: 0,
  confused: 0,
  heart: 0,
  hooray: 0,
  eyes: 0,
  rocket: 0,
});

export function issueCommentJson(repo: GitRepository, comment: IssueComment, serverUrl: string) {
  const url = `https://api.github.com/repos/${repo.fullName}/issues/comments/${comment.id}`;
  return {
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url,
    html_url: `https://github.com/${repo.fullName}/pull/${comment.pull}#issuecomment-${comment.id}`,
    issue_url: `https://api.github.com/repos/${repo.fullName}/issues/${comment.pull}`,
    body: comment.body,
    user: userJson(comment.author, serverUrl),
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    author_association: 'MEMBER',
    reactions: NO_REACTIONS(url),
  };
}

export function reviewCommentJson(repo: GitRepository, comment: ReviewComment, serverUrl: string) {
  const url = `https://api.github.com/repos/${repo.fullName}/pulls/comments/${comment.id}`;
  const html = `https://github.com/${repo.fullName}/pull/${comment.pull}#discussion_r${comment.id}`;
  const pull = `https://api.github.com/repos/${repo.fullName}/pulls/${comment.pull}`;
  return {
    url,
    id: comment.id,
    node_id: `PRRC_${comment.id}`,
    pull_request_review_id: comment.reviewId ?? comment.id,
    diff_hunk: '@@ -1 +1 @@',
    path: comment.path,
    line: comment.line,
    side: 'RIGHT',
    commit_id: comment.commitId,
    original_commit_id: comment.commitId,
    ...(comment.inReplyTo === undefined ? {} : { in_reply_to_id: comment.inReplyTo }),
    user: userJson(comment.author, serverUrl),
    body: comment.body,
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    html_url: html,
    pull_request_url: pull,
    author_association: 'MEMBER',
    _links: { self: { href: url }, html: { href: html }, pull_request: { href: pull } },
    reactions: NO_REACTIONS(url),
  };
}

function appJson(slug: string, serverUrl: string) {
  return {
    id: slug === 'github-actions' ? 15368 : 18001,
    slug,
    node_id: `A_${slug}`,
    owner: userJson(slug === 'github-actions' ? 'github' : slug, serverUrl),
    name: slug === 'github-actions' ? 'GitHub Actions' : slug,
    description: null,
    external_url: `https://${slug}.example`,
    html_url: `https://github.com/apps/${slug}`,
    created_at: '2018-07-30T09:30:17Z',
    updated_at: '2024-04-10T20:33:16Z',
    permissions: { checks: 'write' },
    events: ['check_run'],
  };
}

export function checkRunJson(repo: GitRepository, run: CheckRun, serverUrl: string) {
  const actions = run.app === 'github-actions';
  const html = actions
    ? `https://github.com/${repo.fullName}/actions/runs/1/job/${run.id}`
    : `https://github.com/${repo.fullName}/runs/${run.id}`;
  return {
    id: run.id,
    node_id: `CR_${run.id}`,
    head_sha: run.headSha,
    external_id: '',
    url: `https://api.github.com/repos/${repo.fullName}/check-runs/${run.id}`,
    html_url: html,
    details_url: html,
    status: 'completed',
    conclusion: run.conclusion,
    started_at: '2026-01-01T10:00:00Z',
    completed_at: '2026-01-01T10:05:00Z',
    output: {
      ...run.output,
      annotations_count: 0,
      annotations_url: `https://api.github.com/repos/${repo.fullName}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: 1 },
    app: appJson(run.app, serverUrl),
    pull_requests: [],
  };
}
