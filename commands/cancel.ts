import { slackText } from '../blocks/slack-text.js';
import { channelSettings, type CommandContext } from '../src/slack/slack-context.js';
import type { AidevCommand } from './parse-command.js';

/** `/aidev cancel RUN`: by whoever started it, the channel's approvers, or an admin. */
export async function cancel(
  ctx: CommandContext,
  command: Extract<AidevCommand, { name: 'cancel' }>,
): Promise<void> {
  const run = await ctx.app.store.runs.get(command.runId);
  if (run === null || run.channelId !== ctx.channelId)
    return ctx.ack({ text: `There is no run ${command.runId} in this channel.` });
  const approvers = (await channelSettings(ctx.app, ctx.channelId)).approvers ?? [];
  const allowed =
    run.userId === ctx.userId ||
    approvers.includes(ctx.userId) ||
    (await ctx.web.isAdmin(ctx.userId));
  if (!allowed)
    return ctx.ack({
      text: 'Only the person who started the run, the channel’s approvers or an admin may cancel it.',
    });
  const outcome = await ctx.app.engine.cancel(run.id, `slack:${ctx.userId}`);
  return ctx.ack({
    text:
      outcome.outcome === 'cancelling'
        ? `Cancelling ${slackText(run.taskKey ?? run.id)}: it stops at its next step; work written so far is kept as a draft.`
        : outcome.outcome === 'finished'
          ? `That run already ended (${outcome.status}).`
          : `There is no run ${command.runId}.`,
  });
}
