import { webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSlackServer, type SlackServer } from '../vendors/slack/slack-server.js';
import { ALICE, BOT_TOKEN, CHANNEL, webClient } from './slack-test-setup.js';

let server: SlackServer;
let client: ReturnType<typeof webClient>;

beforeAll(async () => {
  server = await startSlackServer({
    botToken: BOT_TOKEN,
    channels: [
      { id: 'C0AIDEV0001', name: 'aidev' },
      { id: 'C0PRIVATE01', name: 'secret', isPrivate: true, botIsMember: false },
    ],
  });
  client = webClient(server);
});
beforeEach(() => server.reset());
afterEach(() => {
  expect(server.violations).toEqual([]);
});
afterAll(() => server.close());

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (text: string, actionId = 'go') => ({
  type: 'actions',
  elements: [{ type: 'button', action_id: actionId, text: { type: 'plain_text', text } }],
});

describe('Slack errors: HTTP 200 with { ok: false, error }, as the WebClient expects', () => {
  it('refuses a wrong token (invalid_auth) and a missing one (not_authed)', async () => {
    await expect(webClient(server, { token: 'xoxb-wrong' }).auth.test()).rejects.toMatchObject({
      code: webApi.ErrorCode.PlatformError,
      data: { ok: false, error: 'invalid_auth' },
    });
    // An empty token: the WebClient sends no Authorization header at all.
    await expect(
      webClient(server, { token: '' }).chat.postMessage({ channel: CHANNEL, text: 'x' }),
    ).rejects.toMatchObject({ data: { error: 'not_authed' } });
    expect(server.calls('auth.test').map((r) => r.status)).toEqual([200]);
  });

  it('answers channel_not_found, not_in_channel, message_not_found and user_not_found', async () => {
    const refused = (call: Promise<unknown>, error: string) =>
      expect(call).rejects.toMatchObject({ data: { ok: false, error } });
    await refused(
      client.chat.postMessage({ channel: 'C0NOWHERE01', text: 'x' }),
      'channel_not_found',
    );
    await refused(client.chat.postMessage({ channel: 'C0PRIVATE01', text: 'x' }), 'not_in_channel');
    await refused(
      client.chat.update({ channel: CHANNEL, ts: '1700000000.000100', text: 'x' }),
      'message_not_found',
    );
    await refused(
      client.chat.getPermalink({ channel: CHANNEL, message_ts: '1700000000.000100' }),
      'message_not_found',
    );
    await refused(client.users.info({ user: 'U0NOBODY001' }), 'user_not_found');
    await refused(
      client.chat.postEphemeral({ channel: 'C0PRIVATE01', user: server.bot.userId, text: 'x' }),
      'user_not_in_channel',
    );
    await refused(client.apiCall('chat.postMessage', { channel: CHANNEL }), 'no_text');
    await refused(
      client.chat.postMessage({ channel: CHANNEL, thread_ts: '1700000000.000100', text: 'x' }),
      'thread_not_found',
    );
  });

  it('refuses a call the description forbids with 400 and a violation, in Slack’s error shape', async () => {
    // A call without its required channel: the WebClient's types would not allow it.
    await expect(client.apiCall('chat.postMessage', { text: 'no channel' })).rejects.toMatchObject({
      code: webApi.ErrorCode.HTTPError,
      statusCode: 400,
      body: {
        ok: false,
        error: 'invalid_arguments',
        response_metadata: { messages: [expect.stringMatching(/^\[ERROR\] /) as unknown] },
      },
    });
    const [violation, ...more] = server.takeViolations();
    expect(more).toEqual([]);
    expect(violation).toContain("must have required property 'channel'");
  });
});

describe('Block Kit limits: invalid_blocks, and a violation for the test', () => {
  const cases: [string, unknown[], string][] = [
    ['51 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' })), '/blocks'],
    ['section text over 3000', [section('x'.repeat(3001))], '/blocks/0/text/text'],
    [
      'header text over 150',
      [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      '/blocks/0/text/text',
    ],
    ['button text over 75', [button('b'.repeat(76))], '/blocks/0/elements/0/text/text'],
    ['action_id over 255', [button('ok', 'a'.repeat(256))], '/blocks/0/elements/0/action_id'],
    ['an unknown block type', [{ type: 'sparkles' }], '/blocks/0/type'],
  ];
  it.each(cases)('refuses %s', async (_name, blocks, pointer) => {
    await expect(
      client.chat.postMessage({ channel: CHANNEL, text: 'fallback', blocks: blocks as never }),
    ).rejects.toMatchObject({
      data: {
        ok: false,
        error: 'invalid_blocks',
        response_metadata: {
          messages: [expect.stringContaining(`[json-pointer:${pointer}]`) as unknown],
        },
      },
    });
    expect(server.takeViolations()).toEqual([
      expect.stringContaining(`chat.postMessage: invalid_blocks`),
    ]);
    expect(server.channel(CHANNEL).messages).toEqual([]);
  });

  it('accepts blocks right at the limits', async () => {
    await client.chat.postMessage({
      channel: CHANNEL,
      text: 'fallback',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } },
        section('x'.repeat(3000)),
        button('b'.repeat(75), 'a'.repeat(255)),
        ...Array.from({ length: 47 }, () => ({ type: 'divider' })),
      ],
    });
    expect(server.channel(CHANNEL).messages).toHaveLength(1);
  });

  it('checks chat.update and chat.postEphemeral too, and text over 40000 is msg_too_long', async () => {
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'ok' });
    await expect(
      client.chat.update({
        channel: CHANNEL,
        ts: posted.ts ?? '',
        text: 'x',
        blocks: [section('')],
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    await expect(
      client.chat.postEphemeral({ channel: CHANNEL, user: ALICE, text: 'x'.repeat(40_001) }),
    ).rejects.toMatchObject({ data: { error: 'msg_too_long' } });
    expect(server.takeViolations()).toHaveLength(2);
  });

  it('answers invalid_blocks_format for blocks that are not JSON', async () => {
    await expect(
      client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: '[{"type":' as never }),
    ).rejects.toMatchObject({ data: { error: 'invalid_blocks_format' } });
    expect(server.takeViolations()).toHaveLength(1);
  });

  it('refuses a modal whose title is longer than 24 characters', async () => {
    await expect(
      client.views.open({
        trigger_id: server.issueTrigger(ALICE),
        view: { type: 'modal', title: { type: 'plain_text', text: 't'.repeat(25) }, blocks: [] },
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    expect(server.takeViolations()).toEqual([expect.stringContaining('/view/title/text')]);
  });
});

describe('scripted failures, as the WebClient meets them', () => {
  it('honours Retry-After on a 429, then succeeds', async () => {
    server.rateLimit('chat.postMessage', { retryAfterSeconds: 1 });
    const retrying = webClient(server, {
      retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 },
    });
    const waits: number[] = [];
    retrying.on(webApi.WebClientEvent.RATE_LIMITED, (seconds: number) => waits.push(seconds));
    const started = Date.now();
    const result = await retrying.chat.postMessage({ channel: CHANNEL, text: 'after the wait' });
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(waits).toEqual([1]);
    expect(server.calls('chat.postMessage').map((r) => r.status)).toEqual([429, 200]);
    expect(server.channel(CHANNEL).messages).toHaveLength(1);
  });

  it('rejects a 429 at once with its Retry-After when asked to', async () => {
    server.rateLimit('chat.update', { retryAfterSeconds: 30 });
    const impatient = webClient(server, { rejectRateLimitedCalls: true });
    await expect(
      impatient.chat.update({ channel: CHANNEL, ts: '1700000000.000100', text: 'x' }),
    ).rejects.toMatchObject({ code: webApi.ErrorCode.RateLimitedError, retryAfter: 30 });
  });

  it('answers a scripted 5xx, which the WebClient retries', async () => {
    server.failNext('auth.test', { status: 503 });
    const retrying = webClient(server, {
      retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 },
    });
    await expect(retrying.auth.test()).resolves.toMatchObject({ ok: true });
    expect(server.calls('auth.test').map((r) => r.status)).toEqual([503, 200]);
    await expect(webClient(server).auth.test()).resolves.toMatchObject({ ok: true });
  });
});

describe('trigger_ids', () => {
  it('refuses a malformed trigger_id and one older than the trigger lifetime', async () => {
    const quick = await startSlackServer({ botToken: BOT_TOKEN, triggerLifetimeMs: 0 });
    try {
      const view = {
        type: 'modal' as const,
        title: { type: 'plain_text' as const, text: 'T' },
        blocks: [],
      };
      const trigger = quick.issueTrigger(ALICE);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await expect(
        webClient(quick).views.open({ trigger_id: trigger, view }),
      ).rejects.toMatchObject({ data: { error: 'expired_trigger_id' } });
      await expect(
        webClient(quick).views.open({ trigger_id: 'not-a-trigger', view }),
      ).rejects.toMatchObject({ data: { error: 'invalid_trigger_id' } });
      expect(quick.violations).toEqual([]);
    } finally {
      await quick.close();
    }
  });
});
