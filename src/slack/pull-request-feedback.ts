import { link, slackText } from '../../blocks/slack-text.js';
import type { SlackWeb } from '../adapters/slack/slack-web.js';
import type { App } from '../app/create-app.js';
import type { FeedbackOutcome } from '../pr-loop/pr-loop.js';
import type { PullRequestState } from '../store/repositories/pull-requests.js';
import { commentOnRun } from '../pr-loop/run-feedback.js';

/** The answer to talk in a run's thread that asks aidev for nothing. */
export function noted(state: PullRequestState | undefined): string {
  const commands =
    'In a run’s thread I understand `approve`, `reject <feedback>`, `cancel` and `status`';
  return state === undefined
    ? `Noted. ${commands}; once the run’s pull request is open, a reply here asks for changes on it.`
    : `Noted. The run’s pull request is ${state}, so a reply here no longer asks for changes. ${commands}.`;
}

/**
 * A reply in a run's thread, once its pull request is open: feedback for the next round of
 * fixes (#18). The caller has authorized its author (`authorizeRun`, as for deciding on the
 * run), so the loop is told to trust it. Returns what to tell the author.
 */
export async function askForChanges(
  deps: { readonly app: App; readonly web: SlackWeb },
  runId: string,
  message: { readonly channelId: string; readonly userId: string; readonly ts: string },
  text: string,
): Promise<string> {
  const { app, web } = deps;
  // The reply's address lets the agent (and a person reading the round) find the conversation;
  // without it the feedback is as good.
  const permalink = await web.permalink(message.channelId, message.ts).catch(() => undefined);
  try {
    const outcome = await commentOnRun(app.store, app.pullRequests, {
      runId,
      comments: [{ body: text, ...(permalink === undefined ? {} : { url: permalink }) }],
      author: `slack:${message.userId}`,
      origin: `slack:${message.channelId}`,
      requestId: message.ts,
    });
    if (outcome.outcome === 'no_run' || outcome.outcome === 'no_pull_request')
      return `Not taken: ${outcome.outcome === 'no_run' ? 'the run no longer exists' : slackText(outcome.reason)}.`;
    return answer(outcome, outcome.pull.url);
  } catch (error) {
    app.logger.error({ err: error, runId }, 'could not take feedback on a pull request from Slack');
    return 'Something went wrong on aidev’s side while taking your feedback; the error is in its log. Try again in a moment.';
  }
}

function answer(outcome: FeedbackOutcome, pullUrl: string): string {
  const pull = link(pullUrl, 'the pull request');
  switch (outcome.outcome) {
    case 'not_allowed':
    case 'outdated':
    case 'ended':
      return `Not taken: ${slackText(outcome.reason)}.`;
    case 'queued':
    case 'already_queued': {
      const next = outcome.next;
      switch (next.kind) {
        case 'start':
          return `Round ${next.round.number} started: aidev works on your feedback on ${pull}; its progress shows in this thread.`;
        case 'busy':
          return `Queued for the round after round ${next.round.number}, which is under way: it starts when round ${next.round.number} ends.`;
        case 'capped':
          return `Noted, but the ${next.rounds} rounds of fixes aidev makes on one pull request are used up (pull_requests.max_fix_rounds): a person was asked to take ${pull} over.`;
        case 'idle':
          return `Already taken up by a round on ${pull}.`;
        case 'ended':
          return `Not taken: ${slackText(next.reason)}.`;
      }
    }
  }
}
