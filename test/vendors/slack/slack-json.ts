import type { BotIdentity, StoredChannel, StoredMessage, StoredView, Team } from './slack-model.js';

// The JSON Slack's Web API answers with for messages and views.

export function botProfile(bot: BotIdentity, team: Team): Record<string, unknown> {
  return {
    id: bot.botId,
    app_id: bot.appId,
    name: bot.name,
    icons: { image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png' },
    deleted: false,
    updated: 1_700_000_000,
    team_id: team.id,
  };
}

/** A message as chat.postMessage and chat.update return it (and Slack sends it in payloads). */
export function messageJson(
  message: StoredMessage,
  channel: StoredChannel,
  identity: { bot: BotIdentity; team: Team },
): Record<string, unknown> {
  const fromBot = message.botId !== undefined;
  const replies = [...channel.byTs.values()].filter(
    (m) => m.threadTs === message.ts && m.ts !== message.ts,
  );
  const parent = message.threadTs === undefined ? undefined : channel.byTs.get(message.threadTs);
  return {
    user: message.user,
    type: 'message',
    ts: message.ts,
    ...(fromBot ? { bot_id: message.botId, app_id: identity.bot.appId } : {}),
    text: message.text,
    team: identity.team.id,
    ...(fromBot ? { bot_profile: botProfile(identity.bot, identity.team) } : {}),
    ...(message.blocks.length > 0 ? { blocks: message.blocks } : {}),
    ...(message.attachments.length > 0
      ? { attachments: message.attachments.map((a, i) => ({ id: i + 1, ...(a as object) })) }
      : {}),
    ...(parent !== undefined
      ? { thread_ts: parent.ts, parent_user_id: parent.user }
      : replies.length > 0
        ? {
            thread_ts: message.ts,
            reply_count: replies.length,
            reply_users_count: new Set(replies.map((r) => r.user)).size,
            reply_users: [...new Set(replies.map((r) => r.user))],
            latest_reply: replies.at(-1)?.ts,
          }
        : {}),
    ...(message.edited !== undefined ? { edited: message.edited } : {}),
    ...(message.reactions.size > 0
      ? {
          reactions: [...message.reactions].map(([name, users]) => ({
            name,
            users,
            count: users.length,
          })),
        }
      : {}),
  };
}

/** A message's link in Slack's web client, with the thread for a reply. */
export function permalink(team: Team, message: StoredMessage): string {
  const base = `https://${team.domain}.slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}`;
  return message.threadTs === undefined
    ? base
    : `${base}?thread_ts=${message.threadTs}&cid=${message.channel}`;
}

/** The view object Slack answers views.open/update/publish with, from the payload sent. */
export function viewJson(
  id: string,
  sent: Record<string, unknown>,
  identity: { bot: BotIdentity; team: Team },
  previous: StoredView | undefined,
): Record<string, unknown> {
  const modal = sent.type === 'modal';
  return {
    id,
    team_id: identity.team.id,
    type: sent.type,
    blocks: sent.blocks ?? [],
    private_metadata: sent.private_metadata ?? '',
    callback_id: sent.callback_id ?? '',
    state: { values: {} },
    // A new hash for every version, as Slack's: views.update with an older one is a conflict.
    hash: `${Math.floor(Date.now() / 1000)}.${id.slice(-6)}${previous === undefined ? 0 : previous.updates + 1}`,
    title: sent.title ?? null,
    clear_on_close: sent.clear_on_close ?? false,
    notify_on_close: sent.notify_on_close ?? false,
    close: modal ? (sent.close ?? null) : null,
    submit: modal ? (sent.submit ?? null) : null,
    previous_view_id: null,
    root_view_id: id,
    app_id: identity.bot.appId,
    external_id: sent.external_id ?? '',
    app_installed_team_id: identity.team.id,
    bot_id: identity.bot.botId,
  };
}
