import type { Handler, HandlerRequest } from '../kit/vendor-server.js';
import { LIMITS, blockProblems, viewProblems, type Block } from './block-kit.js';
import { channelJson, userJson, withBlockIds, type StoredView } from './slack-model.js';
import { messageJson, permalink, viewJson } from './slack-json.js';
import type { SlackServer } from './slack-server.js';
import { slackError, slackProblems } from './slack-wire.js';

type Args = Readonly<Record<string, unknown>>;

/** The call's arguments: a POST's body fields, or a GET's query parameters. */
function argsOf(request: HandlerRequest): Args {
  const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
  return { ...request.query, ...(body as Args) };
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const ok = (body: Record<string, unknown>) => ({ body: { ok: true, ...body } });

/** The content of a message call, checked as Slack checks it; refusals are also violations. */
function contentOf(server: SlackServer, method: string, args: Args) {
  const refuse = (error: string, lines: string[]) => {
    server.http.violations.push(`Slack ${method}: ${error}: ${lines.join('; ')}`);
    return slackProblems(error, lines);
  };
  for (const field of ['blocks', 'attachments'] as const)
    if (typeof args[field] === 'string')
      throw refuse(`invalid_${field}_format`, [`[ERROR] ${field} is not a JSON array`]);
  const blocks = args.blocks as Block[] | undefined;
  if (blocks !== undefined) {
    const problems = blockProblems(blocks, 'message');
    if (problems.length > 0) throw refuse('invalid_blocks', problems);
  }
  const text = str(args.text);
  if (text !== undefined && text.length > LIMITS.messageText)
    throw refuse('msg_too_long', [
      `[ERROR] text must be less than ${LIMITS.messageText + 1} characters [json-pointer:/text]`,
    ]);
  return {
    text,
    blocks: blocks === undefined ? undefined : withBlockIds(blocks),
    attachments: args.attachments as unknown[] | undefined,
  };
}

/** A view payload, checked; Slack answers `invalid_arguments` for a view it cannot accept. */
function viewOf(server: SlackServer, method: string, args: Args, type: 'modal' | 'home') {
  const view = args.view;
  const problems =
    typeof view === 'object' && view !== null
      ? viewProblems(view)
      : ['[ERROR] view must be a JSON object [json-pointer:/view]'];
  if (problems.length === 0 && (view as Args).type !== type)
    problems.push(`[ERROR] must be a ${type} view [json-pointer:/view/type]`);
  if (problems.length > 0) {
    server.http.violations.push(`Slack ${method}: invalid_arguments: ${problems.join('; ')}`);
    throw slackProblems('invalid_arguments', problems);
  }
  const sent = view as Record<string, unknown>;
  return { ...sent, blocks: withBlockIds((sent.blocks ?? []) as Block[]) };
}

/** The Web API methods aidev's Slack app calls, by operation id, over the server's workspace. */
export function slackHandlers(server: () => SlackServer): Record<string, Handler> {
  /** Authenticates the call and returns the server and its arguments. */
  const call = (request: HandlerRequest) => {
    const s = server();
    s.authenticate(request);
    return { s, args: argsOf(request), identity: { bot: s.bot, team: s.team } };
  };
  const conversation = (s: SlackServer, id: unknown) => {
    const channel = typeof id === 'string' ? s.findChannel(id) : undefined;
    if (channel === undefined) throw slackError('channel_not_found');
    return channel;
  };
  const storeView = (s: SlackServer, view: StoredView) => {
    const previous = s.views.findIndex((v) => v.id === view.id);
    if (previous >= 0) s.views[previous] = view;
    else s.views.push(view);
    return ok({ view: view.payload });
  };

  return {
    auth_test: (request) => {
      const { s } = call(request);
      return ok({
        url: `https://${s.team.domain}.slack.com/`,
        team: s.team.name,
        user: s.bot.name,
        team_id: s.team.id,
        user_id: s.bot.userId,
        bot_id: s.bot.botId,
        is_enterprise_install: false,
      });
    },
    chat_postMessage: (request) => {
      const { s, args, identity } = call(request);
      const channel = conversation(s, args.channel);
      if (channel.isArchived) throw slackError('is_archived');
      if (!channel.botIsMember) throw slackError('not_in_channel');
      const content = contentOf(s, 'chat.postMessage', args);
      if (content.text === undefined && !content.blocks?.length && !content.attachments?.length)
        throw slackError('no_text');
      let threadTs = str(args.thread_ts);
      if (threadTs !== undefined) {
        const parent = channel.byTs.get(threadTs);
        if (parent === undefined) throw slackError('thread_not_found');
        // Slack threads a reply to a reply under the same parent.
        threadTs = parent.threadTs ?? parent.ts;
      }
      const message = s.store(channel, {
        user: s.bot.userId,
        text: content.text ?? '',
        blocks: content.blocks ?? [],
        attachments: content.attachments ?? [],
        threadTs,
        replyBroadcast: args.reply_broadcast === true,
      });
      return ok({
        channel: channel.id,
        ts: message.ts,
        message: messageJson(message, channel, identity),
      });
    },
    chat_update: (request) => {
      const { s, args, identity } = call(request);
      const channel = conversation(s, args.channel);
      const message = channel.byTs.get(str(args.ts) ?? '');
      if (message === undefined) throw slackError('message_not_found');
      if (message.user !== s.bot.userId) throw slackError('cant_update_message');
      const content = contentOf(s, 'chat.update', args);
      if (content.text === undefined && content.blocks === undefined && !content.attachments)
        throw slackError('no_text');
      message.versions.push({
        text: message.text,
        blocks: message.blocks,
        attachments: message.attachments,
      });
      message.text = content.text ?? message.text;
      message.blocks = content.blocks ?? message.blocks;
      message.attachments = content.attachments ?? message.attachments;
      message.edited = { user: s.bot.botId, ts: s.clock.next() };
      const { ts: _ts, ...json } = messageJson(message, channel, identity);
      return ok({ channel: channel.id, ts: message.ts, text: message.text, message: json });
    },
    chat_postEphemeral: (request) => {
      const { s, args } = call(request);
      const channel = conversation(s, args.channel);
      const user = str(args.user) ?? '';
      if (!s.users.has(user)) throw slackError('user_not_found');
      if (!channel.members.includes(user)) throw slackError('user_not_in_channel');
      const content = contentOf(s, 'chat.postEphemeral', args);
      if (content.text === undefined && !content.blocks?.length && !content.attachments?.length)
        throw slackError('no_text');
      const ts = s.clock.next();
      s.ephemerals.push({
        channel: channel.id,
        user,
        ts,
        threadTs: str(args.thread_ts),
        text: content.text ?? '',
        blocks: content.blocks ?? [],
      });
      return ok({ message_ts: ts });
    },
    chat_getPermalink: (request) => {
      const { s, args } = call(request);
      const channel = conversation(s, args.channel);
      const message = channel.byTs.get(str(args.message_ts) ?? '');
      if (message === undefined) throw slackError('message_not_found');
      return ok({ channel: channel.id, permalink: permalink(s.team, message) });
    },
    reactions_add: (request) => {
      const { s, args } = call(request);
      const channel = conversation(s, args.channel);
      const message = channel.byTs.get(str(args.timestamp) ?? '');
      if (message === undefined) throw slackError('message_not_found');
      const name = str(args.name) ?? '';
      if (!/^[a-z0-9_+'-]+$/.test(name)) throw slackError('invalid_name');
      const users = message.reactions.get(name) ?? [];
      if (users.includes(s.bot.userId)) throw slackError('already_reacted');
      message.reactions.set(name, [...users, s.bot.userId]);
      return ok({});
    },
    views_open: (request) => {
      const { s, args, identity } = call(request);
      const user = s.useTrigger(str(args.trigger_id) ?? '');
      const sent = viewOf(s, 'views.open', args, 'modal');
      const id = s.takeViewId();
      return storeView(s, {
        id,
        type: 'modal',
        user: user ?? '',
        triggerId: str(args.trigger_id),
        payload: viewJson(id, sent, identity, undefined),
        updates: 0,
      });
    },
    views_update: (request) => {
      const { s, args, identity } = call(request);
      const view = s.views.find(
        (v) =>
          v.id === args.view_id ||
          (str(args.external_id) !== undefined && v.payload.external_id === args.external_id),
      );
      if (view === undefined) throw slackError('not_found');
      if (str(args.hash) !== undefined && args.hash !== view.payload.hash)
        throw slackError('hash_conflict');
      const sent = viewOf(s, 'views.update', args, view.type);
      return storeView(s, {
        ...view,
        payload: viewJson(view.id, sent, identity, view),
        updates: view.updates + 1,
      });
    },
    views_publish: (request) => {
      const { s, args, identity } = call(request);
      const user = str(args.user_id) ?? '';
      if (!s.users.has(user)) throw slackError('user_not_found');
      const home = s.views.find((v) => v.type === 'home' && v.user === user);
      if (home !== undefined && str(args.hash) !== undefined && args.hash !== home.payload.hash)
        throw slackError('hash_conflict');
      const sent = viewOf(s, 'views.publish', args, 'home');
      const id = home?.id ?? s.takeViewId();
      return storeView(s, {
        id,
        type: 'home',
        user,
        triggerId: undefined,
        payload: viewJson(id, sent, identity, home),
        updates: home === undefined ? 0 : home.updates + 1,
      });
    },
    conversations_info: (request) => {
      const { s, args } = call(request);
      const channel = conversation(s, args.channel);
      return ok({
        channel: {
          ...channelJson(channel, s.bot.userId),
          ...(args.include_num_members === true ? { num_members: channel.members.length } : {}),
        },
      });
    },
    conversations_members: (request) => {
      const { s, args } = call(request);
      const channel = conversation(s, args.channel);
      const limit = typeof args.limit === 'number' && args.limit > 0 ? args.limit : 100;
      let start = 0;
      const cursor = str(args.cursor);
      if (cursor !== undefined) {
        const from = Buffer.from(cursor, 'base64')
          .toString()
          .replace(/^user_id:/, '');
        start = channel.members.indexOf(from);
        if (start < 0) throw slackError('invalid_cursor');
      }
      const page = channel.members.slice(start, start + limit);
      const next = channel.members[start + limit];
      return ok({
        members: page,
        response_metadata: {
          next_cursor: next === undefined ? '' : Buffer.from(`user_id:${next}`).toString('base64'),
        },
      });
    },
    users_info: (request) => {
      const { s, args } = call(request);
      const user = s.users.get(str(args.user) ?? '');
      if (user === undefined) throw slackError('user_not_found');
      return ok({ user: userJson(user, s.team) });
    },
  };
}
