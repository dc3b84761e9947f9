import { StepError } from '../../engine/step-errors.js';
import { commentBody, commentMarker, hasMarker } from '../../plugins/comment-marker.js';
import { FAILING_CONCLUSIONS } from '../../plugins/interfaces/version-control.js';
import { logExcerpt } from '../../plugins/log-excerpt.js';
import type { PluginActions } from '../../plugins/plugin.js';
import { hasStatus, type GitHubClient } from './github-client.js';

type Actions = PluginActions['version_control'];
type Namer = (name: string) => { owner: string; repo: string };

/** A comment as both of GitHub's comment lists have it. */
interface PostedComment {
  readonly id: number;
  readonly html_url: string;
  readonly body?: string | null | undefined;
}

/** What GitHub said in a refusal, without the call that the error's message also names. */
const saidIn = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(/^.*? answered \d+: /, '');

/**
 * The pull request loop's actions on GitHub: answering feedback (exactly once per key), asking
 * for review again, and reading why checks failed.
 */
export function pullRequestFeedbackActions(
  clientFor: (owner: string, repo: string) => Promise<GitHubClient>,
  nameOf: Namer,
): Pick<
  Actions,
  'post_pull_request_comments' | 'request_review' | 'get_failing_checks' | 'list_review_comments'
> {
  return {
    async list_review_comments(input) {
      const { owner, repo } = nameOf(input.repository);
      const octokit = await clientFor(owner, repo);
      const comments = await octokit
        .paginate(octokit.rest.pulls.listCommentsForReview, {
          owner,
          repo,
          pull_number: input.number,
          review_id: input.review_id,
          per_page: 100,
        })
        .catch((error: unknown) => {
          if (hasStatus(error, 404))
            throw new StepError(
              `no review ${input.review_id} on pull request #${input.number} of ${owner}/${repo}`,
              { code: 'not_found', cause: error },
            );
          throw error;
        });
      return {
        comments: comments.map((c) => ({
          id: c.id,
          author: c.user?.login ?? 'ghost',
          body: c.body,
          path: c.path,
          // A comment on a line that has since changed keeps only its original line.
          line: c.line ?? c.original_line ?? null,
        })),
      };
    },
    async post_pull_request_comments(input) {
      const { owner, repo } = nameOf(input.repository);
      const octokit = await clientFor(owner, repo);
      const pull_number = input.number;
      const notFound = (error: unknown, what: string) => {
        if (hasStatus(error, 404))
          throw new StepError(`no ${what} in ${owner}/${repo}`, {
            code: 'not_found',
            cause: error,
          });
        throw error;
      };
      // What earlier attempts posted: issue comments, and review comments if we answer some.
      const issueComments: PostedComment[] = await octokit
        .paginate(octokit.rest.issues.listComments, {
          owner,
          repo,
          issue_number: pull_number,
          per_page: 100,
        })
        .catch((error: unknown) => notFound(error, `pull request #${pull_number}`));
      const reviewComments: PostedComment[] = input.comments.some(
        (c) => c.in_reply_to !== undefined,
      )
        ? await octokit.paginate(octokit.rest.pulls.listReviewComments, {
            owner,
            repo,
            pull_number,
            per_page: 100,
          })
        : [];

      const posted = [];
      for (const [index, comment] of input.comments.entries()) {
        const marker = commentMarker(input.key, index);
        const replyTo = comment.in_reply_to ?? null;
        const earlier = (replyTo === null ? issueComments : reviewComments).find((c) =>
          hasMarker(c.body, marker),
        );
        const body = commentBody(comment.body, marker);
        const made: PostedComment =
          earlier ??
          (replyTo === null
            ? (
                await octokit.rest.issues.createComment({
                  owner,
                  repo,
                  issue_number: pull_number,
                  body,
                })
              ).data
            : (
                await octokit.rest.pulls
                  .createReplyForReviewComment({
                    owner,
                    repo,
                    pull_number,
                    comment_id: replyTo,
                    body,
                  })
                  .catch((error: unknown) =>
                    notFound(error, `review comment ${replyTo} on pull request #${pull_number}`),
                  )
              ).data);
        posted.push({ id: made.id, url: made.html_url, in_reply_to: replyTo });
      }
      return { comments: posted };
    },

    async request_review(input) {
      const { owner, repo } = nameOf(input.repository);
      const octokit = await clientFor(owner, repo);
      const pull_number = input.number;
      const { data: pull } = await octokit.rest.pulls
        .get({ owner, repo, pull_number })
        .catch((error: unknown) => {
          if (hasStatus(error, 404))
            throw new StepError(`no pull request #${pull_number} in ${owner}/${repo}`, {
              code: 'not_found',
              cause: error,
            });
          throw error;
        });
      const authorLogin = pull.user.login.toLowerCase();
      const skipped: { reviewer: string; reason: string }[] = [];
      const wanted: string[] = [];
      const seen = new Set<string>();
      for (const reviewer of input.reviewers) {
        if (seen.has(reviewer.toLowerCase())) continue;
        seen.add(reviewer.toLowerCase());
        if (reviewer.toLowerCase() === authorLogin)
          skipped.push({ reviewer, reason: 'the author of the pull request' });
        else wanted.push(reviewer);
      }
      const ask = (reviewers: string[]) =>
        octokit.rest.pulls.requestReviewers({ owner, repo, pull_number, reviewers });
      if (wanted.length === 0) return { requested: [], skipped };
      try {
        // GitHub re-requests review from people who have already reviewed.
        await ask(wanted);
        return { requested: wanted, skipped };
      } catch (error) {
        // 422: someone cannot review (not a collaborator); then one at a time, to learn who.
        if (!hasStatus(error, 422)) throw error;
        if (wanted.length === 1)
          return {
            requested: [],
            skipped: [...skipped, { reviewer: wanted[0] ?? '', reason: saidIn(error) }],
          };
      }
      const requested: string[] = [];
      for (const reviewer of wanted) {
        try {
          await ask([reviewer]);
          requested.push(reviewer);
        } catch (error) {
          if (!hasStatus(error, 422)) throw error;
          skipped.push({ reviewer, reason: saidIn(error) });
        }
      }
      return { requested, skipped };
    },

    async get_failing_checks(input) {
      const { owner, repo } = nameOf(input.repository);
      const octokit = await clientFor(owner, repo);
      const runs = await octokit
        .paginate(octokit.rest.checks.listForRef, {
          owner,
          repo,
          ref: input.ref,
          filter: 'latest',
          per_page: 100,
        })
        .catch((error: unknown) => {
          if (hasStatus(error, 404, 422))
            throw new StepError(`no commit or branch ${input.ref} in ${owner}/${repo}`, {
              code: 'not_found',
              cause: error,
            });
          throw error;
        });
      const failing: readonly (string | null)[] = FAILING_CONCLUSIONS;
      const checks = [];
      for (const run of runs.filter((r) => failing.includes(r.conclusion))) {
        const described = [run.output.title, run.output.summary, run.output.text]
          .filter((part): part is string => typeof part === 'string' && part !== '')
          .join('\n\n');
        let log = described;
        if (run.app?.slug === 'github-actions') {
          // An Actions check run's id is its job's id; GitHub answers 302 to the log's address.
          try {
            const { data } = await octokit.rest.actions.downloadJobLogsForWorkflowRun({
              owner,
              repo,
              job_id: run.id,
            });
            log =
              typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8');
          } catch (error) {
            // Logs expire (410) or need more rights (403): say so, with what the check said.
            if (!hasStatus(error, 403, 404, 410)) throw error;
            log = `(the job's log is not available: ${saidIn(error)})\n${described}`;
          }
        }
        checks.push({
          name: run.name,
          conclusion: run.conclusion ?? '',
          url: run.html_url ?? run.details_url ?? '',
          log_excerpt: logExcerpt(log),
        });
      }
      return { checks };
    },
  };
}
