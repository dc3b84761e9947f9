import { VendorHttpError } from '../kit/vendor-server.js';
import type { GitRepository, PullRequest } from './git-model.js';

// The JSON GitHub's REST API answers with: the resources aidev reads and writes, and errors.

export const DOCS = 'https://docs.github.com/rest';

/** GitHub's error body, which links the documentation of the call that failed. */
export function githubError(status: number, message: string, docs = DOCS): VendorHttpError {
  return new VendorHttpError(status, { message, documentation_url: docs, status: String(status) });
}

export function repoJson(repo: GitRepository) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    id: 1,
    name: repo.name,
    full_name: full,
    private: true,
    owner: { login: repo.owner },
    html_url: `https://github.com/${full}`,
    url: `https://api.github.com/repos/${full}`,
    default_branch: repo.defaultBranch,
  };
}

export function refJson(repo: GitRepository, ref: string, sha: string) {
  return {
    ref: `refs/${ref}`,
    node_id: 'REF',
    url: `https://api.github.com/repos/${repo.owner}/${repo.name}/git/refs/${ref}`,
    object: { type: 'commit', sha, url: '' },
  };
}

export function pullJson(repo: GitRepository, pull: PullRequest) {
  const html = `https://github.com/${repo.owner}/${repo.name}/pull/${pull.number}`;
  return {
    id: pull.number,
    number: pull.number,
    state: pull.state,
    title: pull.title,
    body: pull.body,
    draft: pull.draft,
    html_url: html,
    url: `https://api.github.com/repos/${repo.owner}/${repo.name}/pulls/${pull.number}`,
    head: {
      ref: pull.head,
      label: `${repo.owner}:${pull.head}`,
      sha: repo.refs.get(`heads/${pull.head}`) ?? '',
    },
    base: { ref: pull.base, label: `${repo.owner}:${pull.base}` },
    labels: pull.labels.map((name) => ({ name })),
    requested_reviewers: pull.reviewers.map((login) => ({ login })),
  };
}
