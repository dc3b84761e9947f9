import { StepError } from '../../engine/step-errors.js';
import type { PluginActions } from '../../plugins/plugin.js';
import { hasStatus, type GitLabClient } from './gitlab-client.js';
import type { GitLabProjects } from './gitlab-projects.js';
import { gitlabText } from './gitlab-text.js';
import type { GitLabUsers } from './gitlab-users.js';

type Actions = PluginActions['version_control'];

/** What a merge request already has, as GitLab lists it. */
interface MergeRequestState {
  readonly iid: number;
  readonly web_url: string;
  /** The merge request's head commit. */
  readonly sha?: string | null;
  readonly labels?: readonly (string | { name?: string })[];
  readonly reviewers?: readonly { id: number; username: string }[] | null;
}

/** GitLab makes a merge request a draft by its title's prefix. */
const DRAFT_PREFIX = 'Draft: ';

/**
 * Merge requests: one per branch. Opening looks for the branch's open merge request first,
 * so a retried or re-run step returns the one it opened instead of a second — with the labels
 * and reviewers an earlier attempt could not add, added now.
 */
export function mergeRequestActions(deps: {
  readonly client: GitLabClient;
  readonly projects: GitLabProjects;
  readonly users: GitLabUsers;
}): Pick<Actions, 'create_pull_request' | 'find_pull_request' | 'close_pull_request'> {
  const { client, projects, users } = deps;

  async function openMergeRequestOf(projectId: number, branch: string) {
    const found = await client.MergeRequests.all({
      projectId,
      sourceBranch: branch,
      state: 'opened',
      page: 1,
      perPage: 1,
    });
    return found[0] as MergeRequestState | undefined;
  }

  /** Reviewer ids of the people named who have a GitLab account (others are left out). */
  async function reviewerIds(names: readonly string[]): Promise<number[]> {
    const ids = await Promise.all(names.map((name) => users.idOf(name)));
    return ids.filter((id): id is number => id !== undefined);
  }

  /**
   * Adds the labels and reviewers `mr` does not have yet: the whole effect of the step,
   * whichever attempt gets there, and nothing twice. GitLab replaces both lists on an update,
   * so what is there is kept in the request.
   */
  async function complete(
    projectId: number,
    mr: MergeRequestState,
    wanted: { labels?: readonly string[] | undefined; reviewers?: readonly string[] | undefined },
  ): Promise<void> {
    const labels = (mr.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? '')));
    const has = new Set(labels.map((l) => l.toLowerCase()));
    const newLabels = (wanted.labels ?? []).filter((l) => !has.has(l.toLowerCase()));
    const current = (mr.reviewers ?? []).map((r) => r.id);
    const newReviewers = (await reviewerIds(wanted.reviewers ?? [])).filter(
      (id) => !current.includes(id),
    );
    if (newLabels.length === 0 && newReviewers.length === 0) return;
    await client.MergeRequests.edit(projectId, mr.iid, {
      ...(newLabels.length === 0 ? {} : { labels: [...labels, ...newLabels] }),
      ...(newReviewers.length === 0 ? {} : { reviewerIds: [...current, ...newReviewers] }),
    });
  }

  return {
    async create_pull_request(input) {
      const project = await projects.project(input.repository);
      const branch = input.source_branch ?? input.branch_name;
      if (branch === undefined)
        throw new StepError(
          'create_pull_request: expected source_branch (or branch_name), found nothing',
          { code: 'invalid_input' },
        );
      const existing = await openMergeRequestOf(project.id, branch);
      if (existing !== undefined) {
        await complete(project.id, existing, input);
        return { pr_url: existing.web_url, number: existing.iid, branch };
      }
      // Title and description carry a model's words: no pings, links or quick actions.
      const title = gitlabText(input.title);
      const reviewers = await reviewerIds(input.reviewers ?? []);
      let created: MergeRequestState;
      try {
        created = await client.MergeRequests.create(
          project.id,
          branch,
          input.target_branch ?? project.defaultBranch,
          input.draft === true ? `${DRAFT_PREFIX}${title}` : title,
          {
            ...(input.description === undefined
              ? {}
              : { description: gitlabText(input.description) }),
            ...(input.labels === undefined || input.labels.length === 0
              ? {}
              : { labels: [...input.labels] }),
            ...(reviewers.length === 0 ? {} : { reviewerIds: reviewers }),
          },
        );
      } catch (error) {
        // 409 "Another open merge request already exists for this source branch": another
        // attempt won the race; return its merge request.
        const raced = hasStatus(error, 409)
          ? await openMergeRequestOf(project.id, branch)
          : undefined;
        if (raced === undefined) throw error;
        await complete(project.id, raced, input);
        return { pr_url: raced.web_url, number: raced.iid, branch };
      }
      return { pr_url: created.web_url, number: created.iid, branch };
    },
    async find_pull_request(input) {
      const project = await projects.project(input.repository);
      const mr = await openMergeRequestOf(project.id, input.branch);
      if (mr === undefined) return { pull_request: null };
      return {
        pull_request: {
          pr_url: mr.web_url,
          number: mr.iid,
          ...(typeof mr.sha === 'string' ? { head_sha: mr.sha } : {}),
        },
      };
    },
    async close_pull_request(input) {
      const project = await projects.project(input.repository);
      try {
        const mr = await client.MergeRequests.edit(project.id, input.number, {
          stateEvent: 'close',
        });
        return { closed: mr.state === 'closed' };
      } catch (error) {
        if (hasStatus(error, 404)) return { closed: false };
        throw error;
      }
    },
  };
}
