import { VendorHttpError } from '../kit/vendor-server.js';
import type { CommitObject, GitRepository, PullRequest } from './git-repository.js';

// The JSON GitHub's REST API answers with: the resources aidev reads and writes, and errors.

export const DOCS = 'https://docs.github.com/rest';

/** The login of the token's user: the author of what aidev makes through the REST API. */
export const AUTHENTICATED_USER = 'aidev-bot';

/** GitHub's error body, which links the documentation of the call that failed. */
export function githubError(status: number, message: string, docs = DOCS): VendorHttpError {
  return new VendorHttpError(status, { message, documentation_url: docs, status: String(status) });
}

/** `serverUrl`: where this server serves git (GitHub's clone_url is on its web host). */
export function repoJson(repo: GitRepository, serverUrl: string) {
  const full = repo.fullName;
  return {
    id: 1,
    name: repo.name,
    full_name: full,
    private: true,
    owner: { login: repo.owner },
    html_url: `https://github.com/${full}`,
    url: `https://api.github.com/repos/${full}`,
    clone_url: `${serverUrl}/${full}.git`,
    default_branch: repo.defaultBranch,
  };
}

export function refJson(repo: GitRepository, ref: string, sha: string, type = 'commit') {
  return {
    ref: `refs/${ref}`,
    node_id: 'REF',
    url: `https://api.github.com/repos/${repo.fullName}/git/refs/${ref}`,
    object: { type, sha, url: '' },
  };
}

export function commitJson(repo: GitRepository, commit: CommitObject) {
  return {
    sha: commit.sha,
    node_id: 'C',
    url: `https://api.github.com/repos/${repo.fullName}/git/commits/${commit.sha}`,
    html_url: `https://github.com/${repo.fullName}/commit/${commit.sha}`,
    message: commit.message,
    author: commit.author,
    committer: commit.committer,
    tree: { sha: commit.tree, url: '' },
    parents: commit.parents.map((sha) => ({ sha, url: '', html_url: '' })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
  };
}

/** `headSha`: the tip of the pull request's branch now. */
export function pullJson(repo: GitRepository, pull: PullRequest, headSha: string) {
  const html = `https://github.com/${repo.fullName}/pull/${pull.number}`;
  return {
    id: pull.number,
    number: pull.number,
    state: pull.state,
    title: pull.title,
    body: pull.body,
    draft: pull.draft,
    html_url: html,
    url: `https://api.github.com/repos/${repo.fullName}/pulls/${pull.number}`,
    head: { ref: pull.head, label: `${repo.owner}:${pull.head}`, sha: headSha },
    base: { ref: pull.base, label: `${repo.owner}:${pull.base}` },
    labels: pull.labels.map((name) => ({ name })),
    requested_reviewers: pull.reviewers.map((login) => ({ login })),
    user: { login: pull.author },
  };
}

/** A user as GitHub's `collaborator` schema has it. */
export function userJson(login: string, serverUrl: string) {
  const api = `${serverUrl}/users/${login}`;
  return {
    login,
    id: 1000 + [...login].reduce((sum, c) => sum + c.charCodeAt(0), 0),
    node_id: `U_${login}`,
    avatar_url: `https://avatars.githubusercontent.com/${login}`,
    gravatar_id: '',
    url: api,
    html_url: `https://github.com/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}
