import { StepError } from '../../engine/step-errors.js';
import { markdownText } from '../../plugins/markdown-text.js';
import type { PluginActions } from '../../plugins/plugin.js';
import { hasStatus, type GitHubClient } from './github-client.js';

type Actions = PluginActions['version_control'];
type Namer = (name: string) => { owner: string; repo: string };

/** What a pull request already has, as GitHub lists it (labels as objects or names). */
interface PullState {
  readonly number: number;
  readonly labels?: readonly ({ name?: string } | string)[];
  readonly requested_reviewers?: readonly { login: string }[] | null;
}

/**
 * Pull requests: one per branch. Opening looks for the branch's open pull request first, so a
 * retried or re-run step returns the one it opened instead of a second — with the labels and
 * reviewers an earlier attempt could not add, added now (#16).
 */
export function pullRequestActions(
  clientFor: (owner: string, repo: string) => Promise<GitHubClient>,
  nameOf: Namer,
  defaultBranchOf: (name: string) => Promise<string>,
): Pick<Actions, 'create_pull_request' | 'find_pull_request' | 'close_pull_request'> {
  async function openPullOf(owner: string, repo: string, branch: string) {
    const { data } = await (
      await clientFor(owner, repo)
    ).rest.pulls.list({
      owner,
      repo,
      head: `${owner}:${branch}`,
      state: 'open',
      per_page: 1,
    });
    return data[0];
  }

  /**
   * Adds the labels and asks the reviewers that `pull` does not have yet: the whole effect of
   * the step, whichever attempt gets there, and nothing twice. On a pull request an earlier
   * attempt opened, people who have already reviewed it are not asked again (a re-request
   * notifies them).
   */
  async function complete(
    owner: string,
    repo: string,
    pull: PullState,
    wanted: { labels?: readonly string[] | undefined; reviewers?: readonly string[] | undefined },
    existing: boolean,
  ): Promise<void> {
    const has = new Set(
      (pull.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? '')).toLowerCase()),
    );
    const labels = (wanted.labels ?? []).filter((l) => !has.has(l.toLowerCase()));
    if (labels.length > 0)
      await (
        await clientFor(owner, repo)
      ).rest.issues.addLabels({ owner, repo, issue_number: pull.number, labels });
    const asked = new Set((pull.requested_reviewers ?? []).map((r) => r.login.toLowerCase()));
    let reviewers = (wanted.reviewers ?? []).filter((r) => !asked.has(r.toLowerCase()));
    if (existing && reviewers.length > 0) {
      const { data: reviews } = await (
        await clientFor(owner, repo)
      ).rest.pulls.listReviews({
        owner,
        repo,
        pull_number: pull.number,
        per_page: 100,
      });
      const reviewed = new Set(reviews.map((r) => r.user?.login.toLowerCase()));
      reviewers = reviewers.filter((r) => !reviewed.has(r.toLowerCase()));
    }
    if (reviewers.length > 0)
      await (
        await clientFor(owner, repo)
      ).rest.pulls.requestReviewers({
        owner,
        repo,
        pull_number: pull.number,
        reviewers,
      });
  }

  return {
    async create_pull_request(input) {
      const { owner, repo } = nameOf(input.repository);
      const branch = input.source_branch ?? input.branch_name;
      if (branch === undefined)
        throw new StepError(
          'create_pull_request: expected source_branch (or branch_name), found nothing',
          {
            code: 'invalid_input',
          },
        );
      const existing = await openPullOf(owner, repo, branch);
      if (existing !== undefined) {
        await complete(owner, repo, existing, input, true);
        return { pr_url: existing.html_url, number: existing.number, branch };
      }

      const base = input.target_branch ?? (await defaultBranchOf(input.repository));
      let created;
      try {
        created = (
          await (
            await clientFor(owner, repo)
          ).rest.pulls.create({
            owner,
            repo,
            head: branch,
            base,
            // Title and body carry a model's words: no pings, HTML, links or closing keywords.
            title: markdownText(input.title),
            ...(input.description === undefined ? {} : { body: markdownText(input.description) }),
            ...(input.draft === undefined ? {} : { draft: input.draft }),
          })
        ).data;
      } catch (error) {
        // "A pull request already exists": another attempt won the race; return its pull request.
        const raced = hasStatus(error, 422) ? await openPullOf(owner, repo, branch) : undefined;
        if (raced === undefined) throw error;
        await complete(owner, repo, raced, input, true);
        return { pr_url: raced.html_url, number: raced.number, branch };
      }
      await complete(owner, repo, created, input, false);
      return { pr_url: created.html_url, number: created.number, branch };
    },
    async find_pull_request(input) {
      const { owner, repo } = nameOf(input.repository);
      const pull = await openPullOf(owner, repo, input.branch);
      return {
        pull_request:
          pull === undefined
            ? null
            : { pr_url: pull.html_url, number: pull.number, head_sha: pull.head.sha },
      };
    },
    async close_pull_request(input) {
      const { owner, repo } = nameOf(input.repository);
      try {
        const { data } = await (
          await clientFor(owner, repo)
        ).rest.pulls.update({
          owner,
          repo,
          pull_number: input.number,
          state: 'closed',
        });
        return { closed: data.state === 'closed' };
      } catch (error) {
        if (hasStatus(error, 404)) return { closed: false };
        throw error;
      }
    },
  };
}
