import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_APPROVE } from '../../blocks/plan-message.js';
import { DEMO_SCRIPT } from '../../scripts/demo-script.js';
import type { SlackSocketMode } from '../vendors/slack/socket-mode.js';
import { ALICE, CHANNEL } from '../vendors-slack/slack-test-setup.js';
import { SECRETS, scriptTheModel, startSlackWorld, type SlackWorld } from './slack-harness.js';

let scratch: string;
let world: SlackWorld;
let socket: SlackSocketMode;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-slack-socket-'));
  world = await startSlackWorld(scratch, { socketMode: true });
  if (world.slack.socketMode === undefined) throw new Error('the Slack server serves Socket Mode');
  socket = world.slack.socketMode;
  await socket.connected();
}, 60_000);
afterAll(async () => {
  await world.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** `/aidev <text>` typed by Alice, over the socket: resolves with the acknowledgement's payload. */
const command = (text: string) =>
  socket.send(
    'slash_commands',
    world.requests.slashCommand({ user: ALICE, channel: CHANNEL, text }).payload,
  );

describe('Socket Mode (SLACK_APP_TOKEN): the same app over Slack’s WebSocket', () => {
  it('connects with the app token through apps.connections.open, and offers no /slack/events', async () => {
    expect(socket.connections).toHaveLength(1);
    const opened = world.slack.calls('apps.connections.open');
    expect(opened).toHaveLength(1);
    expect(opened[0]?.status).toBe(200);
    const response = await world.requests.send(
      world.requests.slashCommand({ user: ALICE, channel: CHANNEL, text: 'help' }),
    );
    expect(response.status).toBe(404);
  });

  it('takes /aidev implement, the approval click, and finishes with the PR', async () => {
    world.jira.givenIssue({
      key: 'PROJ-31',
      title: 'Order total ignores item quantities',
      description: 'Two mugs cost as one. orderTotal in src/cart.ts must multiply by the quantity.',
      status: 'To Do',
    });
    scriptTheModel(world);
    expect(await command('implement PROJ-31 repo=acme/shop')).toEqual({
      response_type: 'ephemeral',
      text: 'Working on PROJ-31: the run and its progress follow in the channel.',
    });
    const parent = await world.runMessage('PROJ-31');
    const plan = await world.replyWithButton(parent.ts, PLAN_APPROVE);
    const click = world.requests.buttonClick({
      user: ALICE,
      message: plan,
      actionId: PLAN_APPROVE,
    });
    expect(await socket.send('interactive', click.payload)).toBeUndefined();

    const run = await world.waitForRun(
      (r) => r.taskKey === 'PROJ-31',
      ['succeeded', 'failed', 'cancelled'],
      90_000,
    );
    expect(run.status).toBe('succeeded');
    expect(world.github.repos.get('acme/shop')?.pulls.map((p) => p.title)).toContain(
      'PROJ-31: Charge each order line for its quantity',
    );
    const final = await world.until('the parent message at its end', () => {
      const latest = world.slack.message(CHANNEL, parent.ts);
      return latest?.text.endsWith('ready for review') === true ? latest : undefined;
    });
    expect(JSON.stringify(final.blocks)).toContain('|Pull request>');
  }, 120_000);

  it('answers a malformed command with its usage, in the acknowledgement', async () => {
    expect(await command('implemnt')).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('/aidev implement') as string,
    });
  });

  it('acts once on an event Slack delivers again with a retry_attempt', async () => {
    world.jira.givenIssue({ key: 'PROJ-32', title: 'Task PROJ-32', status: 'To Do' });
    world.anthropic.reset();
    world.anthropic.reply(DEMO_SCRIPT[0] ?? { content: [] });
    const mention = world.slack.givenMessage({
      channel: CHANNEL,
      user: ALICE,
      text: `<@${world.slack.bot.userId}> implement PROJ-32 repo=acme/shop`,
    });
    const { payload } = world.requests.appMention(mention);
    expect(await socket.send('events_api', payload)).toBeUndefined();
    expect(await socket.send('events_api', payload, { retryAttempt: 1 })).toBeUndefined();
    await world.waitForRun((r) => r.taskKey === 'PROJ-32', ['waiting']);
    const runs = (await world.app.store.runs.list({ limit: 50 })).items;
    expect(runs.filter((r) => r.taskKey === 'PROJ-32')).toHaveLength(1);
    // Only once told, too: the retry was not handled a second time.
    const told = world.slack.ephemerals.filter((e) => e.text.includes('PROJ-32'));
    expect(told.map((e) => e.text)).toEqual([
      'On it: PROJ-32 in acme/shop. Progress and the plan follow in the channel.',
    ]);
  });

  it('calls Slack only as described, and logs no secret', () => {
    expect(world.slack.violations).toEqual([]);
    for (const secret of SECRETS) expect(world.logLines.join('\n')).not.toContain(secret);
  });
});
