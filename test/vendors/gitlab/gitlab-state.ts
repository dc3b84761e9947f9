import type { GitRepository } from '../github/git-repository.js';

/** A GitLab user the local server knows. */
export interface GitLabUser {
  readonly id: number;
  readonly username: string;
  readonly name: string;
}

/** A note on a merge request: a comment, or a comment on a line of its diff (`DiffNote`). */
export interface Note {
  readonly id: number;
  readonly type: 'DiffNote' | 'DiscussionNote' | null;
  readonly body: string;
  readonly author: GitLabUser;
  readonly createdAt: string;
  readonly position?: { readonly path: string; readonly line: number; readonly headSha: string };
}

/** A thread: one note (individual) or a first note and its replies. */
export interface Discussion {
  readonly id: string;
  readonly individualNote: boolean;
  readonly notes: Note[];
}

export interface MergeRequest {
  readonly id: number;
  readonly iid: number;
  readonly author: GitLabUser;
  state: 'opened' | 'closed' | 'merged';
  title: string;
  description: string | null;
  readonly sourceBranch: string;
  targetBranch: string;
  labels: string[];
  reviewerIds: number[];
  /**
   * Each time GitLab asked someone for a review, by user id: when they became a reviewer, and
   * when a review was asked of them again (`/request_review` of a reviewer, "Re-request review").
   */
  readonly reviewRequests: number[];
  /** Each reviewer's review state, by user id, as GET …/merge_requests/:iid/reviewers shows it. */
  readonly reviewerStates: Map<number, ReviewerState>;
  readonly discussions: Discussion[];
  readonly createdAt: string;
}

/** A commit status: a pipeline job's (with a log) or an external CI's (`job` undefined). */
export interface CommitStatus {
  readonly id: number;
  readonly sha: string;
  readonly name: string;
  readonly status: 'success' | 'failed' | 'canceled' | 'running';
  readonly allowFailure: boolean;
  readonly description: string | null;
  readonly targetUrl: string;
  readonly job?: { readonly log: string | undefined; readonly failureReason: string | null };
}

/** One GitLab project: its git repository and what GitLab keeps beside it. */
export interface Project {
  readonly id: number;
  readonly path: string;
  readonly repository: GitRepository;
  readonly visibility: 'private' | 'internal' | 'public';
  /** Access levels by user id (10 Guest … 50 Owner), inherited memberships included. */
  readonly members: Map<number, number>;
  readonly mergeRequests: MergeRequest[];
  readonly statuses: CommitStatus[];
}

/**
 * A reviewer's state (docs.gitlab.com/api/merge_requests, "Get single merge request reviewers"):
 * `unreviewed` from when a review is asked of them until they submit one.
 */
export interface ReviewerState {
  state: 'unreviewed' | 'reviewed' | 'requested_changes' | 'approved';
  readonly createdAt: string;
}

/** GitLab asks `ids` for a review: each is a reviewer, waiting to review, from now. */
export function askForReview(mr: MergeRequest, ids: readonly number[]): void {
  for (const id of ids) {
    if (!mr.reviewerIds.includes(id)) mr.reviewerIds.push(id);
    mr.reviewerStates.set(id, { state: 'unreviewed', createdAt: new Date().toISOString() });
  }
  mr.reviewRequests.push(...ids);
}

/** A reviewer submits their review (GitLab's "Finish review" in the merge request's page). */
export function submitReview(mr: MergeRequest, id: number, state: ReviewerState['state']): void {
  const current = mr.reviewerStates.get(id);
  if (current === undefined) throw new Error(`user ${id} is not a reviewer of !${mr.iid}`);
  current.state = state;
}
