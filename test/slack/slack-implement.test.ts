import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_APPROVE } from '../../blocks/plan-message.js';
import { buttonsOf } from '../vendors/slack/block-kit.js';
import { ALICE, CHANNEL } from '../vendors-slack/slack-test-setup.js';
import { SECRETS, scriptTheModel, startSlackWorld, type SlackWorld } from './slack-harness.js';

let scratch: string;
let world: SlackWorld;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-slack-'));
  world = await startSlackWorld(scratch);
}, 60_000);
afterAll(async () => {
  await world.stop();
  await rm(scratch, { recursive: true, force: true });
});

const texts = (blocks: readonly unknown[]) => JSON.stringify(blocks);

describe('/aidev implement, end to end through the real Bolt receiver and every local vendor', () => {
  it('acks, plans, takes the approval, opens the PR, moves the issue, writes the page and reports the cost', async () => {
    world.jira.givenIssue({
      key: 'PROJ-1',
      title: 'Order total ignores item quantities',
      description: 'Two mugs cost as one. orderTotal in src/cart.ts must multiply by the quantity.',
      status: 'To Do',
    });
    scriptTheModel(world);
    const started = performance.now();
    const response = await world.requests.send(
      world.requests.slashCommand({
        user: ALICE,
        channel: CHANNEL,
        text: 'implement PROJ-1 repo=acme/shop',
      }),
    );
    const ackMs = performance.now() - started;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      response_type: 'ephemeral',
      text: 'Working on PROJ-1: the run and its progress follow in the channel.',
    });
    expect(ackMs).toBeLessThan(3_000);
    // The command was recorded before the answer; what came of it is told privately after.
    await world.until('the private confirmation', () =>
      world.slack.ephemerals.find((e) => e.text.startsWith('On it: PROJ-1 in acme/shop')),
    );
    const run = await world.waitForRun(
      (r) => r.taskKey === 'PROJ-1',
      ['queued', 'running', 'waiting', 'succeeded'],
    );

    // One parent message in the channel, then the plan with its buttons in its thread.
    const parent = await world.runMessage('PROJ-1');
    const plan = await world.replyWithButton(parent.ts, PLAN_APPROVE);
    expect(texts(plan.blocks)).toContain('orderTotal adds up unit prices and ignores quantities');
    expect(buttonsOf(plan.blocks).map((b) => b.text)).toEqual(['Approve', 'Reject…']);

    const click = await world.requests.send(
      world.requests.buttonClick({ user: ALICE, message: plan, actionId: PLAN_APPROVE }),
    );
    expect(click.status).toBe(200);
    const done = await world.waitForRun((r) => r.id === run.id, ['succeeded', 'failed'], 90_000);
    const steps = await world.app.store.steps.listForRun(run.id);
    expect(done.status, JSON.stringify(steps.map((s) => [s.stepName, s.status, s.error]))).toBe(
      'succeeded',
    );

    // The plan message shows who approved; the vendors hold the work.
    expect(texts(world.slack.message(CHANNEL, plan.ts)?.blocks ?? [])).toContain(
      `Approved by <@${ALICE}>`,
    );
    const repo = world.github.repos.get('acme/shop');
    expect(repo?.pulls.map((p) => p.title)).toEqual([
      'PROJ-1: Charge each order line for its quantity',
    ]);
    expect(repo?.filesAt('aidev/PROJ-1')['src/cart.ts']).toContain(
      'item.unitPrice * item.quantity',
    );
    const issue = world.jira.issues.get('PROJ-1');
    expect(issue?.status).toBe('In Review');
    expect(JSON.stringify(issue?.comments)).toContain('aidev opened a pull request for review');
    expect(world.confluence.page('PROJ-1: Order total ignores item quantities')).toBeDefined();

    // The thread tells the milestones; the parent message ends with the PR link and the cost.
    const thread = await world.until('the final reply', () => {
      const replies = world.slack.threadOf(CHANNEL, parent.ts);
      return replies.some((m) => m.text.startsWith(':white_check_mark: Done'))
        ? replies
        : undefined;
    });
    const said = thread.map((m) => m.text).join('\n');
    expect(said).toContain(':link: Pull request opened:');
    expect(said).toContain('PROJ-1 moved to review');
    expect(said).toContain(':page_facing_up: Documentation written:');
    expect(said).toMatch(
      /:white_check_mark: Done — <[^>]+\|pull request> ready for review\. Cost: \*\$0\.\d{4}\*/,
    );
    const final = await world.until('the parent message at its end', () => {
      const latest = world.slack.message(CHANNEL, parent.ts);
      return latest?.text.endsWith('ready for review') === true ? latest : undefined;
    });
    expect(final.text).toBe('PROJ-1: Order total ignores item quantities: ready for review');
    expect(texts(final.blocks)).toContain('|Pull request>');
    expect(texts(final.blocks)).toMatch(/Cost so far: \*\$0\.\d{4}\*/);
    expect(final.versions.length).toBeGreaterThan(2);

    for (const server of [
      world.slack.http,
      world.github.http,
      world.jira.http,
      world.confluence.http,
      world.anthropic.http,
    ])
      expect(server.violations).toEqual([]);
    for (const secret of SECRETS) expect(world.logLines.join('\n')).not.toContain(secret);
  }, 300_000);
});
