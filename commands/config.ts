import { slackText } from '../blocks/slack-text.js';
import {
  CHANNEL_SETTING_KEYS,
  describeProblems,
  parseAssignments,
  settingDescription,
} from '../src/channels/channel-settings.js';
import { updateChannelSettings } from '../src/channels/update-channel-settings.js';
import { authorizeSettings } from '../src/engine/run-authority.js';
import { channelSettings, type CommandContext } from './command-context.js';
import type { AidevCommand } from './parse-command.js';

/** `/aidev config [set key=value … | unset key …]`: the channel's defaults. */
export async function config(
  ctx: CommandContext,
  command: Extract<AidevCommand, { name: 'config' }>,
): Promise<void> {
  const settings = await channelSettings(ctx.app, ctx.channelId);
  if (command.action === 'show') {
    const lines = CHANNEL_SETTING_KEYS.map((key) => {
      const value = settings[key];
      const shown =
        value === undefined
          ? '_not set_'
          : `\`${slackText(Array.isArray(value) ? value.join(',') : String(value))}\``;
      return `• *${key}*: ${shown} — ${settingDescription(key)}`;
    });
    return ctx.ack({
      text: [
        '*Settings of this channel*',
        ...lines,
        'Change them with `/aidev config set key=value …`.',
      ].join('\n'),
    });
  }
  const allowed = await authorizeSettings(ctx.actor, settings.approvers ?? []);
  if (!allowed.ok) return ctx.ack({ text: allowed.message });
  const parsed =
    command.action === 'set' ? parseAssignments(command.assignments) : { values: {}, problems: [] };
  if (parsed.problems.length > 0)
    return ctx.ack({
      text: `Not changed: ${slackText(describeProblems(parsed.problems), 'keep')}.`,
    });
  const result = await updateChannelSettings(
    ctx.app,
    ctx.channelId,
    command.action === 'set' ? { set: parsed.values } : { unset: command.keys },
    `slack:${ctx.userId}`,
  );
  if (!result.ok)
    return ctx.ack({
      text: `Not changed: ${slackText(describeProblems(result.problems), 'keep')}. The keys are ${CHANNEL_SETTING_KEYS.join(', ')}.`,
    });
  const changed = CHANNEL_SETTING_KEYS.filter(
    (k) => JSON.stringify(result.before[k]) !== JSON.stringify(result.after[k]),
  );
  const resumed =
    result.resumedRuns.length > 0 ? ` ${result.resumedRuns.length} paused run(s) go on.` : '';
  return ctx.ack({
    text: changed.length === 0 ? 'Nothing changed.' : `Changed ${changed.join(', ')}.${resumed}`,
  });
}
