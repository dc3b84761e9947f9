import { slackText } from '../blocks/slack-text.js';
import { authorizeRun } from '../src/engine/run-authority.js';
import type { CommandContext } from './command-context.js';
import type { AidevCommand } from './parse-command.js';

/** `/aidev cancel RUN`: for those `authorizeRun` allows (who started it, approvers, admins). */
export async function cancel(
  ctx: CommandContext,
  command: Extract<AidevCommand, { name: 'cancel' }>,
): Promise<void> {
  const authority = await authorizeRun(ctx.app.store, {
    actor: ctx.actor,
    runId: command.runId,
    action: 'cancel',
    channelId: ctx.channelId,
  });
  if (!authority.ok)
    return ctx.ack({
      text:
        authority.reason === 'not_found'
          ? `There is no run ${slackText(command.runId)} in this channel.`
          : authority.message,
    });
  const { run } = authority;
  const outcome = await ctx.app.engine.cancel(run.id, `slack:${ctx.userId}`);
  return ctx.ack({
    text:
      outcome.outcome === 'cancelling'
        ? `Cancelling ${slackText(run.taskKey ?? run.id)}: it stops at its next step; work written so far is kept as a draft.`
        : outcome.outcome === 'finished'
          ? `That run already ended (${outcome.status}).`
          : `There is no run ${slackText(command.runId)}.`,
  });
}
