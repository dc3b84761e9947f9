import { randomBytes, randomUUID } from 'node:crypto';
import type {
  BlockAction,
  ButtonAction,
  EnvelopedEvent,
  SlashCommand,
  types,
  ViewOutput,
  ViewSubmitAction,
} from '@slack/bolt';
import type { Button } from './block-kit.js';
import type { Team } from './slack-model.js';

// The payloads Slack sends to an app's request URLs, typed with Bolt's own definitions of them.

/** Who the payloads come from and go to. */
export interface PayloadContext {
  readonly team: Team;
  readonly appId: string;
  /** The app's bot user (the one `authorizations` names in events). */
  readonly botUserId: string;
  /** The deprecated verification token Slack still puts in every payload. */
  readonly verificationToken: string;
}

export interface Person {
  readonly id: string;
  readonly name: string;
}

export interface Conversation {
  readonly id: string;
  readonly name: string;
}

const upper = (length: number) =>
  randomBytes(length)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .padEnd(length, '0')
    .slice(0, length);

/** Seconds with microseconds, as Slack stamps `action_ts`, `event_ts`, … */
export function slackTs(now = Date.now()): string {
  return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000 + Math.floor(Math.random() * 1000)).padStart(6, '0')}`;
}

/** A well-formed trigger_id for payloads not tied to a Slack test server. */
export function randomTriggerId(): string {
  return `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${randomBytes(16).toString('hex')}`;
}

/** The form fields of a slash command, as Slack posts them. */
export function slashCommandPayload(
  app: PayloadContext,
  input: {
    user: Person;
    channel: Conversation;
    command: string;
    text: string;
    triggerId: string;
    responseUrl: string;
  },
): SlashCommand {
  return {
    token: app.verificationToken,
    team_id: app.team.id,
    team_domain: app.team.domain,
    channel_id: input.channel.id,
    channel_name: input.channel.name,
    user_id: input.user.id,
    user_name: input.user.name,
    command: input.command,
    text: input.text,
    api_app_id: app.appId,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  };
}

/**
 * A block_actions payload for a click on a button of a message (`message` as Slack holds it;
 * undefined for an ephemeral message, which Slack does not send back).
 */
export function buttonClickPayload(
  app: PayloadContext,
  input: {
    user: Person;
    channel: Conversation;
    messageTs: string;
    message: Record<string, unknown> | undefined;
    button: Button;
    triggerId: string;
    responseUrl: string;
  },
): BlockAction<ButtonAction> {
  const { button } = input;
  return {
    type: 'block_actions',
    user: {
      id: input.user.id,
      username: input.user.name,
      name: input.user.name,
      team_id: app.team.id,
    },
    api_app_id: app.appId,
    token: app.verificationToken,
    container: {
      type: 'message',
      message_ts: input.messageTs,
      channel_id: input.channel.id,
      is_ephemeral: input.message === undefined,
    },
    trigger_id: input.triggerId,
    team: { id: app.team.id, domain: app.team.domain },
    is_enterprise_install: false,
    channel: { id: input.channel.id, name: input.channel.name },
    ...(input.message === undefined
      ? {}
      : { message: { ...input.message, type: 'message', ts: input.messageTs } }),
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: button.actionId,
        block_id: button.blockId ?? '',
        text: { type: 'plain_text', text: button.text, emoji: true },
        ...(button.value === undefined ? {} : { value: button.value }),
        ...(button.style === undefined ? {} : { style: button.style as 'primary' | 'danger' }),
        action_ts: slackTs(),
      },
    ],
  };
}

/** A view_submission payload for a view the app opened, with the user's input. */
export function viewSubmissionPayload(
  app: PayloadContext,
  input: {
    user: Person;
    view: Record<string, unknown>;
    values: ViewOutput['state']['values'];
    triggerId: string;
  },
): ViewSubmitAction {
  return {
    type: 'view_submission',
    team: { id: app.team.id, domain: app.team.domain },
    user: { id: input.user.id, name: input.user.name, team_id: app.team.id },
    api_app_id: app.appId,
    token: app.verificationToken,
    trigger_id: input.triggerId,
    view: { ...(input.view as unknown as ViewOutput), state: { values: input.values } },
    response_urls: [],
    is_enterprise_install: false,
  };
}

/** A message someone posts, as the Events API describes it. */
export interface PostedMessage {
  readonly channel: string;
  readonly user: string;
  readonly text: string;
  readonly ts: string;
  readonly threadTs?: string | undefined;
}

function richText(text: string) {
  return [
    {
      type: 'rich_text',
      block_id: upper(4),
      elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
    },
  ];
}

/** The `app_mention` event of a message that mentions the app. */
export function appMentionEvent(
  app: PayloadContext,
  message: PostedMessage,
): types.AppMentionEvent {
  return {
    type: 'app_mention',
    user: message.user,
    text: message.text,
    ts: message.ts,
    client_msg_id: randomUUID(),
    team: app.team.id,
    blocks: richText(message.text),
    channel: message.channel,
    event_ts: message.ts,
    ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
  };
}

/** The `message` event of a message posted in a channel (a thread reply when threadTs is set). */
export function messageEvent(
  app: PayloadContext,
  message: PostedMessage & { parentUser?: string },
): types.GenericMessageEvent {
  return {
    type: 'message',
    subtype: undefined,
    user: message.user,
    text: message.text,
    ts: message.ts,
    client_msg_id: randomUUID(),
    team: app.team.id,
    blocks: richText(message.text),
    channel: message.channel,
    event_ts: message.ts,
    channel_type: message.channel.startsWith('D') ? 'im' : 'channel',
    ...(message.threadTs === undefined
      ? {}
      : {
          thread_ts: message.threadTs,
          ...(message.parentUser === undefined ? {} : { parent_user_id: message.parentUser }),
        }),
  };
}

/** The Events API envelope around an event (`authorizations`, not the deprecated authed_users). */
export function eventCallback<E extends { type: string; event_ts: string }>(
  app: PayloadContext,
  event: E,
): EnvelopedEvent<E> {
  const envelope = {
    token: app.verificationToken,
    team_id: app.team.id,
    context_team_id: app.team.id,
    context_enterprise_id: null,
    api_app_id: app.appId,
    event,
    type: 'event_callback',
    event_id: `Ev${upper(9)}`,
    event_time: Math.floor(Number(event.event_ts)),
    authorizations: [
      {
        enterprise_id: null,
        team_id: app.team.id,
        user_id: app.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ et: event.type, tid: app.team.id, aid: app.appId })).toString('base64url')}`,
  };
  // Bolt types the enterprise ids as strings; outside Enterprise Grid Slack sends null.
  return envelope as unknown as EnvelopedEvent<E>;
}
