import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type BlockAction, type ButtonAction } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResponseUrlCatcher } from '../vendors/slack/response-url-catcher.js';
import { startSlackServer, type SlackServer } from '../vendors/slack/slack-server.js';
import { SlackRequests } from '../vendors/slack/signed-requests.js';
import {
  ALICE,
  BOT_TOKEN,
  CHANNEL,
  NO_RETRIES,
  SIGNING_SECRET,
  silentLogger,
} from './slack-test-setup.js';

// A real Bolt app (HTTP receiver, signature check, body parsing, WebClient) between the signed
// requests and the Slack test server: proof that the three fit the way Slack and Bolt do.

let server: SlackServer;
let catcher: ResponseUrlCatcher;
let slack: SlackRequests;
let app: App;
let http: Server;
/** Bolt's auth.test calls as it starts (before the first test resets the traffic). */
let authTestsAtStart: string[] = [];
/** What the app's listeners saw, for assertions. */
const seen: { kind: string; detail: unknown }[] = [];

const planBlocks = (status: string) => [
  { type: 'section', text: { type: 'mrkdwn', text: `*PROJ-456* ${status}` } },
  {
    type: 'actions',
    block_id: 'plan',
    elements: [
      {
        type: 'button',
        action_id: 'approve_plan',
        value: 'run-1',
        text: { type: 'plain_text', text: 'Approve' },
      },
      {
        type: 'button',
        action_id: 'give_feedback',
        value: 'run-1',
        text: { type: 'plain_text', text: 'Feedback' },
      },
    ],
  },
];

beforeAll(async () => {
  server = await startSlackServer({ botToken: BOT_TOKEN });
  catcher = await ResponseUrlCatcher.start();
  app = new App({
    token: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    logger: silentLogger,
    clientOptions: { slackApiUrl: server.apiUrl, retryConfig: NO_RETRIES },
  });
  app.command('/aidev', async ({ ack, command, client }) => {
    await ack();
    seen.push({ kind: 'command', detail: command.text });
    await client.chat.postMessage({
      channel: command.channel_id,
      text: 'Plan ready',
      blocks: planBlocks('waiting for approval'),
    });
  });
  app.action<BlockAction<ButtonAction>>(
    'approve_plan',
    async ({ ack, body, action, client, respond }) => {
      await ack();
      seen.push({ kind: 'action', detail: action.value });
      await client.chat.update({
        channel: body.container.channel_id as string,
        ts: body.container.message_ts as string,
        text: 'Approved',
        blocks: planBlocks(`approved by <@${body.user.id}>`),
      });
      await respond({
        text: 'Thanks, building it now.',
        response_type: 'ephemeral',
        replace_original: false,
      });
    },
  );
  app.action<BlockAction>('give_feedback', async ({ ack, body, client }) => {
    await ack();
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: 'feedback',
        title: { type: 'plain_text', text: 'Feedback' },
        submit: { type: 'plain_text', text: 'Send' },
        blocks: [
          {
            type: 'input',
            block_id: 'what',
            label: { type: 'plain_text', text: 'What should change?' },
            element: { type: 'plain_text_input', action_id: 'text' },
          },
        ],
      },
    });
  });
  app.view('feedback', async ({ ack, view }) => {
    await ack();
    seen.push({ kind: 'view', detail: view.state.values.what?.text?.value });
  });
  app.event('app_mention', async ({ event, say, context }) => {
    seen.push({ kind: 'mention', detail: { text: event.text, retryNum: context.retryNum } });
    await say({ text: 'On it', thread_ts: event.ts });
  });
  http = await app.start(0);
  // Bolt verifies its token with auth.test from the constructor, without waiting for it.
  await vi.waitFor(() => expect(server.count('auth.test')).toBeGreaterThan(0));
  authTestsAtStart = server.calls('auth.test').map((r) => String(r.headers.authorization));
  slack = await SlackRequests.create({
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/slack/events`,
    signingSecret: SIGNING_SECRET,
    server,
    responseUrls: catcher,
  });
});
beforeEach(() => {
  server.reset();
  catcher.reset();
  seen.length = 0;
});
afterEach(() => {
  expect(server.violations).toEqual([]);
  expect(catcher.violations).toEqual([]);
});
afterAll(async () => {
  await app.stop();
  await catcher.close();
  await server.close();
});

describe('a Bolt app between the signed requests and the Slack test server', () => {
  it('learns its bot identity with one auth.test as it starts', () => {
    expect(authTestsAtStart).toEqual([`Bearer ${BOT_TOKEN}`]);
  });

  it('runs a slash command, a button click and its response_url answer', async () => {
    const ack = await slack.send(
      slack.slashCommand({ user: ALICE, channel: CHANNEL, text: 'implement PROJ-456' }),
    );
    expect(ack.status).toBe(200);
    await vi.waitFor(() => expect(server.channel(CHANNEL).messages).toHaveLength(1));
    const [plan] = server.channel(CHANNEL).messages;

    const click = await slack.send(
      slack.buttonClick({ user: ALICE, message: plan!, actionId: 'approve_plan' }),
    );
    expect(click.status).toBe(200);
    await vi.waitFor(() => expect(catcher.posts).toHaveLength(1));
    expect(server.message(CHANNEL, plan!.ts)).toMatchObject({
      text: 'Approved',
      versions: [expect.objectContaining({ text: 'Plan ready' })],
    });
    expect(catcher.posts[0]?.body).toMatchObject({ text: 'Thanks, building it now.' });
    expect(seen).toEqual([
      { kind: 'command', detail: 'implement PROJ-456' },
      { kind: 'action', detail: 'run-1' },
    ]);
  });

  it('opens a modal from a click and receives its submission', async () => {
    const message = server.store(server.conversations.get(CHANNEL)!, {
      user: server.bot.userId,
      text: 'Plan',
      blocks: planBlocks('waiting'),
    });
    await slack.send(slack.buttonClick({ user: ALICE, message, actionId: 'give_feedback' }));
    await vi.waitFor(() => expect(server.views).toHaveLength(1));
    const [modal] = server.views;
    expect(modal).toMatchObject({ type: 'modal', user: ALICE });

    const submitted = await slack.send(
      slack.viewSubmission({
        view: modal!,
        values: { what: { text: { type: 'plain_text_input', value: 'Use PostgreSQL' } } },
      }),
    );
    expect(submitted.status).toBe(200);
    expect(seen).toEqual([{ kind: 'view', detail: 'Use PostgreSQL' }]);
  });

  it('answers an app mention in its thread, and sees Slack’s retry headers', async () => {
    const mention = server.givenMessage({
      channel: CHANNEL,
      user: ALICE,
      text: `<@${server.bot.userId}> status?`,
    });
    await slack.send(slack.appMention(mention, { retry: { num: 1, reason: 'http_timeout' } }));
    await vi.waitFor(() => expect(server.threadOf(CHANNEL, mention.ts)).toHaveLength(1));
    expect(server.threadOf(CHANNEL, mention.ts)[0]?.text).toBe('On it');
    expect(seen).toEqual([{ kind: 'mention', detail: { text: mention.text, retryNum: 1 } }]);
  });

  it('refuses forged, unsigned and stale requests before any listener runs', async () => {
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    for (const sign of [
      { signature: 'forged' as const },
      { signature: 'missing' as const },
      { timestamp: old },
    ]) {
      const response = await slack.send(
        slack.slashCommand({ user: ALICE, channel: CHANNEL, text: 'x' }, sign),
      );
      expect(response.status).toBe(401);
    }
    expect(seen).toEqual([]);
    expect(server.count('chat.postMessage')).toBe(0);
  });
});
