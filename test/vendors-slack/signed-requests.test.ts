import { isValidSlackRequest, verifySlackRequest } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventEnvelopeCheck } from '../vendors/slack/event-envelope.js';
import { ResponseUrlCatcher } from '../vendors/slack/response-url-catcher.js';
import { startSlackServer, type SlackServer } from '../vendors/slack/slack-server.js';
import {
  SlackRequests,
  slackSignature,
  type SlackRequest,
} from '../vendors/slack/signed-requests.js';
import { ALICE, BOT_TOKEN, CHANNEL, SIGNING_SECRET } from './slack-test-setup.js';

let server: SlackServer;
let catcher: ResponseUrlCatcher;
let slack: SlackRequests;

beforeAll(async () => {
  server = await startSlackServer({ botToken: BOT_TOKEN });
  catcher = await ResponseUrlCatcher.start();
  slack = await SlackRequests.create({
    url: 'http://127.0.0.1:1/slack/events',
    signingSecret: SIGNING_SECRET,
    server,
    responseUrls: catcher,
  });
});
afterAll(async () => {
  await catcher.close();
  await server.close();
});

/** What Bolt's receivers hand to its verifier. */
const verification = (request: SlackRequest, nowMilliseconds?: number) => ({
  signingSecret: SIGNING_SECRET,
  body: request.body,
  headers: {
    'x-slack-signature': request.headers['x-slack-signature'] ?? '',
    'x-slack-request-timestamp': Number(request.headers['x-slack-request-timestamp']),
  },
  ...(nowMilliseconds === undefined ? {} : { nowMilliseconds }),
});

const command = (sign?: Parameters<SlackRequests['slashCommand']>[1]) =>
  slack.slashCommand({ user: ALICE, channel: CHANNEL, text: 'implement PROJ-456' }, sign);

describe('signing, checked by @slack/bolt’s own verifier', () => {
  it('signs v0:<timestamp>:<body> with HMAC-SHA256, as Slack documents', () => {
    // Slack's worked example (docs: "Verifying requests from Slack").
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('produces requests the verifier accepts', () => {
    expect(() => verifySlackRequest(verification(command()))).not.toThrow();
    expect(isValidSlackRequest(verification(slack.appMention(mention())))).toBe(true);
  });

  it('forges or leaves out the signature on request', () => {
    expect(() => verifySlackRequest(verification(command({ signature: 'forged' })))).toThrow(
      /signature mismatch/,
    );
    const unsigned = command({ signature: 'missing' });
    expect(unsigned.headers['x-slack-signature']).toBeUndefined();
    expect(isValidSlackRequest(verification(unsigned))).toBe(false);
  });

  it('dates a request in the past or the future', () => {
    const now = Date.now();
    const stale = command({ timestamp: Math.floor(now / 1000) - 6 * 60 });
    expect(() => verifySlackRequest(verification(stale, now))).toThrow(/stale/);
    // Bolt only refuses requests that are too old; one from the future passes its check.
    const future = command({ timestamp: Math.floor(now / 1000) + 6 * 60 });
    expect(isValidSlackRequest(verification(future, now))).toBe(true);
  });

  it('adds Slack’s redelivery headers', () => {
    const retried = slack.appMention(mention(), { retry: { num: 2, reason: 'http_timeout' } });
    expect(retried.headers).toMatchObject({
      'x-slack-retry-num': '2',
      'x-slack-retry-reason': 'http_timeout',
      'content-type': 'application/json',
    });
  });
});

function mention() {
  return server.givenMessage({ channel: CHANNEL, user: ALICE, text: `<@${server.bot.userId}> hi` });
}

describe('payloads, as Slack sends them', () => {
  it('posts a slash command as the form fields Slack sends, in Slack’s order', () => {
    const request = command();
    const fields = new URLSearchParams(request.body);
    expect([...fields.keys()]).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    expect(Object.fromEntries(fields)).toMatchObject({
      team_id: server.team.id,
      channel_name: 'aidev',
      user_name: 'alice',
      command: '/aidev',
      text: 'implement PROJ-456',
      api_app_id: server.bot.appId,
    });
    expect(fields.get('response_url')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/commands\/T/);
    expect(fields.get('trigger_id')).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('posts a button click as a block_actions payload built from the message', () => {
    const message = server.store(server.conversations.get(CHANNEL)!, {
      user: server.bot.userId,
      text: 'Plan',
      blocks: [
        {
          type: 'actions',
          block_id: 'plan',
          elements: [
            {
              type: 'button',
              action_id: 'approve_plan',
              value: 'run-7',
              text: { type: 'plain_text', text: 'Approve' },
            },
          ],
        },
      ],
    });
    const request = slack.buttonClick({ user: ALICE, message, actionId: 'approve_plan' });
    const payload = JSON.parse(new URLSearchParams(request.body).get('payload') ?? '') as object;
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: ALICE, username: 'alice' },
      api_app_id: server.bot.appId,
      container: { type: 'message', message_ts: message.ts, channel_id: CHANNEL },
      channel: { id: CHANNEL, name: 'aidev' },
      message: { ts: message.ts, bot_id: server.bot.botId, blocks: message.blocks },
      actions: [
        {
          type: 'button',
          action_id: 'approve_plan',
          block_id: 'plan',
          value: 'run-7',
          text: { type: 'plain_text', text: 'Approve' },
        },
      ],
    });
    expect(() => slack.buttonClick({ user: ALICE, message, actionId: 'nope' })).toThrow(
      /no button with action_id nope/,
    );
  });

  it('wraps events in an envelope that fits Slack’s published schema', async () => {
    const request = slack.message({ ...mention(), threadTs: '1700000000.000100' });
    expect(request.payload).toMatchObject({
      type: 'event_callback',
      team_id: server.team.id,
      api_app_id: server.bot.appId,
      event: { type: 'message', channel_type: 'channel', thread_ts: '1700000000.000100' },
      authorizations: [{ user_id: server.bot.userId, is_bot: true }],
    });
    const check = await eventEnvelopeCheck();
    expect(check(request.payload)).toEqual([]);
    expect(check({ type: 'event_callback', event: { type: 'app_mention' } })).toEqual(
      expect.arrayContaining([
        expect.stringContaining("must have required property 'event_id'"),
        expect.stringContaining("/event must have required property 'event_ts'"),
      ]),
    );
  });
});
