import { formatUsd, parseUsd } from '../costs/money.js';
import type { FixRound, QueuedFeedback } from '../store/repositories/pr-rounds.js';
import type { OwnedPullRequest } from '../store/repositories/pull-requests.js';
import { TERMINAL_RUN_STATUSES } from '../store/repositories/runs.js';
import type { Store } from '../store/store.js';

export interface RoundSummary extends FixRound {
  /** What started it: the feedback it took up. */
  readonly feedback: readonly QueuedFeedback[];
  /** Dollars its run spent, as exact decimal text. */
  readonly costUsd: string;
}

export interface PullRequestRounds {
  readonly pull: OwnedPullRequest;
  readonly rounds: readonly RoundSummary[];
  /** Feedback waiting for the next round (or for a person, once the rounds are used up). */
  readonly waiting: readonly QueuedFeedback[];
}

export interface RunRounds {
  /** The pull requests the run opened, each with its rounds of fixes. */
  readonly pulls: readonly PullRequestRounds[];
  /** If the run is itself a round: of which pull request, and which round. */
  readonly roundOf: { readonly pull: OwnedPullRequest; readonly number: number } | null;
  /** The run's own cost plus its rounds' (what the work on the task cost in all). */
  readonly totalUsd: string;
}

/** The pull-request loop as `aidev run` and GET /runs/{id} show it. */
export async function roundsOfRun(store: Store, runId: string): Promise<RunRounds> {
  const [owned, round, own] = await Promise.all([
    store.pullRequests.forRun(runId),
    store.prRounds.byRun(runId),
    store.costs.totalForRun(runId),
  ]);
  let total = parseUsd(own);
  const pulls: PullRequestRounds[] = [];
  for (const pull of owned) {
    const rounds: RoundSummary[] = [];
    for (const r of await store.prRounds.forPull(pull.url)) {
      const costUsd = r.runId === null ? '0' : await store.costs.totalForRun(r.runId);
      total += parseUsd(costUsd);
      rounds.push({ ...r, feedback: await store.prRounds.ofRound(pull.url, r.number), costUsd });
    }
    pulls.push({ pull, rounds, waiting: await store.prRounds.waiting(pull.url) });
  }
  const of = round === null ? null : await store.pullRequests.byUrl(round.pullUrl);
  return {
    pulls,
    roundOf: round === null || of === null ? null : { pull: of, number: round.number },
    totalUsd: formatUsd(total),
  };
}

/** "review by alice, 2 comments by bob, failing check CI": what a round took up, in words. */
export function describeFeedback(feedback: readonly QueuedFeedback[]): string {
  const groups = new Map<string, number>();
  for (const f of feedback) {
    const key =
      f.kind === 'failing_check'
        ? `failing check ${f.author}`
        : `${f.kind === 'review' ? 'review' : 'comment'} by ${f.author}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups]
    .map(([key, n]) => (n === 1 ? key : `${n} ${key.replace(/^(review|comment)/, '$1s')}`))
    .join(', ');
}

/** The round under way on a pull request the run opened (its run id), if one is. */
export async function activeRoundOf(store: Store, runId: string): Promise<string | null> {
  for (const pull of await store.pullRequests.forRun(runId)) {
    const last = (await store.prRounds.forPull(pull.url)).at(-1);
    if (
      last?.runId != null &&
      (last.status === null || !TERMINAL_RUN_STATUSES.includes(last.status))
    )
      return last.runId;
  }
  return null;
}
