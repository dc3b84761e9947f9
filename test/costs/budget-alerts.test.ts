import { beforeEach, expect, it } from 'vitest';
import { crossedThresholds } from '../../src/costs/budget-alerts.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { recordCost } from './record-cost.js';

describeEachBackend('budget alerts', (database) => {
  const store = () => database().store;
  const spend = (usd: string) => recordCost(store(), usd, { channelId: 'C1', userId: 'U1' });
  const thresholds = async () =>
    (await crossedThresholds(store(), { channelId: 'C1', userId: 'U1' })).map(
      (a) => `${a.budget.scope} ${a.threshold}%`,
    );

  beforeEach(async () => {
    await resetTables(database().db);
    await store().budgets.set({ scope: 'channel', scopeId: 'C1', limitUsd: '10' });
  });

  it('fires at 50, 80 and 100 % of a monthly budget, once each', async () => {
    await spend('4.99');
    expect(await thresholds()).toEqual([]);
    await spend('0.01');
    expect(await thresholds()).toEqual(['channel 50%']);
    expect(await thresholds()).toEqual([]);
    await spend('5.50');
    expect(await thresholds()).toEqual(['channel 80%', 'channel 100%']);
    await spend('1');
    expect(await thresholds()).toEqual([]);
  });

  it('tells each threshold once even when several workers check at the same time', async () => {
    await spend('9');
    const all = (await Promise.all(Array.from({ length: 5 }, () => thresholds()))).flat();
    expect(all.sort()).toEqual(['channel 50%', 'channel 80%']);
  });
});
