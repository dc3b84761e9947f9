/**
 * What a GitHub webhook delivery means for the pull requests aidev opened: feedback to act on,
 * a pull request that was merged or closed (the loop ends), or nothing — with the reason, which
 * is recorded with the delivery. Pure: whether the author may ask (write access, or the
 * channel's approvers) and whether aidev opened the pull request are decided by the caller.
 */

export interface ClassifyOptions {
  /** aidev's own logins (the App's `<slug>[bot]`, the token's user): never feedback. */
  readonly selfLogins: readonly string[];
  /** Names that call aidev in a comment, without the `@` (the App's slug, a configured name). */
  readonly mentions: readonly string[];
  /** Other bots whose comments count as feedback (CI bots); every other bot is ignored. */
  readonly allowedBots: readonly string[];
}

export type FeedbackItem =
  | {
      readonly type: 'review';
      /** Unique per pull request: the same item delivered twice is queued once. */
      readonly sourceId: string;
      readonly author: string;
      readonly state: 'changes_requested' | 'commented';
      readonly body: string;
      readonly reviewId: number;
      readonly url: string;
    }
  | {
      readonly type: 'comment';
      readonly sourceId: string;
      readonly author: string;
      readonly body: string;
      /** For a review comment: the file and line it is on, and the comment to answer in. */
      readonly path?: string;
      readonly line?: number;
      readonly commentId: number;
      readonly inReview: boolean;
      readonly url: string;
    }
  | {
      readonly type: 'failing_check';
      readonly sourceId: string;
      readonly name: string;
      readonly conclusion: string;
      readonly headSha: string;
      readonly url: string;
    };

export type Classified =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'closed'; readonly pullUrl: string; readonly merged: boolean }
  | {
      readonly kind: 'feedback';
      readonly pullUrls: readonly string[];
      readonly item: FeedbackItem;
    };

/** The conclusions of a check that ask for a fix (not `cancelled`, `neutral` or `skipped`). */
const FAILED = new Set(['failure', 'timed_out', 'startup_failure']);

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : {};
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) ? value : undefined;
const ignored = (reason: string): Classified => ({ kind: 'ignored', reason });

export function classifyDelivery(
  event: string,
  payload: Obj,
  options: ClassifyOptions,
): Classified {
  const action = str(payload.action);
  switch (event) {
    case 'pull_request':
      return pullRequestEvent(action, payload);
    case 'pull_request_review':
      return reviewEvent(action, payload, options);
    case 'pull_request_review_comment':
      return commentEvent(action, payload, options, obj(payload.pull_request), true);
    case 'issue_comment': {
      const pull = obj(obj(payload.issue).pull_request);
      if (str(pull.html_url) === '') return ignored('a comment on an issue, not a pull request');
      return commentEvent(action, payload, options, pull, false);
    }
    case 'check_suite':
    case 'check_run':
    case 'workflow_run':
      return checkEvent(event, action, payload);
    default:
      return ignored(`aidev does not act on ${event} events`);
  }
}

function pullRequestEvent(action: string, payload: Obj): Classified {
  const pull = obj(payload.pull_request);
  if (action !== 'closed') return ignored(`a pull request ${action || 'event'}`);
  return { kind: 'closed', pullUrl: str(pull.html_url), merged: pull.merged === true };
}

/** Who wrote it, or why it does not count: aidev itself, or a bot not on the allow-list. */
function authorOf(user: Obj, options: ClassifyOptions): { login: string } | { reason: string } {
  const login = str(user.login);
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (options.selfLogins.some((self) => same(self, login)))
    return { reason: `written by aidev itself (${login})` };
  const bot = str(user.type) === 'Bot' || login.endsWith('[bot]');
  if (bot && !options.allowedBots.some((allowed) => same(allowed, login)))
    return { reason: `written by another bot (${login}), which is not in the allow-list` };
  return { login };
}

/** Whether `body` calls aidev by one of its names: `@name`, not `@name-else` or `x@name.io`. */
export function mentions(body: string, names: readonly string[]): boolean {
  return names.some((name) => {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\w@./-])@${escaped}(?![\\w-])`, 'i').test(body);
  });
}

function reviewEvent(action: string, payload: Obj, options: ClassifyOptions): Classified {
  if (action !== 'submitted') return ignored(`a review ${action}`);
  const review = obj(payload.review);
  const author = authorOf(obj(review.user), options);
  if ('reason' in author) return ignored(author.reason);
  const state = str(review.state).toLowerCase();
  const body = str(review.body);
  if (state === 'approved') return ignored('an approving review');
  if (state !== 'changes_requested' && !mentions(body, options.mentions))
    return ignored('a review that neither requests changes nor mentions aidev');
  const reviewId = num(review.id) ?? 0;
  return {
    kind: 'feedback',
    pullUrls: [str(obj(payload.pull_request).html_url)],
    item: {
      type: 'review',
      sourceId: `review:${reviewId}`,
      author: author.login,
      state: state === 'changes_requested' ? 'changes_requested' : 'commented',
      body,
      reviewId,
      url: str(review.html_url),
    },
  };
}

function commentEvent(
  action: string,
  payload: Obj,
  options: ClassifyOptions,
  pull: Obj,
  inReview: boolean,
): Classified {
  if (action !== 'created') return ignored(`a comment ${action}`);
  const comment = obj(payload.comment);
  const author = authorOf(obj(comment.user), options);
  if ('reason' in author) return ignored(author.reason);
  const body = str(comment.body);
  // A review's own comments come with the review (changes requested); alone, only a mention.
  if (!mentions(body, options.mentions)) return ignored('a comment that does not mention aidev');
  const commentId = num(comment.id) ?? 0;
  const path = str(comment.path);
  const line = num(comment.line) ?? num(comment.original_line);
  return {
    kind: 'feedback',
    pullUrls: [str(pull.html_url)],
    item: {
      type: 'comment',
      sourceId: `comment:${commentId}`,
      author: author.login,
      body,
      ...(path === '' ? {} : { path }),
      ...(line === undefined ? {} : { line }),
      commentId,
      inReview,
      url: str(comment.html_url),
    },
  };
}

/**
 * A failed check on a pull request's head commit. GitHub Actions reports one failure three
 * ways (check run, check suite, workflow run): all three name the same commit, which is the
 * item's id, so the pull request gets one item per failing commit.
 */
function checkEvent(event: string, action: string, payload: Obj): Classified {
  if (action !== 'completed') return ignored(`a ${event.replace('_', ' ')} ${action}`);
  const subject = obj(payload[event]);
  const conclusion = str(subject.conclusion);
  if (!FAILED.has(conclusion))
    return ignored(
      `a ${event.replace('_', ' ')} that ended ${conclusion || 'without a conclusion'}`,
    );
  const headSha = str(subject.head_sha);
  const repository = str(obj(payload.repository).html_url);
  const pulls = (Array.isArray(subject.pull_requests) ? subject.pull_requests : [])
    .map(obj)
    .filter((p) => str(obj(p.head).sha) === '' || str(obj(p.head).sha) === headSha)
    .flatMap((p) => (num(p.number) === undefined ? [] : [`${repository}/pull/${num(p.number)}`]));
  if (pulls.length === 0)
    return ignored(`a failed ${event.replace('_', ' ')} on no open pull request's head commit`);
  return {
    kind: 'feedback',
    pullUrls: pulls,
    item: {
      type: 'failing_check',
      sourceId: `check:${headSha}`,
      name: str(subject.name) || str(obj(subject.app).name) || event,
      conclusion,
      headSha,
      url: str(subject.html_url) || str(subject.details_url),
    },
  };
}
