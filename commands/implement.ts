import { slackText } from '../blocks/slack-text.js';
import { isAppError } from '../src/errors/app-error.js';
import { implementRequest } from '../src/channels/implement-request.js';
import { channelSettings, type CommandContext } from './command-context.js';
import type { AidevCommand } from './parse-command.js';

/**
 * `/aidev implement KEY [repo=…] [workflow=…]`: starts the workflow with the channel's
 * defaults, durably, before answering Slack. A retried request (same trigger) finds the run it
 * started; a second command for a task that already has a run in the channel points to it.
 */
export async function implement(
  ctx: CommandContext,
  command: Extract<AidevCommand, { name: 'implement' }>,
): Promise<void> {
  const { app } = ctx;
  const settings = await channelSettings(app, ctx.channelId);
  const request = implementRequest(app.engine.workflows, settings, command);
  if (!request.ok && request.problem === 'no_repository')
    return ctx.ack({
      text: `Which repository? Add \`repo=owner/name\` (\`/aidev implement ${command.key} repo=acme/api\`), or set the channel's default: \`/aidev config set repository=acme/api\`.`,
    });
  if (!request.ok)
    return ctx.ack({
      text: `There is no workflow ${slackText(request.workflow)}; the workflows are ${app.engine.workflows.names().join(', ')}.`,
    });
  const { workflow: workflowName, repository, inputs } = request;
  const active = await app.store.runs.findActive(ctx.channelId, command.key);
  if (active !== null && active.idempotencyKey !== `slack:${ctx.teamId}:${ctx.requestId}`)
    return ctx.ack({
      text: `${command.key} already has a run here (${active.status}): \`/aidev status ${active.id}\`. Cancel it first to start again.`,
    });
  let started;
  try {
    started = await app.engine.startRun({
      workflow: workflowName,
      inputs,
      trigger: 'slack',
      channelId: ctx.channelId,
      userId: ctx.userId,
      taskKey: command.key,
      idempotencyKey: `slack:${ctx.teamId}:${ctx.requestId}`,
    });
  } catch (error) {
    if (isAppError(error))
      return ctx.ack({ text: `Cannot start ${command.key}: ${slackText(error.message, 'keep')}` });
    throw error;
  }
  await ctx.ack({
    text: started.created
      ? `On it: ${command.key} in ${slackText(repository)}. Progress and the plan follow in the channel.`
      : `${command.key} was already started by this request (run ${started.run.id}).`,
  });
  if (started.created) await ctx.notifier.track(started.run, ctx.channelId, ctx.teamId);
}
