import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUDGET_GRANT, BUDGET_RAISE, BUDGET_STOP } from '../../blocks/budget-blocks.js';
import { PLAN_APPROVE } from '../../blocks/plan-message.js';
import { DEMO_SCRIPT } from '../../scripts/demo-script.js';
import { ALICE, BOB, CHANNEL } from '../vendors-slack/slack-test-setup.js';
import { startSlackWorld, type SlackWorld } from './slack-harness.js';

let scratch: string;
let world: SlackWorld;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-slack-talk-'));
  world = await startSlackWorld(scratch);
}, 60_000);
afterAll(async () => {
  await world.stop();
  await rm(scratch, { recursive: true, force: true });
});

const command = async (user: string, text: string) => {
  const response = await world.requests.send(
    world.requests.slashCommand({ user, channel: CHANNEL, text }),
  );
  return ((await response.json()) as { text: string }).text;
};
const told = (user: string, fragment: string) =>
  world.until(`a private message to ${user} containing "${fragment}"`, () =>
    world.slack.ephemerals.find((e) => e.user === user && e.text.includes(fragment)),
  );

describe('talking to aidev in Slack', () => {
  it('keeps channel settings to its approvers, audits the change, and uses them as defaults', async () => {
    expect(
      await command(
        ALICE,
        'config set repository=acme/shop approvers=U0ALICE0001 budget_monthly=50',
      ),
    ).toBe('Updating the channel’s settings…');
    await told(ALICE, 'Changed repository, budget_monthly, approvers.');
    expect(await command(BOB, 'config set budget_monthly=5000')).toBe(
      'Updating the channel’s settings…',
    );
    await told(BOB, 'Only this channel’s approvers');
    expect(await command(ALICE, 'config set notifications=loud')).toBe(
      'Updating the channel’s settings…',
    );
    await told(ALICE, 'notifications: expected one of thread, channel, quiet, found "loud"');
    const shown = await command(BOB, 'config');
    expect(shown).toContain(
      '• *repository*: `acme/shop` — repository for this channel (owner/name on GitHub, or a local git repository)',
    );
    // Every setting is explained, set or not.
    for (const line of shown.split('\n').filter((l) => l.startsWith('• ')))
      expect(line).toMatch(/ — \S/);
    const audit = await world.app.store.audit.list({ targetType: 'channel', targetId: CHANNEL });
    expect(audit.map((a) => a.actor)).toEqual([`slack:${ALICE}`]);
    expect(await command(ALICE, 'implemnt PROJ-1')).toContain('unknown command "implemnt"');
  });

  it('runs the channel’s setup command before the agent, and says in the thread what to fix when it fails', async () => {
    expect(
      await command(
        ALICE,
        'config set setup_command="echo npm error 503 registry.example unreachable >&2; exit 3"',
      ),
    ).toBe('Updating the channel’s settings…');
    await told(ALICE, 'Changed setup_command.');
    world.jira.givenIssue({ key: 'PROJ-24', title: 'Task PROJ-24', status: 'To Do' });
    world.anthropic.reply(DEMO_SCRIPT[0] ?? { content: [] });
    expect(await command(ALICE, 'implement PROJ-24')).toContain('Working on PROJ-24');
    const parent = await world.runMessage('PROJ-24');
    const plan = await world.replyWithButton(parent.ts, PLAN_APPROVE);
    const asked = world.anthropic.count();
    await world.requests.send(
      world.requests.buttonClick({ user: ALICE, message: plan, actionId: PLAN_APPROVE }),
    );
    await world.waitForRun((r) => r.taskKey === 'PROJ-24', ['failed'], 60_000);
    const failure = await world.until('the failure in the thread', () =>
      world.slack.threadOf(CHANNEL, parent.ts).find((m) => m.text.startsWith(':x:')),
    );
    // As Slack receives it: `>` and `&` escaped (Slack shows them as `>&2`).
    expect(failure.text).toContain(
      'the setup command `echo npm error 503 registry.example unreachable &gt;&amp;2; exit 3` (the channel’s setup_command: /aidev config set setup_command="…") failed with exit code 3',
    );
    expect(failure.text).toContain('npm error 503 registry.example unreachable');
    // The agent never started: no model call after the plan.
    expect(world.anthropic.count()).toBe(asked);
    expect(await command(ALICE, 'config unset setup_command')).toBe(
      'Updating the channel’s settings…',
    );
  }, 90_000);

  it('answers a mention like the command, and routes a reply in a run’s thread to that run', async () => {
    world.jira.givenIssue({
      key: 'PROJ-21',
      title: 'Task PROJ-21',
      description: 'Two mugs cost as one.',
      status: 'To Do',
    });
    world.anthropic.reply(DEMO_SCRIPT[0] ?? { content: [] });
    const mention = world.slack.givenMessage({
      channel: CHANNEL,
      user: ALICE,
      text: `<@${world.slack.bot.userId}> implement PROJ-21`,
    });
    expect((await world.requests.send(world.requests.appMention(mention))).status).toBe(200);
    const run = await world.waitForRun((r) => r.taskKey === 'PROJ-21', ['waiting']);
    const parent = await world.runMessage('PROJ-21');
    const reply = world.slack.givenMessage({
      channel: CHANNEL,
      user: ALICE,
      text: 'cancel',
      threadTs: parent.ts,
    });
    await world.requests.send(world.requests.message(reply));
    await told(ALICE, 'Cancelling PROJ-21');
    expect((await world.waitForRun((r) => r.id === run.id, ['cancelled', 'failed'])).status).toBe(
      'cancelled',
    );
  });

  it('pauses at the run budget with Grant / Stop in the thread; a grant lets it go on', async () => {
    expect(await command(ALICE, 'config set budget_per_run=0.0001')).toBe(
      'Updating the channel’s settings…',
    );
    await told(ALICE, 'Changed budget_per_run.');
    world.jira.givenIssue({
      key: 'PROJ-22',
      title: 'Task PROJ-22',
      description: 'Two mugs cost as one.',
      status: 'To Do',
    });
    expect(await command(ALICE, 'implement PROJ-22')).toContain('Working on PROJ-22');
    const parent = await world.runMessage('PROJ-22');
    const pause = await world.replyWithButton(parent.ts, BUDGET_GRANT);
    expect(pause.text).toMatch(
      /^The run paused before spending: the next model call will cost at least \$0\.\d+, which would exceed this run’s budget of \$0\.0001/,
    );
    world.anthropic.reply(DEMO_SCRIPT[0] ?? { content: [] });
    await world.requests.send(
      world.requests.buttonClick({ user: BOB, message: pause, actionId: BUDGET_GRANT }),
    );
    await told(BOB, `Only <@${ALICE}> or a workspace admin may decide on this run.`);
    await world.requests.send(
      world.requests.buttonClick({ user: ALICE, message: pause, actionId: BUDGET_GRANT }),
    );
    await world.waitForRun(
      (r) => r.taskKey === 'PROJ-22' && r.waitingFor === 'approval',
      ['waiting'],
      30_000,
    );
    expect(JSON.stringify(world.slack.message(CHANNEL, pause.ts)?.blocks)).toContain(
      `<@${ALICE}> granted $1 more; the run goes on.`,
    );
    await command(ALICE, 'config unset budget_per_run');
  });

  it('pauses at the global budget with Grant / Raise / Stop; only an admin raises it, and the run goes on', async () => {
    await world.app.store.budgets.set({ scope: 'global', scopeId: '*', limitUsd: '0.0001' });
    world.jira.givenIssue({
      key: 'PROJ-23',
      title: 'Task PROJ-23',
      description: 'Three mugs cost as two.',
      status: 'To Do',
    });
    expect(await command(ALICE, 'implement PROJ-23')).toContain('Working on PROJ-23');
    const parent = await world.runMessage('PROJ-23');
    const pause = await world.replyWithButton(parent.ts, BUDGET_RAISE);
    const buttons = JSON.stringify(pause.blocks);
    for (const action of [BUDGET_GRANT, BUDGET_RAISE, BUDGET_STOP])
      expect(buttons).toContain(action);
    expect(buttons).toContain('A workspace admin may let this run alone spend more');
    world.anthropic.reply(DEMO_SCRIPT[0] ?? { content: [] });
    await world.requests.send(
      world.requests.buttonClick({ user: BOB, message: pause, actionId: BUDGET_RAISE }),
    );
    await told(BOB, 'Only a workspace admin may spend past the global monthly budget.');
    await world.requests.send(
      world.requests.buttonClick({ user: ALICE, message: pause, actionId: BUDGET_RAISE }),
    );
    await world.waitForRun(
      (r) => r.taskKey === 'PROJ-23' && r.waitingFor === 'approval',
      ['waiting'],
      30_000,
    );
    expect(JSON.stringify(world.slack.message(CHANNEL, pause.ts)?.blocks)).toContain(
      `<@${ALICE}> raised the budget by $1; the runs it paused go on.`,
    );
    expect((await world.app.store.budgets.get('global', '*'))?.limitUsd).toBe('1.0001000000');
    await world.app.store.budgets.remove('global', '*');
  });

  it('reports the channel’s month, and shows each person their runs on the App Home', async () => {
    const report = await world.requests.send(
      world.requests.slashCommand({ user: ALICE, channel: CHANNEL, text: 'budget' }),
    );
    const body = (await report.json()) as { text: string; blocks: unknown[] };
    expect(body.text).toMatch(/^<#C0AIDEV0001> spent \$0\.\d{4} in \d{4}-\d{2}$/);
    expect(JSON.stringify(body.blocks)).toContain('of *$50.00*');
    await world.requests.send(
      world.requests.event({
        type: 'app_home_opened',
        user: ALICE,
        channel: 'D0HOME',
        tab: 'home',
        event_ts: `${Date.now() / 1000}`,
      }),
    );
    const home = await world.until('the App Home', () =>
      world.slack.views.find((v) => v.type === 'home' && v.user === ALICE),
    );
    expect(JSON.stringify(home.payload)).toContain('PROJ-22');
  });
});
