import { runCommand } from '../../commands/run-command.js';
import { appHome } from '../../blocks/app-home.js';
import { mention, mentions, slackText } from '../../blocks/slack-text.js';
import { budgetReport } from '../costs/budget-report.js';
import { parseUsd, roundUsd } from '../costs/money.js';
import type { App } from '../app/create-app.js';
import { authorizeRun } from '../engine/run-authority.js';
import { askForChanges, noted } from './pull-request-feedback.js';
import { pullRequestOf } from '../pr-loop/run-feedback.js';
import { activeRoundOf } from '../pr-loop/rounds-of-run.js';
import { slackPerson } from './slack-person.js';
import type { RunNotifier } from './run-notifier.js';
import type { SlackWeb } from '../adapters/slack/slack-web.js';

export interface ChannelMessage {
  readonly teamId: string;
  readonly channelId: string;
  readonly userId: string;
  readonly text: string;
  readonly ts: string;
  readonly threadTs?: string | undefined;
}

interface Deps {
  readonly app: App;
  readonly web: SlackWeb;
  readonly notifier: RunNotifier;
}

const COMMANDS = ['cancel', 'status', 'approve', 'reject'];

/** `<@U123> implement PROJ-1` → `implement PROJ-1`. */
const withoutMention = (text: string) => text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim();

/**
 * A mention, or a reply in a run's thread. In a run's thread it is about that run: `approve`,
 * `reject <feedback>` (or any other words while the plan waits: taken as feedback), `cancel`,
 * `status`; once the run's pull request is open, any other words ask for changes on it (a
 * round of fixes, #18). Elsewhere a mention is a command, as if typed after `/aidev`.
 */
export async function onMessage(
  deps: Deps,
  message: ChannelMessage,
  mentioned: boolean,
): Promise<void> {
  const text = withoutMention(message.text);
  const reply = (answer: string) =>
    deps.web.postEphemeral({
      channel: message.channelId,
      user: message.userId,
      text: answer,
      ...(message.threadTs === undefined ? {} : { threadTs: message.threadTs }),
    });
  const tracked =
    message.threadTs === undefined
      ? null
      : await deps.app.store.slackMessages.byThread(message.channelId, message.threadTs);
  if (tracked !== null) return aboutRun(deps, tracked.runId, message, text, reply);
  if (!mentioned) return;
  await runCommand(
    {
      app: deps.app,
      notifier: deps.notifier,
      teamId: message.teamId,
      channelId: message.channelId,
      userId: message.userId,
      actor: slackPerson(deps.app, deps.web, message.userId),
      requestId: `mention:${message.channelId}:${message.ts}`,
      ack: async (answer) => {
        if (answer !== undefined) await reply(answer.text);
      },
      ...(message.threadTs === undefined ? {} : { threadTs: message.threadTs }),
    },
    text,
  );
}

async function aboutRun(
  deps: Deps,
  runId: string,
  message: ChannelMessage,
  text: string,
  reply: (t: string) => Promise<void>,
): Promise<void> {
  const { engine, store } = deps.app;
  const [word = '', ...rest] = text.split(/\s+/);
  const by = message.userId;
  const command = word.toLowerCase();
  const run = await store.runs.get(runId);
  const isCommand = COMMANDS.includes(command);
  const planWaits = run?.status === 'waiting' && run.waitingFor === 'approval';
  // Other words in the thread: feedback on the run's open pull request, or talk only noted.
  const pull =
    isCommand || planWaits || text === '' ? undefined : await pullRequestOf(store, runId);
  if (!isCommand && !planWaits && pull?.state !== 'open') return reply(noted(pull?.state));
  // Whatever acts on the run is for those `authorizeRun` names; a stranger is told so privately.
  // Asking for changes on its pull request is deciding, as approving its plan is.
  const authority = await authorizeRun(store, {
    actor: slackPerson(deps.app, deps.web, by),
    runId,
    action: command === 'status' ? 'view' : command === 'cancel' ? 'cancel' : 'decide',
    channelId: message.channelId,
  });
  if (!authority.ok)
    return reply(
      authority.reason === 'not_found' ? 'That run no longer exists.' : authority.message,
    );
  if (pull !== undefined && pull !== null)
    return reply(await askForChanges(deps, runId, message, text));
  switch (command) {
    case 'cancel': {
      // Once the run has ended, what still runs in its thread is a round of fixes on its PR.
      const round = authority.run.finishedAt === null ? null : await activeRoundOf(store, runId);
      const outcome = await engine.cancel(round ?? runId, `slack:${by}`);
      return reply(
        outcome.outcome !== 'cancelling'
          ? 'That run already ended.'
          : round === null
            ? `Cancelling ${slackText(authority.run.taskKey ?? 'the run')}.`
            : `Cancelling the round of fixes on ${slackText(authority.run.taskKey ?? 'the run')}’s pull request.`,
      );
    }
    case 'status':
      return reply(
        `${slackText(authority.run.taskKey ?? 'The run')} is ${authority.run.status}; cost so far ${roundUsd(parseUsd(await store.costs.totalForRun(runId)))}.`,
      );
    case 'approve':
      // Authorized above: the engine is told not to check again (`override`).
      return reply(
        describe(await engine.decide(runId, { approve: true, by, override: true }), true),
      );
    default: {
      const feedback = (command === 'reject' ? rest.join(' ') : text).trim();
      return reply(
        describe(
          await engine.decide(runId, {
            approve: false,
            by,
            override: true,
            ...(feedback === '' ? {} : { feedback }),
          }),
          false,
        ),
      );
    }
  }
}

function describe(outcome: Awaited<ReturnType<App['engine']['decide']>>, approve: boolean): string {
  switch (outcome.outcome) {
    case 'decided':
      return approve
        ? 'Plan approved.'
        : outcome.revising === undefined
          ? 'Plan rejected.'
          : 'Plan rejected: a revised plan with your feedback follows.';
    case 'not_allowed':
      return `Only ${mentions(outcome.approvers)} may decide on this plan.`;
    case 'already_decided':
      return `Already ${outcome.approved ? 'approved' : 'rejected'} by ${mention(outcome.decidedBy)}.`;
    case 'cannot_continue':
      return `Not taken: ${slackText(outcome.reason)}.`;
    case 'not_waiting':
      return `Nothing to decide: the run is ${outcome.status}.`;
    case 'not_found':
      return 'That run no longer exists.';
  }
}

/** The App Home: this user's recent runs, and the budgets of the channels they run in. */
export async function onHomeOpened(deps: Deps, userId: string): Promise<void> {
  const { store } = deps.app;
  const { items } = await store.runs.list({ userId, limit: 15 });
  const runs = await Promise.all(
    items.map(async (r) => ({
      id: r.id,
      title: r.taskKey ?? r.workflowName,
      status: r.status,
      cost: roundUsd(parseUsd(await store.costs.totalForRun(r.id))),
      channel: r.channelId,
    })),
  );
  const channels = [
    ...new Set(items.map((r) => r.channelId).filter((c): c is string => c !== null)),
  ];
  const budgets = [];
  for (const channel of channels) {
    const line = (await budgetReport(store, { channelId: channel })).budgets.find(
      (b) => b.scope === 'channel',
    );
    if (line !== undefined)
      budgets.push({
        channel,
        spent: roundUsd(parseUsd(line.spentUsd)),
        limit: roundUsd(parseUsd(line.limitUsd)),
        percent: line.percent,
      });
  }
  await deps.web.publishHome(userId, appHome({ user: userId, runs, budgets }));
}
