import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { BudgetExceededError } from '../../src/costs/budget-exceeded-error.js';
import { MeteredProvider, type CallMeta } from '../../src/costs/metered-provider.js';
import { PriceTable } from '../../src/costs/price-table.js';
import { monthOf } from '../../src/store/month.js';
import { gptRequest, openAiProvider } from '../ai/openai/openai-setup.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { capturingLogger } from '../support/logger.js';
import { serverErrorFault } from '../vendors/openai/openai-json.js';
import { startOpenAiServer, type OpenAiServer } from '../vendors/openai/openai-server.js';

const { logger } = capturingLogger({ level: 'warn' });
let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(() => server.close());

/** An answer with the usage the test chooses, as OpenAI reports it. */
const costing = (prompt: number, cached: number, completion: number) => ({
  content: [{ type: 'text' as const, text: 'ok' }],
  usage: {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  },
});

describeEachBackend('metered OpenAI calls', (database) => {
  let metered: MeteredProvider;
  let calls = 0;
  const meta = (): CallMeta => ({
    channelId: 'C-eng',
    userId: 'U-dev',
    callKey: `call-${++calls}`,
    signal: new AbortController().signal,
    log: logger,
  });
  const ask = (maxTokens = 100) => metered.complete(gptRequest({ maxTokens }), meta());

  beforeEach(async () => {
    await resetTables(database().db);
    server.reset();
    const { provider } = openAiProvider(server, logger, { guard: { retries: 0 } });
    metered = new MeteredProvider({ provider, store: database().store, prices: new PriceTable() });
  });

  it('records OpenAI’s reported usage × the price table, cached input tokens at the cached rate', async () => {
    server.reply(costing(10_000, 8_192, 1_500));
    const { costUsd } = await ask();
    // gpt-5: $1.25 input, $0.125 cached input, $10 output per million:
    // 1,808 × 1.25 + 8,192 × 0.125 + 1,500 × 10 = 18,284 millionths of a dollar.
    expect(costUsd).toBe('0.0182840000');
    const [entry] = await database().store.costs.report({
      month: monthOf(new Date()),
      groupBy: 'model',
    });
    expect(entry).toMatchObject({
      key: 'gpt-5-2025-08-07',
      usd: '0.0182840000',
      inputTokens: 1_808,
      cacheReadTokens: 8_192,
      cacheWriteTokens: 0,
      outputTokens: 1_500,
    });
  });

  it('refuses a call its budget cannot hold before anything is sent to OpenAI', async () => {
    // 20,000 output tokens of gpt-5 may cost $0.20: more than the channel has left.
    await database().store.budgets.set({ scope: 'channel', scopeId: 'C-eng', limitUsd: '0.10' });
    await expect(ask(20_000)).rejects.toBeInstanceOf(BudgetExceededError);
    expect(server.count('createChatCompletion')).toBe(0);
    expect(await database().store.reservations.heldTotal({})).toBe('0.0000000000');
  });

  it('releases its hold when OpenAI fails, so a failed call costs the budget nothing', async () => {
    await database().store.budgets.set({ scope: 'channel', scopeId: 'C-eng', limitUsd: '1.00' });
    server.inject(serverErrorFault(1));
    await expect(ask()).rejects.toMatchObject({ code: 'unavailable' });
    expect(await database().store.reservations.heldTotal({})).toBe('0.0000000000');
    expect(server.violations).toEqual([]);
  });
});
