import { StepError } from '../../engine/step-errors.js';
import { commentBody, commentMarker, hasMarker } from '../../plugins/comment-marker.js';
import type { PluginActions } from '../../plugins/plugin.js';
import { hasStatus, type GitLabClient } from './gitlab-client.js';
import type { GitLabProjects, ProjectInfo } from './gitlab-projects.js';
import { gitlabInert } from './gitlab-text.js';
import type { GitLabUsers } from './gitlab-users.js';
import { accessLevelOf } from './permissions.js';

type Actions = PluginActions['version_control'];

/** A note as GitLab lists it, with the position diff notes carry. */
interface Note {
  readonly id: number;
  readonly body: string;
  readonly system?: boolean;
  readonly author?: { username?: string } | null;
  readonly position?: {
    new_path?: string | null;
    new_line?: number | null;
    old_path?: string | null;
    old_line?: number | null;
  } | null;
}

/** A GitLab username: letters, digits, `_`, `.` and `-` (nothing a quick action would read). */
const USERNAME = /^[\w.-]+$/;

/** The lowest role GitLab lets review a merge request: Reporter. */
const REVIEWER_LEVEL = 20;

/**
 * The pull request loop's conversation on GitLab: notes on a merge request (exactly once per
 * key), answers in a thread (a discussion), reviewers asked, and a thread's comments read.
 */
export function mergeRequestFeedbackActions(deps: {
  readonly client: GitLabClient;
  readonly projects: GitLabProjects;
  readonly users: GitLabUsers;
}): Pick<Actions, 'post_pull_request_comments' | 'request_review' | 'list_review_comments'> {
  const { client, projects, users } = deps;
  const noteUrl = (project: ProjectInfo, iid: number, id: number) =>
    `${project.webUrl}/-/merge_requests/${iid}#note_${id}`;

  async function discussionsOf(project: ProjectInfo, iid: number) {
    return client.MergeRequestDiscussions.all(project.id, iid, { perPage: 100 }).catch(
      (error: unknown) => {
        if (hasStatus(error, 404))
          throw new StepError(`no merge request !${iid} in ${project.path}`, {
            code: 'not_found',
            cause: error,
          });
        throw error;
      },
    );
  }

  return {
    async post_pull_request_comments(input) {
      const project = await projects.project(input.repository);
      const iid = input.number;
      // Every note of the merge request, threads' replies included: what earlier attempts posted.
      const discussions = await discussionsOf(project, iid);
      const threadOf = (noteId: number) =>
        discussions.find((d) => (d.notes ?? []).some((n) => n.id === noteId));
      const everyNote = discussions.flatMap((d) => (d.notes ?? []) as unknown as Note[]);

      const posted = [];
      for (const [index, comment] of input.comments.entries()) {
        const marker = commentMarker(input.key, index);
        const replyTo = comment.in_reply_to ?? null;
        const thread = replyTo === null ? undefined : threadOf(replyTo);
        if (replyTo !== null && thread === undefined)
          throw new StepError(`no comment ${replyTo} on merge request !${iid} of ${project.path}`, {
            code: 'not_found',
          });
        const candidates =
          thread === undefined ? everyNote : ((thread.notes ?? []) as unknown as Note[]);
        const earlier = candidates.find((n) => hasMarker(n.body, marker));
        const body = commentBody(gitlabInert(comment.body), marker);
        const made =
          earlier ??
          (thread === undefined
            ? await client.MergeRequestNotes.create(project.id, iid, body)
            : await client.MergeRequestDiscussions.addNote(project.id, iid, thread.id, body));
        posted.push({ id: made.id, url: noteUrl(project, iid, made.id), in_reply_to: replyTo });
      }
      return { comments: posted };
    },

    async request_review(input) {
      const project = await projects.project(input.repository);
      const mr = await client.MergeRequests.show(project.id, input.number).catch(
        (error: unknown) => {
          if (hasStatus(error, 404))
            throw new StepError(`no merge request !${input.number} in ${project.path}`, {
              code: 'not_found',
              cause: error,
            });
          throw error;
        },
      );
      const author = String(mr.author.username).toLowerCase();
      const skipped: { reviewer: string; reason: string }[] = [];
      const wanted: { reviewer: string; id: number }[] = [];
      const seen = new Set<string>();
      for (const reviewer of input.reviewers) {
        if (seen.has(reviewer.toLowerCase())) continue;
        seen.add(reviewer.toLowerCase());
        if (reviewer.toLowerCase() === author) {
          skipped.push({ reviewer, reason: 'the author of the merge request' });
          continue;
        }
        const id = await users.idOf(reviewer);
        if (id === undefined) {
          skipped.push({ reviewer, reason: `no GitLab user ${reviewer} (not a collaborator)` });
          continue;
        }
        const level = await accessLevelOf(client, project.id, id);
        if (level < REVIEWER_LEVEL) {
          skipped.push({
            reviewer,
            reason: `not a collaborator: ${reviewer} is not a member of ${project.path} with the Reporter role or higher, which GitLab requires of reviewers`,
          });
          continue;
        }
        wanted.push({ reviewer, id });
      }
      const current = ((mr.reviewers ?? []) as { id: number; username?: string }[]).map(
        (r) => r.id,
      );
      const added = wanted.filter((w) => !current.includes(w.id));
      // GitLab replaces the reviewer list on an update: the current reviewers stay in it.
      if (added.length > 0)
        await client.MergeRequests.edit(project.id, input.number, {
          reviewerIds: [...current, ...added.map((w) => w.id)],
        });
      // A reviewer stays on the list after reviewing, so adding them again asks nothing of
      // them: GitLab's "Re-request review" is the /request_review quick action, which a note
      // of quick actions only runs (and does not keep). Names are GitLab usernames, checked.
      // Only those who have reviewed since they were last asked are asked again: one still
      // `unreviewed` has the request already — and so a retried step asks nobody twice.
      const waiting = await waitingReviewers(client, project.id, input.number, current);
      const again = wanted.filter(
        (w) => current.includes(w.id) && !waiting.has(w.id) && USERNAME.test(w.reviewer),
      );
      if (again.length > 0)
        await client.MergeRequestNotes.create(
          project.id,
          input.number,
          `/request_review ${again.map((w) => `@${w.reviewer}`).join(' ')}`,
        );
      return { requested: wanted.map((w) => w.reviewer), skipped };
    },

    async list_review_comments(input) {
      // GitLab has no review objects in its REST API: a review comment is a thread's first
      // note, and `review_id` names that note; its thread's notes are the comments.
      const project = await projects.project(input.repository);
      const discussions = await discussionsOf(project, input.number);
      const thread = discussions.find((d) => (d.notes ?? []).some((n) => n.id === input.review_id));
      if (thread === undefined)
        throw new StepError(
          `no comment ${input.review_id} on merge request !${input.number} of ${project.path}`,
          { code: 'not_found' },
        );
      return {
        comments: ((thread.notes ?? []) as unknown as Note[])
          .filter((n) => n.system !== true)
          .map((n) => ({
            id: n.id,
            author: n.author?.username ?? 'ghost',
            body: n.body,
            path: n.position?.new_path ?? n.position?.old_path ?? null,
            line: n.position?.new_line ?? n.position?.old_line ?? null,
          })),
      };
    },
  };
}

/** The reviewers of a merge request who were asked for a review and have not given it yet. */
async function waitingReviewers(
  client: GitLabClient,
  projectId: number,
  iid: number,
  current: readonly number[],
): Promise<Set<number>> {
  if (current.length === 0) return new Set();
  const reviewers = await client.MergeRequests.showReviewers(projectId, iid);
  return new Set(reviewers.filter((r) => r.state === 'unreviewed').map((r) => r.user.id));
}
