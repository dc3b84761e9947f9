import type { App } from '../app/create-app.js';
import { commentOnRun, type CommentText } from '../pr-loop/run-feedback.js';

/** Who reviews the demo's pull request (a local pull request's comments need an author). */
export const DEMO_REVIEWER = 'reviewer';

/** The demo's review: two line comments a careful reviewer makes on the quantity fix. */
export const DEMO_REVIEW: readonly CommentText[] = [
  {
    path: 'src/cart.ts',
    line: 13,
    body: 'A negative quantity gives a negative total: refuse it, as a bad discount is refused.',
  },
  { path: 'test/cart.test.ts', line: 29, body: 'Please add a test for it.' },
];

/**
 * The demo's review round: the reviewer's two comments on the pull request the demo run
 * opened, queued as one review, which starts a round of fixes; returns the round's run id.
 */
export async function startDemoReview(app: App, runId: string): Promise<string> {
  const outcome = await commentOnRun(app.store, app.pullRequests, {
    runId,
    comments: DEMO_REVIEW,
    author: DEMO_REVIEWER,
    origin: 'demo',
    requestId: `review-of-${runId}`,
  });
  if (outcome.outcome !== 'queued' && outcome.outcome !== 'already_queued')
    throw new Error(
      `the demo's review was not taken: ${'reason' in outcome ? outcome.reason : outcome.outcome}`,
    );
  const round = (await app.store.prRounds.forPull(outcome.pull.url)).at(-1);
  if (round?.runId == null) throw new Error('the demo’s review started no round of fixes');
  return round.runId;
}
