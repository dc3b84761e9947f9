import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_APPROVE, PLAN_REJECT } from '../../blocks/plan-message.js';
import { DEMO_SCRIPT } from '../../scripts/demo-script.js';
import { buttonsOf } from '../vendors/slack/block-kit.js';
import { ALICE, BOB, CHANNEL } from '../vendors-slack/slack-test-setup.js';
import { startSlackWorld, type SlackWorld } from './slack-harness.js';

let scratch: string;
let world: SlackWorld;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-slack-decisions-'));
  world = await startSlackWorld(scratch);
}, 60_000);
afterAll(async () => {
  await world.stop();
  await rm(scratch, { recursive: true, force: true });
});

const [planReply] = DEMO_SCRIPT;
const revisedPlan = {
  content: [
    {
      type: 'tool_use' as const,
      name: 'submit_plan',
      input: {
        ...(planReply?.content[0] as { input: Record<string, unknown> }).input,
        summary: 'Multiply by the quantity, and test a discounted order of several mugs.',
      },
    },
  ],
};

async function startImplement(key: string, user = ALICE) {
  world.jira.givenIssue({
    key,
    title: `Task ${key}`,
    description: 'Two mugs cost as one.',
    status: 'To Do',
  });
  const request = world.requests.slashCommand({
    user,
    channel: CHANNEL,
    text: `implement ${key} repo=acme/shop`,
  });
  const response = await world.requests.send(request);
  expect(response.status).toBe(200);
  const parent = await world.until(`the parent message of ${key}`, () =>
    world.slack.channel(CHANNEL).messages.find((m) => m.text.startsWith(key)),
  );
  return { request, parent };
}

const plansIn = (parentTs: string) =>
  world.slack
    .threadOf(CHANNEL, parentTs)
    .filter((m) => buttonsOf(m.blocks).some((b) => b.actionId === PLAN_APPROVE));

describe('plan decisions from Slack', () => {
  it('rejects with feedback in a modal, and posts a revised plan that answers it', async () => {
    world.anthropic.reply(planReply ?? { content: [] }, revisedPlan);
    const { parent } = await startImplement('PROJ-11');
    const plan = await world.until('the first plan', () => plansIn(parent.ts)[0]);
    const asShown = { channel: CHANNEL, ts: plan.ts, blocks: structuredClone(plan.blocks) };
    await world.requests.send(
      world.requests.buttonClick({ user: ALICE, message: plan, actionId: PLAN_REJECT }),
    );
    const modal = await world.until('the feedback modal', () =>
      world.slack.views.find((v) => v.type === 'modal' && v.user === ALICE),
    );
    const submitted = await world.requests.send(
      world.requests.viewSubmission({
        view: modal,
        values: {
          feedback: {
            text: {
              type: 'plain_text_input',
              value: 'Also test a discounted order of several mugs.',
            },
          },
        },
      }),
    );
    expect(submitted.status).toBe(200);
    const revised = await world.until('the revised plan', () =>
      plansIn(parent.ts).find((m) => JSON.stringify(m.blocks).includes('Revised plan (1)')),
    );
    expect(JSON.stringify(revised.blocks)).toContain('Revised plan (1)');
    expect(JSON.stringify(revised.blocks)).toContain('test a discounted order of several mugs');
    expect(JSON.stringify(world.slack.message(CHANNEL, plan.ts)?.blocks)).toContain(
      `Rejected by <@${ALICE}>`,
    );
    // The model was asked again with the feedback and the rejected plan in front of it.
    const asked = JSON.stringify(world.anthropic.messageBodies().at(-1));
    expect(asked).toContain('Their feedback:\\nAlso test a discounted order of several mugs.');
    expect(asked).toContain('The reviewer rejected this plan:');
    // A click on the old plan (a client that still shows it) changes nothing and says why.
    await world.requests.send(
      world.requests.buttonClick({ user: ALICE, message: asShown, actionId: PLAN_APPROVE }),
    );
    await world.until('the stale-plan notice', () =>
      world.slack.ephemerals.find((e) => e.text.includes('replaced by a revised one')),
    );
  }, 90_000);

  it('refuses a click by someone who may not decide, privately, and the run keeps waiting', async () => {
    world.anthropic.reply(planReply ?? { content: [] });
    const { parent } = await startImplement('PROJ-12');
    const plan = await world.until('the plan', () => plansIn(parent.ts)[0]);
    await world.requests.send(
      world.requests.buttonClick({ user: BOB, message: plan, actionId: PLAN_APPROVE }),
    );
    const refusal = await world.until('the refusal', () =>
      world.slack.ephemerals.find((e) => e.user === BOB),
    );
    expect(refusal.text).toBe(`Only <@${ALICE}> or a workspace admin may decide on this run.`);
    const run = await world.waitForRun((r) => r.taskKey === 'PROJ-12', ['waiting']);
    expect(run.waitingFor).toBe('approval');
    expect(JSON.stringify(world.slack.message(CHANNEL, plan.ts)?.blocks)).not.toContain(
      'Approved by',
    );
  }, 90_000);

  it('answers an Approve on a run that was cancelled with why it was not taken, never “approved”', async () => {
    world.anthropic.reply(planReply ?? { content: [] });
    const { parent } = await startImplement('PROJ-14');
    const plan = await world.until('the plan', () => plansIn(parent.ts)[0]);
    const asShown = { channel: CHANNEL, ts: plan.ts, blocks: structuredClone(plan.blocks) };
    const run = await world.waitForRun((r) => r.taskKey === 'PROJ-14', ['waiting']);
    await world.app.engine.cancel(run.id, ALICE);
    await world.waitForRun((r) => r.id === run.id, ['cancelled']);
    await world.requests.send(
      world.requests.buttonClick({ user: ALICE, message: asShown, actionId: PLAN_APPROVE }),
    );
    const notice = await world.until('the refusal', () =>
      world.slack.ephemerals.find((e) => e.user === ALICE && e.text.startsWith('Not taken')),
    );
    expect(notice.text).toBe('Not taken: the run was cancelled.');
    expect(JSON.stringify(world.slack.message(CHANNEL, plan.ts)?.blocks)).not.toContain(
      'Approved by',
    );
  }, 90_000);

  it('starts one run when Slack retries the same command', async () => {
    world.anthropic.reply(planReply ?? { content: [] });
    const { request } = await startImplement('PROJ-13');
    const retried = await world.requests.send({
      ...request,
      headers: {
        ...request.headers,
        'x-slack-retry-num': '1',
        'x-slack-retry-reason': 'http_timeout',
      },
    });
    expect(await retried.json()).toMatchObject({ text: 'Already received: aidev is on it.' });
    const again = await world.requests.send(
      world.requests.slashCommand({
        user: ALICE,
        channel: CHANNEL,
        text: 'implement PROJ-13 repo=acme/shop',
      }),
    );
    expect(await again.json()).toMatchObject({
      text: expect.stringContaining('Working on PROJ-13') as string,
    });
    await world.until('the pointer to the run in progress', () =>
      world.slack.ephemerals.find((e) => e.text.includes('PROJ-13 already has a run here')),
    );
    const runs = (await world.app.store.runs.list({ limit: 100 })).items.filter(
      (r) => r.taskKey === 'PROJ-13',
    );
    expect(runs).toHaveLength(1);
  }, 90_000);
});

describe('requests that are not from Slack', () => {
  it('are refused with 401 and start nothing: forged, unsigned, too old, from the future', async () => {
    const before = (await world.app.store.runs.list({ limit: 100 })).items.length;
    const now = Math.floor(Date.now() / 1000);
    const command = { user: ALICE, channel: CHANNEL, text: 'implement PROJ-99 repo=acme/shop' };
    for (const sign of [
      { signature: 'forged' as const },
      { signature: 'missing' as const },
      { timestamp: now - 6 * 60 },
      { timestamp: now + 6 * 60 },
    ]) {
      const response = await world.requests.send(world.requests.slashCommand(command, sign));
      expect(response.status, JSON.stringify(sign)).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    const unsigned = await fetch(`${world.server.listeningOrigin}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'command=%2Faidev&text=implement+PROJ-99',
    });
    expect(unsigned.status).toBe(401);
    expect((await world.app.store.runs.list({ limit: 100 })).items).toHaveLength(before);
  });
});
