import { createHash } from 'node:crypto';
import type { Block } from './block-kit.js';

/** A workspace member as a test describes it. */
export interface GivenUser {
  readonly id: string;
  readonly name: string;
  readonly realName?: string;
  readonly email?: string;
  readonly isAdmin?: boolean;
  readonly isOwner?: boolean;
  readonly isBot?: boolean;
  readonly deleted?: boolean;
  readonly tz?: string;
}

/** A conversation as a test describes it; members default to every user and the bot. */
export interface GivenChannel {
  readonly id: string;
  readonly name: string;
  readonly isPrivate?: boolean;
  readonly isArchived?: boolean;
  readonly members?: readonly string[];
  /** Whether the app's bot user has joined (default true); if not, posting is `not_in_channel`. */
  readonly botIsMember?: boolean;
  readonly topic?: string;
  readonly purpose?: string;
}

export interface Team {
  readonly id: string;
  readonly name: string;
  readonly domain: string;
}

/** The installed app: its bot user, bot and app ids. */
export interface BotIdentity {
  readonly userId: string;
  readonly botId: string;
  readonly appId: string;
  readonly name: string;
}

/** A message as Slack keeps it: the current version, earlier versions, thread and reactions. */
export interface StoredMessage {
  readonly channel: string;
  readonly ts: string;
  /** The parent's ts for a thread reply; undefined for a top-level message. */
  readonly threadTs: string | undefined;
  readonly user: string;
  readonly botId: string | undefined;
  text: string;
  blocks: Block[];
  attachments: unknown[];
  /** Earlier versions, oldest first: one per chat.update. */
  readonly versions: { text: string; blocks: Block[]; attachments: unknown[] }[];
  readonly replyBroadcast: boolean;
  readonly reactions: Map<string, string[]>;
  edited: { user: string; ts: string } | undefined;
}

export interface StoredChannel {
  readonly id: string;
  readonly name: string;
  readonly isPrivate: boolean;
  readonly isIm: boolean;
  readonly isArchived: boolean;
  readonly created: number;
  readonly members: string[];
  botIsMember: boolean;
  readonly topic: string;
  readonly purpose: string;
  /** Every message of the conversation, replies included, by ts. */
  readonly byTs: Map<string, StoredMessage>;
}

export interface EphemeralMessage {
  readonly channel: string;
  readonly user: string;
  /** The `message_ts` Slack answered with. */
  readonly ts: string;
  readonly threadTs: string | undefined;
  readonly text: string;
  readonly blocks: Block[];
}

export interface StoredView {
  readonly id: string;
  readonly type: 'modal' | 'home';
  /** The user it was opened for or published to. */
  readonly user: string;
  readonly triggerId: string | undefined;
  /** The view object as Slack answers and later sends it in view_submission payloads. */
  payload: Record<string, unknown>;
  /** How many times views.update or views.publish replaced it. */
  updates: number;
}

/** Slack's id patterns (from the description's `defs_*` schemas). */
export const ID_PATTERNS = {
  team: /^T[A-Z0-9]{2,}$/,
  user: /^[UW][A-Z0-9]{2,}$/,
  channel: /^[CGD][A-Z0-9]{8,}$/,
  bot: /^B[A-Z0-9]{8,}$/,
  app: /^A[A-Z0-9]{1,}$/,
} as const;

/** Slack fills in a `block_id` on blocks without one; ours are stable for the same content. */
export function withBlockIds(blocks: readonly Block[]): Block[] {
  return blocks.map((block, i) =>
    typeof block.block_id === 'string'
      ? block
      : {
          ...block,
          block_id: createHash('sha1')
            .update(`${i}:${JSON.stringify(block)}`)
            .digest('base64url')
            .slice(0, 5),
        },
  );
}

/**
 * Message timestamps as Slack makes them: "seconds.microseconds" from the clock, unique and
 * increasing within the workspace even when several messages land in the same microsecond.
 */
export class TsClock {
  private last = 0;

  next(): string {
    const micros = Math.max(Date.now() * 1000, this.last + 100);
    this.last = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }
}

/** The user object users.info answers with. */
export function userJson(user: GivenUser, team: Team): Record<string, unknown> {
  const realName = user.realName ?? user.name;
  return {
    id: user.id,
    team_id: team.id,
    name: user.name,
    deleted: user.deleted ?? false,
    color: '9f69e7',
    real_name: realName,
    tz: user.tz ?? 'Europe/London',
    tz_label: 'Greenwich Mean Time',
    tz_offset: 0,
    profile: {
      real_name: realName,
      real_name_normalized: realName,
      display_name: user.name,
      display_name_normalized: user.name,
      email: user.email ?? `${user.name}@example.com`,
      image_48: `https://avatars.example.com/${user.id}_48.png`,
      team: team.id,
    },
    is_admin: user.isAdmin ?? false,
    is_owner: user.isOwner ?? false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.isBot ?? false,
    is_app_user: false,
    updated: 1_700_000_000,
    has_2fa: false,
  };
}

/** The conversation object conversations.info answers with. */
export function channelJson(channel: StoredChannel, botUser: string): Record<string, unknown> {
  if (channel.isIm)
    return {
      id: channel.id,
      created: channel.created,
      is_im: true,
      is_org_shared: false,
      user: channel.members.find((m) => m !== botUser),
      is_user_deleted: false,
      priority: 0,
    };
  return {
    id: channel.id,
    name: channel.name,
    is_channel: !channel.isPrivate,
    is_group: channel.isPrivate,
    is_im: false,
    is_mpim: false,
    is_private: channel.isPrivate,
    created: channel.created,
    is_archived: channel.isArchived,
    is_general: false,
    unlinked: 0,
    name_normalized: channel.name,
    is_shared: false,
    is_org_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    is_ext_shared: false,
    creator: channel.members[0] ?? botUser,
    is_member: channel.botIsMember,
    topic: { value: channel.topic, creator: '', last_set: 0 },
    purpose: { value: channel.purpose, creator: '', last_set: 0 },
    previous_names: [],
  };
}
