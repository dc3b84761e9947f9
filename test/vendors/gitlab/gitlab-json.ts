import type { CommitObject } from '../github/git-repository.js';
import type {
  CommitStatus,
  Discussion,
  GitLabUser,
  MergeRequest,
  Note,
  Project,
} from './gitlab-state.js';

/** GitLab's JSON for the objects the local server holds (the fields aidev and tests read). */
export function gitlabJson(web: string) {
  const projectUrl = (p: Project) => `${web}/${p.path}`;
  const user = (u: GitLabUser) => ({
    id: u.id,
    username: u.username,
    name: u.name,
    state: 'active',
    locked: false,
    avatar_url: null,
    web_url: `${web}/${u.username}`,
  });
  const note = (n: Note) => ({
    id: n.id,
    type: n.type,
    body: n.body,
    attachment: null,
    author: user(n.author),
    created_at: n.createdAt,
    updated_at: n.createdAt,
    system: false,
    noteable_type: 'MergeRequest',
    resolvable: n.type !== null,
    ...(n.position === undefined
      ? {}
      : {
          position: {
            base_sha: n.position.headSha,
            start_sha: n.position.headSha,
            head_sha: n.position.headSha,
            old_path: n.position.path,
            new_path: n.position.path,
            position_type: 'text',
            old_line: null,
            new_line: n.position.line,
          },
        }),
  });
  return {
    user,
    note,
    project: (p: Project) => ({
      id: p.id,
      name: p.path.split('/').at(-1),
      path: p.path.split('/').at(-1),
      path_with_namespace: p.path,
      name_with_namespace: p.path.replaceAll('/', ' / '),
      description: null,
      default_branch: p.repository.defaultBranch,
      visibility: p.visibility,
      web_url: projectUrl(p),
      http_url_to_repo: `${projectUrl(p)}.git`,
      ssh_url_to_repo: `git@localhost:${p.path}.git`,
    }),
    commit: (p: Project, c: CommitObject) => ({
      id: c.sha,
      short_id: c.sha.slice(0, 8),
      created_at: c.committer.date,
      parent_ids: c.parents,
      title: c.message.split('\n')[0] ?? '',
      message: c.message,
      author_name: c.author.name,
      author_email: c.author.email,
      authored_date: c.author.date,
      committer_name: c.committer.name,
      committer_email: c.committer.email,
      committed_date: c.committer.date,
      web_url: `${projectUrl(p)}/-/commit/${c.sha}`,
    }),
    branch: (p: Project, name: string, c: CommitObject) => ({
      name,
      merged: false,
      protected: false,
      default: name === p.repository.defaultBranch,
      developers_can_push: false,
      developers_can_merge: false,
      can_push: true,
      web_url: `${projectUrl(p)}/-/tree/${name}`,
      commit: { id: c.sha, short_id: c.sha.slice(0, 8), title: c.message.split('\n')[0] ?? '' },
    }),
    mergeRequest: (p: Project, mr: MergeRequest, reviewers: GitLabUser[], sha: string | null) => ({
      id: mr.id,
      iid: mr.iid,
      project_id: p.id,
      title: mr.title,
      description: mr.description,
      state: mr.state,
      created_at: mr.createdAt,
      updated_at: mr.createdAt,
      source_branch: mr.sourceBranch,
      target_branch: mr.targetBranch,
      source_project_id: p.id,
      target_project_id: p.id,
      labels: mr.labels,
      draft: /^(draft:|\[draft\]|\(draft\))/i.test(mr.title),
      author: user(mr.author),
      assignees: [],
      reviewers: reviewers.map(user),
      sha,
      web_url: `${projectUrl(p)}/-/merge_requests/${mr.iid}`,
    }),
    discussion: (d: Discussion) => ({
      id: d.id,
      individual_note: d.individualNote,
      notes: d.notes.map(note),
    }),
    status: (s: CommitStatus) => ({
      id: s.id,
      sha: s.sha,
      ref: null,
      status: s.status,
      name: s.name,
      target_url: s.targetUrl,
      description: s.description,
      allow_failure: s.allowFailure,
      created_at: '2026-01-01T10:00:00.000Z',
    }),
    job: (p: Project, s: CommitStatus) => ({
      id: s.id,
      name: s.name,
      status: s.status,
      stage: 'test',
      ref: null,
      allow_failure: s.allowFailure,
      failure_reason: s.job?.failureReason ?? null,
      web_url: `${projectUrl(p)}/-/jobs/${s.id}`,
      commit: { id: s.sha },
    }),
  };
}

export type GitLabJson = ReturnType<typeof gitlabJson>;

/** GitLab's error body: `{ "message": "404 Project Not Found" }`. */
export const gitlabError = (status: number, message: string) => ({ message });
