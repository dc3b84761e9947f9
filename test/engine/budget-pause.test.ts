import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../src/engine/engine-events.js';
import { anthropicProvider } from '../ai/anthropic/anthropic-setup.js';
import { monthOf } from '../../src/store/month.js';
import { realAgents } from '../support/agents.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { startEngine, type EngineHarness } from '../support/engine-harness.js';
import { capturingLogger } from '../support/logger.js';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../vendors/anthropic/anthropic-server.js';

const PLAN_ONCE = `name: plan-once
steps:
  - name: plan
    type: ai_action
    agent: planning
    inputs:
      mode: plan
      task: { key: SHOP-7, title: Round totals to the cent, description: Totals are off by a cent. }
    outputs: { plan: plan }
`;

/** What the planning agent's model answers: one valid plan. */
const PLAN_REPLY = {
  content: [
    {
      type: 'tool_use' as const,
      name: 'submit_plan',
      input: {
        summary: 'Round in total().',
        steps: [{ title: 'Round', detail: 'Math.round on cents' }],
        files: [{ path: 'src/cart.ts', change: 'modify', why: 'rounding' }],
        risks: [],
        test_plan: ['a test for 0.1 + 0.2'],
        complexity: 'small',
      },
    },
  ],
};

const { logger } = capturingLogger({ level: 'warn' });
let server: AnthropicServer;
beforeAll(async () => {
  server = await startAnthropicServer();
});
afterAll(() => server.close());

describeEachBackend('budgets enforced before spending: the run pauses and asks', (database) => {
  let h: EngineHarness;
  let runBudget: string | undefined;
  const creates = () => server.count('messages/create');
  /** Every request the Anthropic server saw, token counts included. */
  const requests = () => server.count();

  beforeEach(async () => {
    await resetTables(database().db);
    server.reset();
    runBudget = undefined;
    const { provider } = anthropicProvider(server, logger);
    const { runner, model } = realAgents({
      provider,
      store: database().store,
      runBudget: () => runBudget,
    });
    h = await startEngine(database(), {}, { agents: runner, budgets: model });
    h.workflow('plan-once', PLAN_ONCE);
  });
  afterEach(() => h.stop());

  const start = async (channelId?: string) =>
    (
      await h.engine.startRun({
        workflow: 'plan-once',
        trigger: 'slack',
        userId: 'U-dev',
        ...(channelId === undefined ? {} : { channelId }),
      })
    ).run;

  it('pauses at a run budget without calling the model; a granted top-up resumes it', async () => {
    runBudget = '0.0001';
    const run = await start();
    const paused = await h.waitFor(run.id, ['waiting', 'failed']);
    expect(paused).toMatchObject({ status: 'waiting', waitingFor: 'budget' });
    expect(requests()).toBe(0);
    const step = (await database().store.steps.listForRun(run.id))[0];
    expect(step).toMatchObject({
      status: 'waiting',
      inputs: {
        scope: 'run',
        limit_usd: '0.0001000000',
        spent_usd: '0.0000000000',
        approvers: ['U-dev'],
      },
    });
    const event = await pausedEvent(h.events);
    expect(event.message).toMatch(
      /^plan paused: the next model call will cost at least \$0\.01024, which would exceed this run’s budget of \$0\.0001: \$0\.00 is spent$/,
    );

    expect(
      await h.engine.decidePause(run.id, { action: 'grant', amountUsd: '1', by: 'U-other' }),
    ).toEqual({
      outcome: 'not_allowed',
      step: 'plan',
      approvers: ['U-dev'],
    });
    expect(requests()).toBe(0);
    server.reply(PLAN_REPLY);
    expect(
      await h.engine.decidePause(run.id, { action: 'grant', amountUsd: '1', by: 'U-dev' }),
    ).toEqual({
      outcome: 'resumed',
      step: 'plan',
      limitUsd: '1.0001000000',
    });
    expect((await h.waitFor(run.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(creates()).toBe(1);
    expect(await database().store.costs.listForRun(run.id)).toHaveLength(1);
    expect(await h.engine.decidePause(run.id, { action: 'stop', by: 'U-dev' })).toEqual({
      outcome: 'cannot_continue',
      code: 'ended',
      status: 'succeeded',
      reason: 'the run already succeeded',
    });
  });

  it('stops the run when the person refuses to spend more, having spent nothing', async () => {
    runBudget = '0.0001';
    const run = await start();
    await h.waitFor(run.id, ['waiting']);
    expect(await h.engine.decidePause(run.id, { action: 'stop', by: 'U-dev' })).toEqual({
      outcome: 'stopped',
      step: 'plan',
    });
    const failed = await h.waitFor(run.id, ['failed', 'succeeded']);
    expect(failed.status).toBe('failed');
    const [step] = await database().store.steps.listForRun(run.id);
    expect(step?.error).toMatchObject({
      code: 'budget_refused',
      message: expect.stringContaining('stopped at the run budget by U-dev') as string,
    });
    expect(requests()).toBe(0);
    expect(await database().store.costs.listForRun(run.id)).toEqual([]);
  });

  it('pauses at a monthly channel budget; raising it lets the paused runs go on by themselves', async () => {
    await database().store.budgets.set({ scope: 'channel', scopeId: 'C-eng', limitUsd: '0.0001' });
    const run = await start('C-eng');
    expect(await h.waitFor(run.id, ['waiting'])).toMatchObject({ waitingFor: 'budget' });
    // Money past a monthly budget is its owners' to give (authorizeRun), not the run's approvers'.
    const grant = await h.engine.decidePause(run.id, {
      action: 'grant',
      amountUsd: '5',
      by: 'U-dev',
    });
    expect(grant).toMatchObject({ outcome: 'not_allowed' });
    expect(requests()).toBe(0);

    server.reply(PLAN_REPLY);
    await database().store.budgets.set({
      scope: 'channel',
      scopeId: 'C-eng',
      limitUsd: '10',
      updatedBy: 'U-admin',
    });
    expect(await h.engine.resumePausedBy('channel', 'C-eng', 'U-admin')).toEqual([run.id]);
    expect((await h.waitFor(run.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(creates()).toBe(1);
  });

  it('at the global budget, grants one run an allowance past it, and a raise lets every run it paused go on', async () => {
    const { store } = database();
    await store.budgets.set({ scope: 'global', scopeId: '*', limitUsd: '0.0001' });
    const [first, second, third] = [await start(), await start(), await start()];
    for (const run of [first, second, third])
      expect(await h.waitFor(run.id, ['waiting'])).toMatchObject({ waitingFor: 'budget' });
    server.reply(PLAN_REPLY, PLAN_REPLY, PLAN_REPLY);

    // Grant: this run alone may spend $1 more; the budget stays as it is for the others.
    const granted = await h.engine.decidePause(first.id, {
      action: 'grant',
      amountUsd: '1',
      by: 'U-admin',
      override: true,
    });
    expect(granted).toMatchObject({ outcome: 'resumed', allowedUsd: '1.0000000000' });
    expect((await h.waitFor(first.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(Number(await store.costs.spend(monthOf(new Date())))).toBeGreaterThan(0.0001);
    expect((await store.budgets.get('global', '*'))?.limitUsd).toBe('0.0001000000');
    expect(await h.engine.recheckBudgetPauses()).toEqual([]);
    expect((await store.runs.get(second.id))?.status).toBe('waiting');

    // Raise: the global budget goes up, audited, and both runs it paused go on.
    const raised = await h.engine.decidePause(second.id, {
      action: 'raise',
      amountUsd: '1',
      by: 'U-admin',
      override: true,
    });
    expect(raised).toMatchObject({ outcome: 'resumed', limitUsd: '1.0001000000' });
    for (const run of [second, third])
      expect((await h.waitFor(run.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(creates()).toBe(3);
    const audit = await store.audit.list({ targetType: 'budget:global', targetId: '*' });
    expect(audit.map((a) => [a.actor, a.action, a.after])).toEqual([
      ['U-admin', 'budget.set', { limit_usd: '1.0001000000' }],
      ['U-admin', 'budget.allow', null],
    ]);
    const messages = h.events.filter((e) => e.type === 'budget.decided').map((e) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'U-admin let this run spend $1 more past the global budget (up to $1 in all)',
        'U-admin raised the global budget by $1 to $1.0001',
      ]),
    );
  });

  it('pauses on the estimated input when the output allowance alone would fit', async () => {
    // 1,024 output tokens at $10/M ($0.01024) fit; with the locally estimated input they do not.
    runBudget = '0.0105';
    const run = await start();
    expect(await h.waitFor(run.id, ['waiting', 'failed'])).toMatchObject({ waitingFor: 'budget' });
    // The estimate is local: no count_tokens request (gateways may not offer it).
    expect(server.count('messages/count-tokens')).toBe(0);
    expect(creates()).toBe(0);
    const event = await pausedEvent(h.events);
    expect(event.message).toMatch(/the next model call could cost up to \$0\.01\d+, which/);
  });

  it('pauses a run only another call’s hold stops, and lets it go on by itself once that call settles', async () => {
    // Each call may cost up to ~$0.0117 (1,024 output tokens at $10/M and its input) and costs
    // far less: the budget holds one such call at a time, and has room for both calls' costs.
    await database().store.budgets.set({ scope: 'channel', scopeId: 'C-eng', limitUsd: '0.02' });
    server.inject({ when: (r) => r.operationId === 'messages/create', delayMs: 800 });
    server.reply(PLAN_REPLY, PLAN_REPLY);
    const [first, second] = await Promise.all([start('C-eng'), start('C-eng')]);
    const ends = await Promise.all(
      [first, second].map((r) => h.waitFor(r.id, ['succeeded', 'failed'])),
    );
    expect(ends.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(creates()).toBe(2);
    // One of them paused while the other's call held the budget, and nobody had to decide.
    const paused = h.events.filter((e) => e.type === 'budget.paused');
    expect(paused).toHaveLength(1);
    expect(Number((paused[0]?.data as { held_usd: string }).held_usd)).toBeGreaterThan(0);
    const decided = h.events.filter((e) => e.type === 'budget.decided');
    expect(decided.map((e) => [e.runId, (e.data as { by: string }).by])).toEqual([
      [paused[0]?.runId, 'aidev'],
    ]);
    expect(decided[0]?.message).toMatch(/the calls that held the channel budget of C-eng finished/);
    const spent = await database().store.costs.spend(monthOf(new Date()), { channelId: 'C-eng' });
    expect(Number(spent)).toBeLessThanOrEqual(0.02);
  });

  it('keeps a run paused by what is spent, not held, for a person to decide', async () => {
    await database().store.budgets.set({ scope: 'channel', scopeId: 'C-eng', limitUsd: '0.0001' });
    const run = await start('C-eng');
    await h.waitFor(run.id, ['waiting']);
    await pausedEvent(h.events);
    expect(await h.engine.recheckBudgetPauses()).toEqual([]);
    expect(await database().store.runs.get(run.id)).toMatchObject({ status: 'waiting' });
  });
});

/** The run is waiting as soon as its row says so; the event that says why follows it. */
function pausedEvent(events: readonly EngineEvent[]): Promise<EngineEvent> {
  return vi.waitFor(() => {
    const paused = events.find((e: EngineEvent) => e.type === 'budget.paused');
    if (paused === undefined) throw new Error('no budget.paused event yet');
    return paused;
  });
}
