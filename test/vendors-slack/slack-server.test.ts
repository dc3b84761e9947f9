import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buttonsOf } from '../vendors/slack/block-kit.js';
import { startSlackServer, type SlackServer } from '../vendors/slack/slack-server.js';
import { ALICE, BOB, BOT_TOKEN, CHANNEL, webClient } from './slack-test-setup.js';

let server: SlackServer;
let client: ReturnType<typeof webClient>;

beforeAll(async () => {
  server = await startSlackServer({ botToken: BOT_TOKEN });
  client = webClient(server);
});
beforeEach(() => server.reset());
afterEach(() => {
  // Every call the real Slack would refuse fails the test that made it.
  expect(server.violations).toEqual([]);
});
afterAll(() => server.close());

const approval = (state: string) => [
  { type: 'header', text: { type: 'plain_text', text: 'Plan for PROJ-1' } },
  { type: 'section', text: { type: 'mrkdwn', text: `*Status:* ${state}` } },
  {
    type: 'actions',
    block_id: 'plan_actions',
    elements: [
      {
        type: 'button',
        action_id: 'approve_plan',
        text: { type: 'plain_text', text: 'Approve' },
        style: 'primary',
        value: 'run-1',
      },
      {
        type: 'button',
        action_id: 'reject_plan',
        text: { type: 'plain_text', text: 'Reject' },
        value: 'run-1',
      },
    ],
  },
];

describe('the Slack test server, driven by @slack/web-api', () => {
  it('answers auth.test with the bot identity Bolt reads at start', async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({
      ok: true,
      url: 'https://aidev-tests.slack.com/',
      team: 'aidev tests',
      user: 'aidev',
      team_id: server.team.id,
      user_id: server.bot.userId,
      bot_id: server.bot.botId,
    });
  });

  it('posts a message with increasing, unique timestamps and returns it as Slack does', async () => {
    const first = await client.chat.postMessage({ channel: CHANNEL, text: 'one' });
    const second = await client.chat.postMessage({ channel: '#aidev', text: 'two' });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(second.channel).toBe(CHANNEL);
    expect(first.message).toMatchObject({
      type: 'message',
      text: 'one',
      ts: first.ts,
      user: server.bot.userId,
      bot_id: server.bot.botId,
      app_id: server.bot.appId,
      bot_profile: { id: server.bot.botId, app_id: server.bot.appId },
    });
    expect(server.channel(CHANNEL).messages.map((m) => m.text)).toEqual(['one', 'two']);
  });

  it('updates a message in place and threads replies under it', async () => {
    const parent = await client.chat.postMessage({
      channel: CHANNEL,
      text: 'Plan ready',
      blocks: approval('waiting'),
    });
    const ts = parent.ts ?? '';
    for (const state of ['analysing', 'planning', 'coding', 'testing', 'done'])
      await client.chat.update({ channel: CHANNEL, ts, text: state, blocks: approval(state) });
    for (const step of ['analysed', 'planned', 'coded'])
      await client.chat.postMessage({ channel: CHANNEL, thread_ts: ts, text: step });
    const reply = await client.chat.postMessage({
      channel: CHANNEL,
      // A reply to a reply lands in the same thread.
      thread_ts: server.threadOf(CHANNEL, ts)[0]?.ts ?? '',
      text: 'tested',
    });

    expect(reply.message).toMatchObject({ thread_ts: ts, parent_user_id: server.bot.userId });
    const [message, ...others] = server.channel(CHANNEL).messages;
    expect(others).toEqual([]);
    expect(message?.versions).toHaveLength(5);
    expect(message?.text).toBe('done');
    expect(message?.edited?.user).toBe(server.bot.botId);
    expect(server.threadOf(CHANNEL, ts).map((m) => m.text)).toEqual([
      'analysed',
      'planned',
      'coded',
      'tested',
    ]);
    expect(buttonsOf(message?.blocks ?? [])).toEqual([
      {
        blockId: 'plan_actions',
        actionId: 'approve_plan',
        text: 'Approve',
        value: 'run-1',
        style: 'primary',
        url: undefined,
      },
      expect.objectContaining({ actionId: 'reject_plan', text: 'Reject' }),
    ]);
    // Slack gives every block a block_id.
    expect(message?.blocks.every((b) => typeof b.block_id === 'string')).toBe(true);

    const again = await client.chat.update({ channel: CHANNEL, ts, text: 'final' });
    expect(again).toMatchObject({ ok: true, channel: CHANNEL, ts, text: 'final' });
    expect(again.message).toMatchObject({ reply_count: 4, edited: { user: server.bot.botId } });
    // Blocks not sent with chat.update are kept.
    expect(server.message(CHANNEL, ts)?.blocks).toHaveLength(3);
    expect(server.count('chat.update')).toBe(6);
  });

  it('keeps ephemeral messages apart, with the message_ts Slack answers with', async () => {
    const result = await client.chat.postEphemeral({
      channel: CHANNEL,
      user: BOB,
      text: 'Only you can see this',
    });
    expect(result.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(server.ephemerals).toEqual([
      expect.objectContaining({ channel: CHANNEL, user: BOB, ts: result.message_ts }),
    ]);
    expect(server.channel(CHANNEL).messages).toEqual([]);
  });

  it('opens a modal for the user a trigger_id was issued for, then updates it', async () => {
    const opened = await client.views.open({
      trigger_id: server.issueTrigger(ALICE),
      view: {
        type: 'modal',
        callback_id: 'plan_feedback',
        title: { type: 'plain_text', text: 'Feedback' },
        submit: { type: 'plain_text', text: 'Send' },
        private_metadata: 'run-1',
        blocks: [
          {
            type: 'input',
            block_id: 'feedback',
            label: { type: 'plain_text', text: 'What should change?' },
            element: { type: 'plain_text_input', action_id: 'text', multiline: true },
          },
        ],
      },
    });
    expect(opened.view).toMatchObject({
      id: expect.stringMatching(/^V[A-Z0-9]{8,}$/) as unknown,
      type: 'modal',
      callback_id: 'plan_feedback',
      private_metadata: 'run-1',
      state: { values: {} },
      app_id: server.bot.appId,
      team_id: server.team.id,
    });
    expect(server.views).toEqual([expect.objectContaining({ type: 'modal', user: ALICE })]);

    const updated = await client.views.update({
      view_id: opened.view?.id ?? '',
      hash: opened.view?.hash ?? '',
      view: { type: 'modal', title: { type: 'plain_text', text: 'Thanks' }, blocks: [] },
    });
    expect(updated.view?.id).toBe(opened.view?.id);
    expect(server.views[0]?.updates).toBe(1);
    await expect(
      client.views.update({
        view_id: opened.view?.id ?? '',
        hash: opened.view?.hash ?? '',
        view: { type: 'modal', title: { type: 'plain_text', text: 'Stale' }, blocks: [] },
      }),
    ).rejects.toMatchObject({ data: { error: 'hash_conflict' } });
  });

  it('publishes one App Home per user, replaced on each publish', async () => {
    const home = { type: 'home' as const, blocks: [{ type: 'divider' }] };
    const first = await client.views.publish({ user_id: ALICE, view: home });
    const second = await client.views.publish({ user_id: ALICE, view: home });
    expect(second.view?.id).toBe(first.view?.id);
    expect(server.views).toEqual([expect.objectContaining({ type: 'home', updates: 1 })]);
  });

  it('answers permalinks, conversations, members, users and reactions', async () => {
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'hello' });
    const ts = posted.ts ?? '';
    const reply = await client.chat.postMessage({ channel: CHANNEL, thread_ts: ts, text: 'r' });

    const link = await client.chat.getPermalink({ channel: CHANNEL, message_ts: ts });
    expect(link.permalink).toBe(
      `https://aidev-tests.slack.com/archives/${CHANNEL}/p${ts.replace('.', '')}`,
    );
    const replyLink = await client.chat.getPermalink({
      channel: CHANNEL,
      message_ts: reply.ts ?? '',
    });
    expect(replyLink.permalink).toContain(`?thread_ts=${ts}&cid=${CHANNEL}`);

    const info = await client.conversations.info({ channel: CHANNEL, include_num_members: true });
    expect(info.channel).toMatchObject({ id: CHANNEL, name: 'aidev', is_member: true });
    expect(info.channel?.num_members).toBe(3);

    const page1 = await client.conversations.members({ channel: CHANNEL, limit: 2 });
    const page2 = await client.conversations.members({
      channel: CHANNEL,
      limit: 2,
      cursor: page1.response_metadata?.next_cursor ?? '',
    });
    expect([...(page1.members ?? []), ...(page2.members ?? [])]).toEqual([
      ALICE,
      BOB,
      server.bot.userId,
    ]);
    expect(page2.response_metadata?.next_cursor).toBe('');

    const alice = await client.users.info({ user: ALICE });
    const bob = await client.users.info({ user: BOB });
    expect(alice.user).toMatchObject({ id: ALICE, name: 'alice', is_admin: true });
    expect(bob.user?.is_admin).toBe(false);

    await client.reactions.add({ channel: CHANNEL, timestamp: ts, name: 'eyes' });
    expect(server.message(CHANNEL, ts)?.reactions.get('eyes')).toEqual([server.bot.userId]);
  });

  it('opens a direct message when a message is posted to a user id', async () => {
    const result = await client.chat.postMessage({ channel: BOB, text: 'Your PR is ready' });
    expect(result.channel).toMatch(/^D/);
    expect(server.channel(result.channel ?? '').messages.map((m) => m.text)).toEqual([
      'Your PR is ready',
    ]);
  });

  it('counts calls per method', async () => {
    await client.auth.test();
    await client.chat.postMessage({ channel: CHANNEL, text: 'x' });
    expect(server.count('auth.test')).toBe(1);
    expect(server.calls('chat.postMessage').map((r) => r.status)).toEqual([200]);
    expect(server.count()).toBe(2);
  });
});
