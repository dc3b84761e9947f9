import { randomBytes } from 'node:crypto';
import {
  ID_PATTERNS,
  TsClock,
  type BotIdentity,
  type EphemeralMessage,
  type GivenChannel,
  type GivenUser,
  type StoredChannel,
  type StoredMessage,
  type StoredView,
  type Team,
} from './slack-model.js';
import { slackError } from './slack-wire.js';

export interface SlackWorkspaceOptions {
  readonly team?: Team;
  readonly bot?: BotIdentity;
  /** Workspace members (default: alice, an admin, and bob). */
  readonly users?: readonly GivenUser[];
  /** Conversations (default: #aidev with every user and the bot). */
  readonly channels?: readonly GivenChannel[];
  /** How long a trigger_id from `issueTrigger` may open a modal (Slack: 3 s). */
  readonly triggerLifetimeMs?: number;
}

export const DEFAULT_TEAM: Team = { id: 'T0AIDEV0001', name: 'aidev tests', domain: 'aidev-tests' };
export const DEFAULT_BOT: BotIdentity = {
  userId: 'U0AIDEVBOT1',
  botId: 'B0AIDEVBOT1',
  appId: 'A0AIDEVAPP1',
  name: 'aidev',
};
export const DEFAULT_USERS: readonly GivenUser[] = [
  { id: 'U0ALICE0001', name: 'alice', realName: 'Alice Admin', isAdmin: true },
  { id: 'U0BOB000001', name: 'bob', realName: 'Bob Builder' },
];
export const DEFAULT_CHANNELS: readonly GivenChannel[] = [{ id: 'C0AIDEV0001', name: 'aidev' }];

/** What a test reads of a conversation. */
export interface ChannelState {
  readonly id: string;
  readonly name: string;
  readonly members: readonly string[];
  /** Top-level messages, oldest first (a reply broadcast to the channel is one of them too). */
  readonly messages: StoredMessage[];
  /** Every message, thread replies included, oldest first. */
  readonly allMessages: StoredMessage[];
}

/**
 * A Slack workspace in memory: people, conversations with their messages and threads,
 * ephemeral messages, views and the trigger_ids that open them.
 */
export class SlackWorkspace {
  readonly users = new Map<string, GivenUser>();
  readonly conversations = new Map<string, StoredChannel>();
  readonly ephemerals: EphemeralMessage[] = [];
  readonly views: StoredView[] = [];
  readonly clock = new TsClock();
  readonly team: Team;
  readonly bot: BotIdentity;
  private readonly triggers = new Map<string, { user: string; issuedAt: number }>();
  private nextView = 1;

  constructor(private readonly setup: SlackWorkspaceOptions) {
    this.team = setup.team ?? DEFAULT_TEAM;
    this.bot = setup.bot ?? DEFAULT_BOT;
    this.seed();
  }

  /** A conversation by id or name (`C…`, `aidev`, `#aidev`); throws if there is none. */
  channel(idOrName: string): ChannelState {
    const channel = this.findChannel(idOrName);
    if (channel === undefined) throw new Error(`the Slack test server has no channel ${idOrName}`);
    const all = [...channel.byTs.values()].sort((a, b) => a.ts.localeCompare(b.ts));
    return {
      id: channel.id,
      name: channel.name,
      members: channel.members,
      allMessages: all,
      messages: all.filter((m) => m.threadTs === undefined || m.replyBroadcast),
    };
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.findChannel(channel)?.byTs.get(ts);
  }

  /** The replies of a thread, oldest first (the parent not included). */
  threadOf(channel: string, ts: string): StoredMessage[] {
    return this.channel(channel).allMessages.filter((m) => m.threadTs === ts && m.ts !== ts);
  }

  /** A message a person posts (for events and threads the app then reads). */
  givenMessage(given: {
    channel: string;
    user: string;
    text: string;
    threadTs?: string;
  }): StoredMessage {
    const channel = this.findChannel(given.channel);
    if (channel === undefined) throw new Error(`no channel ${given.channel}`);
    return this.store(channel, { user: given.user, text: given.text, threadTs: given.threadTs });
  }

  /** A trigger_id for a user, as Slack puts in a command or interaction payload. */
  issueTrigger(user: string): string {
    const id = `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { user, issuedAt: Date.now() });
    return id;
  }

  /** A conversation by id or name; a user id opens (or finds) the direct message with them. */
  findChannel(idOrName: string): StoredChannel | undefined {
    const name = idOrName.replace(/^#/, '');
    const found =
      this.conversations.get(idOrName) ??
      [...this.conversations.values()].find((c) => !c.isIm && c.name === name);
    if (found !== undefined || !this.users.has(idOrName)) return found;
    return this.addChannel({ id: `D${idOrName.slice(1)}`, name: '', members: [idOrName] }, true);
  }

  /** Stores a message (a reply when threadTs is set); the bot's when `user` is the bot user. */
  store(
    channel: StoredChannel,
    message: Partial<Pick<StoredMessage, 'blocks' | 'attachments'>> & {
      user: string;
      text: string;
      threadTs?: string | undefined;
      replyBroadcast?: boolean;
    },
  ): StoredMessage {
    const stored: StoredMessage = {
      channel: channel.id,
      ts: this.clock.next(),
      threadTs: message.threadTs,
      user: message.user,
      botId: message.user === this.bot.userId ? this.bot.botId : undefined,
      text: message.text,
      blocks: message.blocks ?? [],
      attachments: message.attachments ?? [],
      versions: [],
      replyBroadcast: message.replyBroadcast ?? false,
      reactions: new Map(),
      edited: undefined,
    };
    channel.byTs.set(stored.ts, stored);
    return stored;
  }

  /** The user a trigger was issued for; throws Slack's error for a bad or expired one. */
  useTrigger(triggerId: string): string | undefined {
    if (!/^\d+\.\d+\.[0-9a-f]+$/.test(triggerId)) throw slackError('invalid_trigger_id');
    const issued = this.triggers.get(triggerId);
    if (issued === undefined) return undefined;
    if (Date.now() - issued.issuedAt > (this.setup.triggerLifetimeMs ?? 3000))
      throw slackError('expired_trigger_id');
    return issued.user;
  }

  takeViewId(): string {
    return `V${String(this.nextView++).padStart(10, '0')}`;
  }

  /** Forgets messages and views; users and channels are back to the configured ones. */
  protected resetWorkspace(): void {
    this.ephemerals.length = 0;
    this.views.length = 0;
    this.triggers.clear();
    this.nextView = 1;
    this.seed();
  }

  private seed(): void {
    this.users.clear();
    this.conversations.clear();
    check(ID_PATTERNS.team, this.team.id, 'team id');
    check(ID_PATTERNS.user, this.bot.userId, 'bot user id');
    check(ID_PATTERNS.bot, this.bot.botId, 'bot id');
    check(ID_PATTERNS.app, this.bot.appId, 'app id');
    this.users.set(this.bot.userId, { id: this.bot.userId, name: this.bot.name, isBot: true });
    for (const user of this.setup.users ?? DEFAULT_USERS) {
      check(ID_PATTERNS.user, user.id, 'user id');
      this.users.set(user.id, user);
    }
    for (const channel of this.setup.channels ?? DEFAULT_CHANNELS) {
      check(ID_PATTERNS.channel, channel.id, 'channel id');
      this.addChannel(channel, false);
    }
  }

  private addChannel(given: GivenChannel, isIm: boolean): StoredChannel {
    const humans = [...this.users.values()].filter((u) => u.isBot !== true).map((u) => u.id);
    const botIsMember = given.botIsMember ?? true;
    const members = [...(given.members ?? humans)];
    if (botIsMember && !members.includes(this.bot.userId)) members.push(this.bot.userId);
    const channel: StoredChannel = {
      id: given.id,
      name: given.name,
      isPrivate: isIm || (given.isPrivate ?? false),
      isIm,
      isArchived: given.isArchived ?? false,
      created: 1_700_000_000,
      members,
      botIsMember,
      topic: given.topic ?? '',
      purpose: given.purpose ?? '',
      byTs: new Map(),
    };
    this.conversations.set(channel.id, channel);
    return channel;
  }
}

function check(pattern: RegExp, value: string, what: string): void {
  if (!pattern.test(value))
    throw new Error(`Slack test server: ${what} ${value} does not look like Slack's (${pattern})`);
}
