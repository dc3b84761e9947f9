import { slackText } from '../blocks/slack-text.js';
import { parseUsd, roundUsd } from '../src/costs/money.js';
import { authorizeRun } from '../src/engine/run-authority.js';
import type { CommandContext } from './command-context.js';
import type { AidevCommand } from './parse-command.js';

/** `/aidev status [RUN]`: one run's steps, or the channel's recent runs. */
export async function status(
  ctx: CommandContext,
  command: Extract<AidevCommand, { name: 'status' }>,
): Promise<void> {
  const { store } = ctx.app;
  if (command.runId !== undefined) {
    // A run of another channel is not found here: a channel sees its own runs only.
    const authority = await authorizeRun(store, {
      actor: ctx.actor,
      runId: command.runId,
      action: 'view',
      channelId: ctx.channelId,
    });
    if (!authority.ok)
      return ctx.ack({ text: `There is no run ${command.runId} in this channel.` });
    const { run } = authority;
    const steps = await store.steps.listForRun(run.id);
    const cost = roundUsd(parseUsd(await store.costs.totalForRun(run.id)));
    const lines = steps.map(
      (s) =>
        `• ${slackText(s.stepName)}: ${s.status}${s.attempt > 1 ? ` (attempt ${s.attempt})` : ''}`,
    );
    const error = (run.error as { message?: string } | null)?.message;
    return ctx.ack({
      text: [
        `*${slackText(run.taskKey ?? run.workflowName)}* — ${run.status}${run.waitingFor === null ? '' : ` (for ${run.waitingFor})`} · ${cost}`,
        ...lines,
        ...(error === undefined ? [] : [`:warning: ${slackText(error, 'keep')}`]),
      ].join('\n'),
    });
  }
  const { items } = await store.runs.list({ channelId: ctx.channelId, limit: 10 });
  if (items.length === 0)
    return ctx.ack({ text: 'No runs in this channel yet. Try `/aidev implement PROJ-123`.' });
  const lines = await Promise.all(
    items.map(
      async (r) =>
        `• \`${r.id}\` ${slackText(r.taskKey ?? r.workflowName)} — ${r.status} · ${roundUsd(parseUsd(await store.costs.totalForRun(r.id)))}`,
    ),
  );
  return ctx.ack({ text: ['*Recent runs in this channel*', ...lines].join('\n') });
}
