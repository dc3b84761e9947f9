import type { NextRound } from '../store/repositories/pr-rounds.js';
import type { OwnedPullRequest } from '../store/repositories/pull-requests.js';
import type { FeedbackItem } from './classify-delivery.js';
import type { FeedbackOutcome, NewFeedback } from './pr-loop.js';

/** What a person reads when aidev stops: why, what waits, and what they can do. */
export function handOverMessage(
  owned: OwnedPullRequest,
  next: Extract<NextRound, { kind: 'capped' }>,
): string {
  const authors = [...new Set(next.waiting.map((f) => f.author))];
  const what =
    next.waiting.length === 1
      ? 'one piece of feedback'
      : `${next.waiting.length} pieces of feedback`;
  return [
    `aidev has made ${next.rounds} ${next.rounds === 1 ? 'round' : 'rounds'} of fixes on pull request #${owned.number}, the most it makes on one pull request (pull_requests.max_fix_rounds), and stops here.`,
    `${what[0]?.toUpperCase()}${what.slice(1)} from ${authors.join(', ')} ${next.waiting.length === 1 ? 'waits' : 'wait'} for a person: please take the branch ${owned.branch} over, or raise max_fix_rounds and mention aidev again.`,
  ].join('\n\n');
}

/** A delivery's outcome in words, as it is recorded with the delivery. */
export function describeOutcome(outcome: FeedbackOutcome): string {
  switch (outcome.outcome) {
    case 'not_allowed':
    case 'outdated':
    case 'ended':
      return `ignored: ${outcome.reason}`;
    case 'already_queued':
      return 'already queued';
    case 'queued':
      switch (outcome.next.kind) {
        case 'start':
          return `started round ${outcome.next.round.number}`;
        case 'busy':
          return `queued for the round after round ${outcome.next.round.number}`;
        case 'capped':
          return `queued, but the ${outcome.next.rounds} rounds are used up: ${outcome.next.firstTime ? 'a person was asked' : 'a person was asked before'}`;
        case 'idle':
        case 'ended':
          return 'queued';
      }
  }
}

/** A classified piece of feedback as the queue keeps it. */
export function feedbackOf(item: FeedbackItem): Omit<NewFeedback, 'origin'> {
  const { sourceId, type, ...rest } = item;
  return {
    sourceId,
    kind: type,
    author: 'author' in item ? item.author : item.name,
    item: { type, ...rest },
  };
}
