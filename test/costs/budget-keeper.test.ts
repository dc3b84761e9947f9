import { beforeEach, expect, it } from 'vitest';
import { BudgetKeeper } from '../../src/costs/budget-keeper.js';
import { parseUsd } from '../../src/costs/money.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { recordCost } from './record-cost.js';

describeEachBackend('budget keeper', (database) => {
  const store = () => database().store;
  const keeper = () => new BudgetKeeper(store());
  const spend = (usd: string, scope: { channelId?: string; userId?: string }) =>
    recordCost(store(), usd, scope);

  beforeEach(async () => {
    await resetTables(database().db);
    await store().budgets.set({ scope: 'channel', scopeId: 'C1', limitUsd: '1.00' });
    await spend('0.70', { channelId: 'C1', userId: 'U1' });
  });

  it('lets a call go ahead within every budget, holding its estimate', async () => {
    const outcome = await keeper().reserve({
      channelId: 'C1',
      userId: 'U1',
      estimate: parseUsd('0.25'),
    });
    expect(outcome.ok).toBe(true);
    expect(await store().reservations.heldTotal({ channelId: 'C1' })).toBe('0.2500000000');
  });

  it('refuses, before any spending, a call that would break a budget, with the figures', async () => {
    expect(
      await keeper().reserve({ channelId: 'C1', userId: 'U1', estimate: parseUsd('0.31') }),
    ).toEqual({
      ok: false,
      exceeded: {
        scope: 'channel',
        scopeId: 'C1',
        limitUsd: '1.0000000000',
        spentUsd: '0.7000000000',
        heldUsd: '0.0000000000',
        estimateUsd: '0.3100000000',
      },
    });
    expect(await store().reservations.heldTotal({})).toBe('0.0000000000');
  });

  it('counts what other calls hold: two concurrent calls that together break it cannot both go', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        keeper().reserve({ channelId: 'C1', userId: `U${i}`, estimate: parseUsd('0.20') }),
      ),
    );
    // 0.70 spent + 0.20 fits once; a second 0.20 would make 1.10.
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok)).toHaveLength(5);
  });

  it('frees the budget when a hold is released, and checks user and global budgets too', async () => {
    const first = await keeper().reserve({ channelId: 'C1', estimate: parseUsd('0.30') });
    if (!first.ok) throw new Error('expected the first call to fit');
    expect((await keeper().reserve({ channelId: 'C1', estimate: parseUsd('0.01') })).ok).toBe(
      false,
    );
    await store().reservations.release(first.reservation.id);
    expect((await keeper().reserve({ channelId: 'C1', estimate: parseUsd('0.01') })).ok).toBe(true);

    await store().budgets.set({ scope: 'user', scopeId: 'U1', limitUsd: '0.75' });
    await store().budgets.set({ scope: 'global', scopeId: '*', limitUsd: '100' });
    expect(await keeper().reserve({ userId: 'U1', estimate: parseUsd('0.10') })).toMatchObject({
      ok: false,
      exceeded: { scope: 'user', scopeId: 'U1' },
    });
    expect((await keeper().reserve({ userId: 'U2', estimate: parseUsd('0.10') })).ok).toBe(true);
  });

  it('lets a run with an allowance past a monthly budget spend it, and no other run', async () => {
    const run = async () =>
      (await store().runs.create({ workflowName: 'w', workflowVersion: '1', trigger: 'api' })).run
        .id;
    const [allowed, other] = [await run(), await run()];
    await store().budgets.allow({
      runId: allowed,
      scope: 'channel',
      scopeId: 'C1',
      extraUsd: '0.50',
      grantedBy: 'U-admin',
    });
    const ask = (runId: string, usd: string) =>
      keeper().reserve({ runId, channelId: 'C1', estimate: parseUsd(usd) });
    expect((await ask(other, '0.40')).ok).toBe(false);
    const first = await ask(allowed, '0.40');
    expect(first.ok).toBe(true);
    // Its hold counts against its allowance: 0.40 held + 0.20 > 0.50.
    expect(await ask(allowed, '0.20')).toMatchObject({ ok: false, exceeded: { scope: 'channel' } });
    expect((await ask(allowed, '0.10')).ok).toBe(true);
  });
});
