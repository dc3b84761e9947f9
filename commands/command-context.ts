import type { Block } from '../blocks/types.js';
import type { App } from '../src/app/create-app.js';
import { checkSettings, type ChannelSettings } from '../src/channels/channel-settings.js';
import type { Actor } from '../src/engine/run-authority.js';
import type { Run } from '../src/store/repositories/runs.js';

/** What the bot answers a person: privately (ephemeral), text and optional blocks. */
export interface Reply {
  readonly text: string;
  readonly blocks?: readonly Block[];
}

/** Keeps a run's message in the channel up to date (the front end's run notifier). */
export interface RunTracker {
  track(run: Run, channelId: string, teamId: string): Promise<void>;
}

/**
 * Everything a `/aidev` subcommand works with, for one invocation. The front end (src/slack)
 * builds it; commands see the person only as an `Actor` for `authorizeRun`/`authorizeSettings`.
 */
export interface CommandContext {
  readonly app: App;
  readonly notifier: RunTracker;
  readonly teamId: string;
  readonly channelId: string;
  readonly userId: string;
  /** The person giving the command, as the one authorization rule sees them. */
  readonly actor: Actor;
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
