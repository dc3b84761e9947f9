import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { BudgetAlert } from '../../src/costs/budget-alerts.js';
import { BudgetExceededError } from '../../src/costs/budget-exceeded-error.js';
import { MeteredProvider, type CallMeta } from '../../src/costs/metered-provider.js';
import { PriceTable } from '../../src/costs/price-table.js';
import { monthOf } from '../../src/store/month.js';
import { anthropicProvider, request } from '../ai/anthropic/anthropic-setup.js';
import { AGENT_MODEL } from '../support/agents.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { capturingLogger } from '../support/logger.js';
import { apiErrorFault } from '../vendors/anthropic/anthropic-json.js';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../vendors/anthropic/anthropic-server.js';

const { logger, lines } = capturingLogger({ level: 'warn' });
let server: AnthropicServer;
beforeAll(async () => {
  server = await startAnthropicServer();
});
afterAll(() => server.close());

/** An answer whose usage the test chooses (the server would otherwise estimate it). */
const costing = (usage: Record<string, unknown>) => ({
  content: [{ type: 'text' as const, text: 'ok' }],
  usage: {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    ...usage,
  },
});

describeEachBackend('metered model calls', (database) => {
  let metered: MeteredProvider;
  let alerts: BudgetAlert[];
  let calls = 0;
  const meta = (): CallMeta => ({
    channelId: 'C-eng',
    userId: 'U-dev',
    callKey: `call-${++calls}`,
    signal: new AbortController().signal,
    log: logger,
    onAlert: (alert) => {
      alerts.push(alert);
      return Promise.resolve();
    },
  });
  const ask = () => metered.complete(request({ model: AGENT_MODEL, maxTokens: 100 }), meta());

  beforeEach(async () => {
    await resetTables(database().db);
    server.reset();
    alerts = [];
    const { provider } = anthropicProvider(server, logger, { guard: { retries: 1 } });
    metered = new MeteredProvider({ provider, store: database().store, prices: new PriceTable() });
  });

  it('records the provider-reported usage × the price table, exactly, cache reads and writes included', async () => {
    server.reply(
      costing({
        input_tokens: 1_234,
        output_tokens: 567,
        cache_creation_input_tokens: 1_200,
        cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 200 },
        cache_read_input_tokens: 3_000,
      }),
    );
    const { costUsd } = await ask();
    // claude-sonnet-5-5: $2 input, $10 output, $2.50 5-minute writes, $4 1-hour writes, $0.20 reads
    // per million: 1234×2 + 567×10 + 1000×2.5 + 200×4 + 3000×0.2 = 12,038 millionths of a dollar.
    expect(costUsd).toBe('0.0120380000');
    const [entry] = await database().store.costs.report({ month: monthNow(), groupBy: 'model' });
    expect(entry).toMatchObject({
      key: AGENT_MODEL,
      usd: '0.0120380000',
      calls: 1,
      inputTokens: 1_234,
      outputTokens: 567,
      cacheWriteTokens: 1_200,
      cacheReadTokens: 3_000,
    });
    expect(await database().store.reservations.heldTotal({})).toBe('0.0000000000');
  });

  it('tells each alert threshold of a monthly budget once, and refuses the call past it', async () => {
    await database().store.budgets.set({ scope: 'channel', scopeId: 'C-eng', limitUsd: '1.00' });
    // 55,000 output tokens = $0.55; then $0.30, $0.10, $0.10: 55 %, 85 %, 95 %, 105 %.
    for (const tokens of [55_000, 30_000, 10_000, 10_000]) {
      server.reply(costing({ output_tokens: tokens }));
      await ask();
    }
    expect(alerts.map((a) => [a.budget.scope, a.threshold, a.spentUsd])).toEqual([
      ['channel', 50, '0.5500000000'],
      ['channel', 80, '0.8500000000'],
      ['channel', 100, '1.0500000000'],
    ]);
    const before = server.count('messages/create');
    await expect(ask()).rejects.toBeInstanceOf(BudgetExceededError);
    expect(server.count('messages/create')).toBe(before);
    expect(alerts).toHaveLength(3);
  });

  it('releases its hold when the call fails, so a failed call costs the budget nothing', async () => {
    await database().store.budgets.set({ scope: 'channel', scopeId: 'C-eng', limitUsd: '1.00' });
    server.inject(apiErrorFault(2));
    await expect(ask()).rejects.toMatchObject({ code: 'unavailable' });
    expect(await database().store.reservations.heldTotal({})).toBe('0.0000000000');
    expect(await database().store.costs.spend(monthNow())).toBe('0.0000000000');
  });

  it('records a paid call whose cost write failed, once, and does not call the provider again', async () => {
    const { db, store } = database();
    // A real database failure: the first two cost inserts raise (a sequence is not rolled back).
    await db.query('CREATE SEQUENCE test_cost_write_failures');
    await db.query(`CREATE FUNCTION test_fail_cost_writes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('test_cost_write_failures') <= 2 THEN RAISE EXCEPTION 'injected: cost write failed'; END IF;
        RETURN NEW;
      END $$`);
    await db.query(
      'CREATE TRIGGER test_fail_cost_writes BEFORE INSERT ON cost_entries FOR EACH ROW EXECUTE FUNCTION test_fail_cost_writes()',
    );
    try {
      const { provider } = anthropicProvider(server, logger, { guard: { retries: 1 } });
      const retrying = new MeteredProvider({
        provider,
        store,
        prices: new PriceTable(),
        recordRetry: { baseMs: 1, maxMs: 5 },
      });
      await store.budgets.set({ scope: 'channel', scopeId: 'C-eng', limitUsd: '1.00' });
      server.reply(costing({ output_tokens: 1_000 }));
      const logged = lines.length;
      const { costUsd } = await retrying.complete(
        request({ model: AGENT_MODEL, maxTokens: 1_000 }),
        meta(),
      );
      expect(costUsd).toBe('0.0100000000');
      expect(server.count('messages/create')).toBe(1);
      const [entry] = await store.costs.report({ month: monthNow(), groupBy: 'model' });
      expect(entry).toMatchObject({ usd: '0.0100000000', calls: 1 });
      expect(await store.reservations.heldTotal({})).toBe('0.0000000000');
      const failures = lines.slice(logged).filter((l) => l.includes('could not record the cost'));
      expect(failures).toHaveLength(2);
    } finally {
      await db.query('DROP TRIGGER test_fail_cost_writes ON cost_entries');
      await db.query('DROP FUNCTION test_fail_cost_writes()');
      await db.query('DROP SEQUENCE test_cost_write_failures');
    }
  });

  it('keeps its hold for as long as the call takes, past the hold lifetime', async () => {
    const { db, store } = database();
    const { provider } = anthropicProvider(server, logger);
    const slow = new MeteredProvider({
      provider,
      store,
      prices: new PriceTable(),
      // Renewed every third of its lifetime: a loaded machine may stall the renewal 1.6 s.
      holdMs: 2_400,
    });
    // The answer takes more than two hold lifetimes.
    server.inject({ when: (r) => r.operationId === 'messages/create', delayMs: 5_000 });
    let done = false;
    const call = slow.complete(request({ model: AGENT_MODEL, maxTokens: 100 }), meta());
    void call.finally(() => (done = true)).catch(() => undefined);
    // The maintenance job's sweep, run as often as it can while the call is under way.
    let released = 0;
    while (!done) released += await store.reservations.releaseExpired();
    await call;
    expect(released).toBe(0);
    const { rows } = await db.query<{ status: string }>('SELECT status FROM budget_reservations');
    expect(rows.map((r) => r.status)).toEqual(['settled']);
  });

  it('refuses a model without a price before any call, naming the setting', async () => {
    await expect(metered.complete(request({ model: 'claude-unknown-9' }), meta())).rejects.toThrow(
      /no price for the model "claude-unknown-9".*add it under costs\.prices/,
    );
    expect(server.count()).toBe(0);
  });
});

const monthNow = () => monthOf(new Date());
