import { pathToFileURL } from 'node:url';
import { StepError } from '../../engine/step-errors.js';
import { resolveRef } from '../../git/git.js';
import { commentBody, commentMarker } from '../../plugins/comment-marker.js';
import { FAILING_CONCLUSIONS } from '../../plugins/interfaces/version-control.js';
import { logExcerpt } from '../../plugins/log-excerpt.js';
import type { PluginActions } from '../../plugins/plugin.js';
import type { Store } from '../../store/store.js';

type Actions = PluginActions['version_control'];

export interface FeedbackOptions {
  readonly store: Store;
  /** A repository's directory by the name steps use. */
  readonly repoOf: (name: string) => Promise<string>;
  /** Who aidev is here: the author of its commits, pull requests and comments. */
  readonly author: string;
  /** People with a permission on the repositories (local_git's `collaborators`). */
  readonly collaborators: Readonly<Record<string, string>>;
}

/**
 * What the pull request loop needs of local pull requests: comments in the database's threads,
 * reviewers on the pull request's list, and the checks aidev's local CI recorded.
 */
export function pullRequestFeedbackActions(
  options: FeedbackOptions,
): Pick<
  Actions,
  'post_pull_request_comments' | 'request_review' | 'get_failing_checks' | 'list_review_comments'
> {
  const { store, repoOf, author } = options;
  const commentUrl = (repo: string, number: number, id: number) =>
    `${pathToFileURL(repo).href}#pull=${number}&comment=${id}`;

  async function pullOf(name: string, number: number) {
    const repo = await repoOf(name);
    const pull = await store.localPullRequests.get(repo, number);
    if (pull === null)
      throw new StepError(`no pull request #${number} in ${name}`, { code: 'not_found' });
    return { repo, pull };
  }

  return {
    // Local pull requests have no reviews: a comment (aidev pr comment) is feedback of its own.
    async list_review_comments(input) {
      await pullOf(input.repository, input.number);
      return { comments: [] };
    },
    async post_pull_request_comments(input) {
      const { repo } = await pullOf(input.repository, input.number);
      const posted = [];
      for (const [index, comment] of input.comments.entries()) {
        const marker = commentMarker(input.key, index);
        let thread: { path: string | null; line: number | null } = { path: null, line: null };
        if (comment.in_reply_to !== undefined) {
          const parent = await store.localPullRequestComments.byId(comment.in_reply_to);
          if (parent === null || parent.repository !== repo || parent.number !== input.number)
            throw new StepError(
              `no review comment ${comment.in_reply_to} on pull request #${input.number} of ${input.repository}`,
              { code: 'not_found' },
            );
          // An answer belongs to the thread's first comment, and to its line, as on GitHub.
          thread = { path: parent.path, line: parent.line };
        }
        // The key makes the insert find an earlier attempt's comment instead of adding one.
        const saved = await store.localPullRequestComments.add({
          repository: repo,
          number: input.number,
          author,
          body: commentBody(comment.body, marker),
          ...thread,
          inReplyTo: comment.in_reply_to ?? null,
          idempotencyKey: `${input.key}:${index}`,
        });
        posted.push({
          id: saved.id,
          url: commentUrl(repo, input.number, saved.id),
          in_reply_to: saved.inReplyTo,
        });
      }
      return { comments: posted };
    },

    async request_review(input) {
      const { repo } = await pullOf(input.repository, input.number);
      const skipped: { reviewer: string; reason: string }[] = [];
      const requested: string[] = [];
      for (const reviewer of new Set(input.reviewers)) {
        if (reviewer === author)
          skipped.push({ reviewer, reason: 'the author of the pull request' });
        else if (!Object.hasOwn(options.collaborators, reviewer))
          skipped.push({
            reviewer,
            reason: 'not a collaborator (local_git `collaborators` does not name them)',
          });
        else requested.push(reviewer);
      }
      if (requested.length > 0)
        await store.localPullRequests.addReviewers(repo, input.number, requested);
      return { requested, skipped };
    },

    async get_failing_checks(input) {
      const repo = await repoOf(input.repository);
      // A ref starting with `-` would reach git as an option.
      const sha = input.ref.startsWith('-') ? undefined : await resolveRef(repo, input.ref);
      if (sha === undefined)
        throw new StepError(`no commit or branch ${input.ref} in ${input.repository}`, {
          code: 'not_found',
        });
      const failing: readonly string[] = FAILING_CONCLUSIONS;
      const checks = (await store.localChecks.forRef(repo, sha)).filter((check) =>
        failing.includes(check.conclusion),
      );
      return {
        checks: checks.map((check) => ({
          name: check.name,
          conclusion: check.conclusion,
          url: `${pathToFileURL(repo).href}#check=${check.id}`,
          log_excerpt: logExcerpt(check.log),
        })),
      };
    },
  };
}
