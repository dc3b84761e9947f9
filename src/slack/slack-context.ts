import type { Block } from '../../blocks/types.js';
import type { App } from '../app/create-app.js';
import { checkSettings, type ChannelSettings } from '../channels/channel-settings.js';
import type { Actor } from '../engine/run-authority.js';
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

/**
 * The person behind a Slack request, for `authorizeRun` / `authorizeSettings`. An admin is a
 * workspace admin or owner (`users.info`), or someone the installer names in `slack.admins`.
 */
export function slackPerson(app: App, web: SlackWeb, userId: string): Actor {
  let admin: Promise<boolean> | undefined;
  return {
    kind: 'person',
    id: userId,
    isAdmin: () =>
      (admin ??= app.config.slack.admins.includes(userId)
        ? Promise.resolve(true)
        : // Slack unreachable: not known to be an admin, so refused (and told who may).
          web.isAdmin(userId).catch(() => false)),
  };
}
