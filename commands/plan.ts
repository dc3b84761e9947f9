import { slackText } from '../blocks/slack-text.js';
import { channelSettings, type CommandContext } from './command-context.js';
import type { AidevCommand } from './parse-command.js';

/** `/aidev plan [project=KEY] <requirements>`: epics and tasks in the tracker, after approval. */
export async function plan(
  ctx: CommandContext,
  command: Extract<AidevCommand, { name: 'plan' }>,
): Promise<void> {
  const settings = await channelSettings(ctx.app, ctx.channelId);
  const project = command.project ?? settings.tracker_project;
  if (project === undefined)
    return ctx.ack({
      text: 'Which tracker project? Start with `project=KEY` (`/aidev plan project=PROJ …`), or set the channel’s default: `/aidev config set tracker_project=PROJ`.',
    });
  const { run, created } = await ctx.app.engine.startRun({
    workflow: 'plan-project',
    inputs: {
      requirements: command.requirements,
      project,
      channel: ctx.channelId,
      approvers: settings.approvers ?? [],
    },
    trigger: 'slack',
    channelId: ctx.channelId,
    userId: ctx.userId,
    idempotencyKey: `slack:${ctx.teamId}:${ctx.requestId}`,
  });
  await ctx.ack({
    text: created
      ? `Planning for ${slackText(project)}: the breakdown comes for approval in the channel.`
      : `Already planning (run ${run.id}).`,
  });
  if (created) await ctx.notifier.track(run, ctx.channelId, ctx.teamId);
}
