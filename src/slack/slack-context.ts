import type { Block } from '../../blocks/types.js';
import type { App } from '../app/create-app.js';
import { checkSettings, type ChannelSettings } from '../channels/channel-settings.js';
import type { RunNotifier } from './run-notifier.js';
import type { SlackWeb } from './slack-web.js';

/** What the bot answers a person: privately (ephemeral), text and optional blocks. */
export interface Reply {
  readonly text: string;
  readonly blocks?: readonly Block[];
}

/** Everything a `/aidev` subcommand works with, for one invocation. */
export interface CommandContext {
  readonly app: App;
  readonly web: SlackWeb;
  readonly notifier: RunNotifier;
  readonly teamId: string;
  readonly channelId: string;
  readonly userId: string;
  /** Identifies this invocation; a retry of the same request carries the same one. */
  readonly requestId: string;
  /** Answers Slack now (within its 3 s), privately to the person. Once. */
  readonly ack: (reply?: Reply) => Promise<void>;
  /** Thread the command was given in (a mention in a thread), if any. */
  readonly threadTs?: string;
}

/** The channel's defaults; stored settings that no longer fit the schema count as none. */
export async function channelSettings(app: App, channelId: string): Promise<ChannelSettings> {
  const stored = await app.store.channels.get(channelId);
  const checked = checkSettings(stored?.settings ?? {});
  return checked.ok ? checked.settings : {};
}

/** Who may change a channel's settings: its approvers, workspace admins, or anyone before it has approvers. */
export async function mayConfigure(
  ctx: CommandContext,
  settings: ChannelSettings,
): Promise<boolean> {
  const approvers = settings.approvers ?? [];
  if (approvers.length === 0 || approvers.includes(ctx.userId)) return true;
  return ctx.web.isAdmin(ctx.userId);
}
