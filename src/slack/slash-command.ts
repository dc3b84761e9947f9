import { helpText } from '../../commands/help.js';
import { parseCommand, type AidevCommand } from '../../commands/parse-command.js';
import { runCommand } from '../../commands/run-command.js';
import type Bottleneck from 'bottleneck';
import type { App } from '../app/create-app.js';
import type { Logger } from '../log/create-logger.js';
import type { SlackCommandRecord } from '../store/repositories/slack-commands.js';
import type { CommandJournal } from './command-journal.js';
import type { RunNotifier } from './run-notifier.js';
import type { CommandContext, Reply } from '../../commands/command-context.js';
import { slackPerson } from './slack-person.js';
import type { SlackWeb } from '../adapters/slack/slack-web.js';

export interface SlashDeps {
  readonly app: App;
  readonly web: SlackWeb;
  readonly notifier: RunNotifier;
  readonly journal: CommandJournal;
  /** Where recorded commands are carried out, a few at a time. */
  readonly work: Bottleneck;
  readonly log: Logger;
}

/** Commands that start or change something: recorded, answered at once, done right after. */
function startsWork(command: AidevCommand): boolean {
  return (
    command.name === 'implement' ||
    command.name === 'plan' ||
    command.name === 'cancel' ||
    (command.name === 'config' && command.action !== 'show')
  );
}

function received(command: AidevCommand): string {
  switch (command.name) {
    case 'implement':
      return `Working on ${command.key}: the run and its progress follow in the channel.`;
    case 'plan':
      return 'Planning: the breakdown follows in the channel for approval.';
    case 'cancel':
      return 'Cancelling…';
    default:
      return 'Updating the channel’s settings…';
  }
}

/**
 * `/aidev …`. Slack wants an answer within 3 seconds, so a command that starts work is first
 * recorded (durably, many commands to a statement under a burst), then answered, then carried
 * out, with the outcome told privately. A retry of a recorded command (same trigger) starts
 * nothing new. Malformed commands and questions (status, budget, config, help) are answered
 * directly.
 */
export async function onSlashCommand(
  deps: SlashDeps,
  command: SlackCommandRecord,
  ack: (reply?: Reply) => Promise<void>,
): Promise<void> {
  const parsed = parseCommand(command.text);
  if (!parsed.ok) return ack({ text: helpText(parsed) });
  if (!startsWork(parsed.command)) return runCommand(contextFor(deps, command, ack), command.text);
  const fresh = await deps.journal.record(command);
  await ack({ text: fresh ? received(parsed.command) : 'Already received: aidev is on it.' });
  // A few at a time, after the answers: a burst of commands is answered before it is worked on.
  if (fresh) await deps.work.schedule(() => handleRecorded(deps, command));
}

/** Carries out a recorded command, telling the person the outcome privately; marks it done. */
export async function handleRecorded(deps: SlashDeps, command: SlackCommandRecord): Promise<void> {
  const tell = async (reply?: Reply) => {
    if (reply !== undefined)
      await deps.web.postEphemeral({
        channel: command.channelId,
        user: command.userId,
        text: reply.text,
        ...(reply.blocks === undefined ? {} : { blocks: reply.blocks }),
      });
  };
  try {
    await runCommand(contextFor(deps, command, tell), command.text);
  } catch (error) {
    deps.log.error({ err: error, text: command.text }, '/aidev failed after it was acknowledged');
    await tell({
      text: 'Something went wrong on aidev’s side; the error is in its log. Try again, or `/aidev status`.',
    }).catch(() => undefined);
  } finally {
    await deps.app.store.slackCommands.markHandled(command.triggerId);
  }
}

/** Commands a stopped server acknowledged but never carried out. */
export async function recoverUnhandled(deps: SlashDeps, olderThanMs = 10_000): Promise<number> {
  const left = await deps.app.store.slackCommands.unhandled(new Date(Date.now() - olderThanMs));
  for (const command of left) await handleRecorded(deps, command);
  return left.length;
}

function contextFor(
  deps: SlashDeps,
  command: SlackCommandRecord,
  ack: (reply?: Reply) => Promise<void>,
): CommandContext {
  return {
    app: deps.app,
    notifier: deps.notifier,
    teamId: command.teamId,
    channelId: command.channelId,
    userId: command.userId,
    actor: slackPerson(deps.app, deps.web, command.userId),
    requestId: command.triggerId,
    ack,
  };
}
