import { beforeEach, expect, it } from 'vitest';
import type { BudgetScope } from '../../src/store/repositories/budgets.js';
import type { NewCostEntry } from '../../src/store/repositories/cost-entries.js';
import { describeEachBackend, resetTables } from '../support/backends.js';

function entry(overrides: Partial<NewCostEntry> = {}): NewCostEntry {
  return {
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    inputTokens: 1000,
    outputTokens: 200,
    cacheWriteTokens: 0,
    cacheReadTokens: 0,
    usd: '0.0060000000',
    ...overrides,
  };
}

describeEachBackend('cost entries, budgets and reservations', (database) => {
  beforeEach(async () => resetTables(database().db));

  it('adds money exactly, with no floating-point drift', async () => {
    const { store } = database();
    for (let i = 0; i < 10; i++)
      await store.costs.record(
        entry({ usd: '0.1', channelId: 'C1', createdAt: new Date('2026-11-03T00:00:00Z') }),
      );
    await store.costs.record(
      entry({ usd: '0.2', channelId: 'C1', createdAt: new Date('2026-11-03T00:00:00Z') }),
    );
    expect(await store.costs.spend('2026-11', { channelId: 'C1' })).toBe('1.2000000000');
    await store.costs.record(
      entry({ usd: '0.0000003', channelId: 'C1', createdAt: new Date('2026-11-03T00:00:00Z') }),
    );
    expect(await store.costs.spend('2026-11', { channelId: 'C1' })).toBe('1.2000003000');
  });

  it('records one provider call once, however often the write is retried', async () => {
    const { store } = database();
    const first = await store.costs.record(entry({ idempotencyKey: 'msg_01ABC' }));
    const again = await store.costs.record(entry({ idempotencyKey: 'msg_01ABC', usd: '9.99' }));
    expect(again.created).toBe(false);
    expect(again.entry.id).toBe(first.entry.id);
    expect(again.entry.usd).toBe('0.0060000000');
  });

  it('refuses amounts that are not plain non-negative decimals', async () => {
    const { store } = database();
    await expect(store.costs.record(entry({ usd: '-1' }))).rejects.toThrow(
      'usd: expected a non-negative decimal amount',
    );
    await expect(store.costs.record(entry({ usd: '1e-3' }))).rejects.toThrow('found "1e-3"');
  });

  it('counts spend per UTC month, channel and user at the month boundaries', async () => {
    const { store } = database();
    await store.costs.record(
      entry({
        usd: '1',
        channelId: 'C1',
        userId: 'U1',
        createdAt: new Date('2026-10-31T23:59:59.999Z'),
      }),
    );
    await store.costs.record(
      entry({
        usd: '2',
        channelId: 'C1',
        userId: 'U1',
        createdAt: new Date('2026-11-01T00:00:00Z'),
      }),
    );
    await store.costs.record(
      entry({
        usd: '4',
        channelId: 'C2',
        userId: 'U1',
        createdAt: new Date('2026-11-30T23:59:59Z'),
      }),
    );
    await store.costs.record(
      entry({
        usd: '8',
        channelId: 'C1',
        userId: 'U2',
        createdAt: new Date('2026-12-01T00:00:00Z'),
      }),
    );
    expect(await store.costs.spend('2026-11')).toBe('6.0000000000');
    expect(await store.costs.spend('2026-11', { channelId: 'C1' })).toBe('2.0000000000');
    expect(await store.costs.spend('2026-11', { userId: 'U1' })).toBe('6.0000000000');
    expect(await store.costs.spend('2026-11', { userId: 'U2' })).toBe('0.0000000000');
    expect(await store.costs.spend('2026-10')).toBe('1.0000000000');
  });

  it('reports a month grouped by channel, user, run or model, largest first', async () => {
    const { store } = database();
    const { run } = await store.runs.create({
      workflowName: 'w',
      workflowVersion: '1',
      trigger: 'api',
    });
    const at = new Date('2026-11-10T12:00:00Z');
    await store.costs.record(
      entry({
        usd: '0.5',
        channelId: 'C1',
        userId: 'U1',
        runId: run.id,
        createdAt: at,
        cacheReadTokens: 10,
      }),
    );
    await store.costs.record(
      entry({
        usd: '1.5',
        channelId: 'C2',
        userId: 'U1',
        model: 'claude-haiku-4-5',
        createdAt: at,
        cacheWriteTokens: 5,
      }),
    );
    await store.costs.record(
      entry({
        usd: '0.25',
        channelId: 'C1',
        userId: 'U2',
        runId: run.id,
        createdAt: new Date('2026-11-10T12:05:00Z'),
      }),
    );

    const byChannel = await store.costs.report({ month: '2026-11', groupBy: 'channel' });
    expect(byChannel.map((l) => [l.key, l.usd, l.calls])).toEqual([
      ['C2', '1.5000000000', 1],
      ['C1', '0.7500000000', 2],
    ]);
    expect(byChannel[1]).toMatchObject({
      inputTokens: 2000,
      outputTokens: 400,
      cacheReadTokens: 10,
    });
    const byRun = await store.costs.report({ month: '2026-11', groupBy: 'run', channelId: 'C1' });
    expect(byRun).toEqual([expect.objectContaining({ key: run.id, usd: '0.7500000000' })]);
    const byModel = await store.costs.report({ month: '2026-11', groupBy: 'model', userId: 'U1' });
    expect(byModel.map((l) => l.key)).toEqual(['claude-haiku-4-5', 'claude-sonnet-4-5']);
    expect(await store.costs.totalForRun(run.id)).toBe('0.7500000000');
    expect((await store.costs.listForRun(run.id)).map((e) => e.usd)).toEqual([
      '0.5000000000',
      '0.2500000000',
    ]);
  });

  it('says which month format it expects', async () => {
    const { store } = database();
    await expect(store.costs.spend('11/2026')).rejects.toThrow(
      'month: expected a month as YYYY-MM such as 2026-11, found "11/2026"',
    );
  });

  it('sets, replaces, lists and removes budgets', async () => {
    const { store } = database();
    const created = await store.budgets.set({
      scope: 'channel',
      scopeId: 'C1',
      limitUsd: '50',
      updatedBy: 'U1',
    });
    const raised = await store.budgets.set({
      scope: 'channel',
      scopeId: 'C1',
      limitUsd: '75.5',
      updatedBy: 'U2',
    });
    expect(raised.id).toBe(created.id);
    expect(raised).toMatchObject({ limitUsd: '75.5000000000', updatedBy: 'U2' });
    await store.budgets.set({ scope: 'global', scopeId: '*', limitUsd: '500' });
    expect((await store.budgets.list()).map((b) => b.scope)).toEqual(['channel', 'global']);
    expect(await store.budgets.list('global')).toHaveLength(1);
    expect(await store.budgets.remove('channel', 'C1')).toBe(true);
    expect(await store.budgets.get('channel', 'C1')).toBeNull();
  });

  it('records each threshold alert once per budget and month', async () => {
    const { store } = database();
    const budget = await store.budgets.set({ scope: 'user', scopeId: 'U1', limitUsd: '10' });
    expect(await store.budgets.recordAlert(budget.id, '2026-11', 50)).toBe(true);
    expect(await store.budgets.recordAlert(budget.id, '2026-11', 50)).toBe(false);
    expect(await store.budgets.recordAlert(budget.id, '2026-11', 80)).toBe(true);
    expect(await store.budgets.recordAlert(budget.id, '2026-12', 50)).toBe(true);
  });

  it('holds, settles and releases reservations and sums what is held', async () => {
    const { store } = database();
    const later = new Date(Date.now() + 60_000);
    const a = await store.reservations.hold({
      channelId: 'C1',
      userId: 'U1',
      estimateUsd: '0.40',
      expiresAt: later,
    });
    const b = await store.reservations.hold({
      channelId: 'C1',
      userId: 'U2',
      estimateUsd: '0.35',
      expiresAt: later,
    });
    expect(await store.reservations.heldTotal({ channelId: 'C1' })).toBe('0.7500000000');
    expect(await store.reservations.heldTotal({ userId: 'U2' })).toBe('0.3500000000');
    const cost = await store.costs.record(entry({ usd: '0.31' }));
    expect((await store.reservations.settle(a.id, cost.entry.id))?.status).toBe('settled');
    expect(await store.reservations.settle(a.id, cost.entry.id)).toBeNull();
    expect((await store.reservations.release(b.id))?.status).toBe('released');
    expect(await store.reservations.heldTotal({ channelId: 'C1' })).toBe('0.0000000000');
  });

  it('reads a budget with its spend and holds, per scope and period, in one standing', async () => {
    const { store } = database();
    const { run } = await store.runs.create({
      workflowName: 'w',
      workflowVersion: '1',
      trigger: 'api',
    });
    const at = new Date('2026-11-10T12:00:00Z');
    await store.costs.record(entry({ usd: '0.5', channelId: 'C1', runId: run.id, createdAt: at }));
    await store.costs.record(
      entry({ usd: '2', channelId: 'C1', createdAt: new Date('2026-10-31T23:00:00Z') }),
    );
    await store.costs.record(entry({ usd: '0.25', channelId: 'C2', userId: 'U1', createdAt: at }));
    const later = new Date(Date.now() + 60_000);
    await store.reservations.hold({
      runId: run.id,
      channelId: 'C1',
      estimateUsd: '0.1',
      expiresAt: later,
    });
    await store.reservations.hold({
      channelId: 'C2',
      userId: 'U1',
      estimateUsd: '0.2',
      expiresAt: later,
    });
    for (const [scope, scopeId] of [
      ['run', run.id],
      ['channel', 'C1'],
      ['user', 'U1'],
      ['global', '*'],
    ] as const)
      await store.budgets.set({ scope, scopeId, limitUsd: '10' });
    const figures = async (scope: BudgetScope, scopeId: string) => {
      const standing = await store.budgets.standing(scope, scopeId, '2026-11');
      return standing && [standing.budget.limitUsd, standing.spentUsd, standing.heldUsd];
    };
    // A run's budget counts all its life; the others their month (October's $2 is not November's).
    expect(await figures('run', run.id)).toEqual(['10.0000000000', '0.5000000000', '0.1000000000']);
    expect(await figures('channel', 'C1')).toEqual([
      '10.0000000000',
      '0.5000000000',
      '0.1000000000',
    ]);
    expect(await figures('user', 'U1')).toEqual(['10.0000000000', '0.2500000000', '0.2000000000']);
    expect(await figures('global', '*')).toEqual(['10.0000000000', '0.7500000000', '0.3000000000']);
    expect(await figures('channel', 'C-none')).toBeNull();
  });

  it('renews a hold only while it is held', async () => {
    const { store } = database();
    const soon = new Date(Date.now() + 1_000);
    const held = await store.reservations.hold({ estimateUsd: '1', expiresAt: soon });
    const later = new Date(Date.now() + 3_600_000);
    expect(await store.reservations.renew(held.id, later)).toBe(true);
    expect(await store.reservations.releaseExpired(new Date(Date.now() + 60_000))).toBe(0);
    await store.reservations.release(held.id);
    expect(await store.reservations.renew(held.id, later)).toBe(false);
    expect(await store.reservations.renew('not-a-uuid', later)).toBe(false);
  });

  it('releases only reservations that have expired', async () => {
    const { store } = database();
    await store.reservations.hold({ estimateUsd: '1', expiresAt: new Date(Date.now() - 1_000) });
    const live = await store.reservations.hold({
      estimateUsd: '2',
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(await store.reservations.releaseExpired()).toBe(1);
    expect(await store.reservations.releaseExpired()).toBe(0);
    expect(await store.reservations.heldTotal({})).toBe('2.0000000000');
    expect(live.status).toBe('held');
  });
});
