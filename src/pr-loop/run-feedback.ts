import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { OwnedPullRequest } from '../store/repositories/pull-requests.js';
import type { Store } from '../store/store.js';
import type { FeedbackOutcome, PrLoop } from './pr-loop.js';

/** One comment: what to change, and optionally the file and line it is about. */
export interface CommentText {
  readonly body: string;
  readonly path?: string | undefined;
  readonly line?: number | undefined;
  /** Where it was said, if it has an address (a Slack message's permalink). */
  readonly url?: string | undefined;
}

/**
 * A person's comments on a run's pull request, from the command line, the REST API or the
 * demo: one, or several as one review (one round takes them all).
 */
export interface RunComment {
  readonly runId: string;
  readonly comments: readonly CommentText[];
  /** Who says it: `cli:<user>`, `api:<token>`, `slack:<user>`. */
  readonly author: string;
  /** `cli`, `api`, `slack:<channel>`, `demo`. */
  readonly origin: string;
  /** Makes a retried request the same comment (default: a new one). */
  readonly requestId?: string;
}

export type RunCommentOutcome =
  | { readonly outcome: 'no_run' }
  | { readonly outcome: 'no_pull_request'; readonly reason: string }
  | (FeedbackOutcome & { readonly pull: OwnedPullRequest; readonly commentIds: number[] });

/**
 * Feedback on the pull request a run opened (or the one a round works on): queued for the
 * next round like a review comment. On a local pull request (local_git, whose pull requests
 * live in aidev's database) it is also added to the pull request as a review comment, so that
 * the round answers in its thread. Whoever may call this was authorized by the caller.
 */
export async function commentOnRun(
  store: Store,
  loop: PrLoop,
  comment: RunComment,
): Promise<RunCommentOutcome> {
  const run = await store.runs.get(comment.runId);
  if (run === null) return { outcome: 'no_run' };
  const pull = await pullRequestOf(store, run.id);
  if (pull === null)
    return {
      outcome: 'no_pull_request',
      reason: 'the run opened no pull request (feedback goes to a pull request aidev opened)',
    };
  if (pull.state !== 'open')
    return {
      outcome: 'no_pull_request',
      reason: `its pull request #${pull.number} is ${pull.state}`,
    };
  const key = comment.requestId ?? randomUUID();
  const local = pull.url.startsWith('file:')
    ? fileURLToPath(pull.url.replace(/#.*$/, ''))
    : undefined;
  const commentIds: number[] = [];
  const feedback = [];
  for (const [index, text] of comment.comments.entries()) {
    // `slack:C1:1700.1`, or for one of several comments `cli:<key>:1`.
    const id =
      comment.comments.length === 1
        ? `${comment.origin}:${key}`
        : `${comment.origin}:${key}:${index}`;
    const added =
      local === undefined
        ? null
        : await store.localPullRequestComments.add({
            repository: local,
            number: pull.number,
            author: comment.author,
            body: text.body,
            path: text.path ?? null,
            line: text.line ?? null,
            idempotencyKey: id,
          });
    if (added !== null) commentIds.push(added.id);
    feedback.push({
      sourceId: added === null ? id : `comment:${added.id}`,
      kind: 'comment' as const,
      author: comment.author,
      item: {
        body: text.body,
        ...(text.path === undefined ? {} : { path: text.path }),
        ...(text.line === undefined ? {} : { line: text.line }),
        ...(text.url === undefined ? {} : { url: text.url }),
        ...(added === null ? {} : { commentId: added.id, inReview: true }),
      },
      origin: comment.origin,
    });
  }
  const outcome = await loop.addFeedback(pull.url, feedback, { trusted: true });
  return { ...outcome, pull, commentIds };
}

/**
 * The pull request feedback on a run is about: the one a round works on; else the most recent
 * one the run opened that is still open, else its most recent (merged or closed).
 */
export async function pullRequestOf(store: Store, runId: string): Promise<OwnedPullRequest | null> {
  const round = await store.prRounds.byRun(runId);
  if (round !== null) return store.pullRequests.byUrl(round.pullUrl);
  const owned = await store.pullRequests.forRun(runId);
  return owned.findLast((p) => p.state === 'open') ?? owned.at(-1) ?? null;
}

/** What happened to the comment, in a sentence. */
export function describeCommentOutcome(outcome: RunCommentOutcome): string {
  switch (outcome.outcome) {
    case 'no_run':
      return 'there is no such run';
    case 'no_pull_request':
    case 'ended':
    case 'not_allowed':
    case 'outdated':
      return `not taken: ${outcome.reason}`;
    case 'already_queued':
      return `already queued for pull request #${outcome.pull.number}`;
    case 'queued':
      switch (outcome.next.kind) {
        case 'start':
          return `round ${outcome.next.round.number} of fixes started on pull request #${outcome.pull.number}`;
        case 'busy':
          return `queued: round ${outcome.next.round.number} is under way on pull request #${outcome.pull.number}; the next round takes it up`;
        case 'capped':
          return `queued, but the ${outcome.next.rounds} rounds of fixes on pull request #${outcome.pull.number} are used up (pull_requests.max_fix_rounds): a person was asked to take over`;
        case 'idle':
        case 'ended':
          return `queued for pull request #${outcome.pull.number}`;
      }
  }
}
