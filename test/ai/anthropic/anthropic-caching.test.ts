import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PriceTable, type TokenUsage } from '../../../src/costs/price-table.js';
import { silentLogger } from '../../../src/log/create-logger.js';
import type {
  AiProvider,
  ChatMessage,
  ModelRequest,
  ToolUseBlock,
} from '../../../src/plugins/interfaces/ai-provider.js';
import type { Guards } from '../../../src/resilience/guards.js';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../../vendors/anthropic/anthropic-server.js';
import { PromptCache, promptUnits } from '../../vendors/anthropic/prompt-cache.js';
import {
  agentSystem,
  anthropicProvider,
  callOptions,
  filler,
  MODEL,
  request,
  TOOLS,
  userText,
} from './anthropic-setup.js';

const log = silentLogger();
let clock = Date.parse('2026-11-25T10:00:00Z');
let server: AnthropicServer;
let provider: AiProvider;
let guards: Guards;

beforeAll(async () => {
  server = await startAnthropicServer({ now: () => clock });
  ({ provider, guards } = anthropicProvider(server, log));
});
beforeEach(() => server.reset());
afterEach(() => expect(server.violations).toEqual([]));
afterAll(async () => {
  guards.shutdown();
  await server.close();
});

const cachedPrompt = (question: string): ModelRequest =>
  request({ system: agentSystem(true), tools: TOOLS, messages: [userText(question)] });

describe('simulated prompt caching', () => {
  it('writes the prefix up to the last breakpoint once, then reads it', async () => {
    const first = await provider.complete(cachedPrompt('What is in src/?'), callOptions(log));
    expect(first.usage).toMatchObject({ cacheReadTokens: 0, cacheWrite1hTokens: 0 });
    expect(first.usage.cacheWriteTokens).toBeGreaterThan(4500);
    const second = await provider.complete(cachedPrompt('And in test/?'), callOptions(log));
    expect(second.usage).toMatchObject({
      cacheReadTokens: first.usage.cacheWriteTokens,
      cacheWriteTokens: 0,
    });
    // What follows the last breakpoint is billed in full both times.
    expect(second.usage.inputTokens).toBe(first.usage.inputTokens);
  });

  it('does not cache a prefix shorter than the minimum cacheable length', async () => {
    const short = request({ system: [{ text: 'You are terse.', cache: true }] });
    await provider.complete(short, callOptions(log));
    const again = await provider.complete(short, callOptions(log));
    expect(again.usage).toMatchObject({ cacheReadTokens: 0, cacheWriteTokens: 0 });
  });

  it('forgets an entry five minutes after its last use, and each hit renews those five minutes', async () => {
    await provider.complete(cachedPrompt('one'), callOptions(log));
    clock += 4 * 60_000;
    expect(
      (await provider.complete(cachedPrompt('two'), callOptions(log))).usage.cacheReadTokens,
    ).toBeGreaterThan(0);
    clock += 4 * 60_000;
    expect(
      (await provider.complete(cachedPrompt('three'), callOptions(log))).usage.cacheReadTokens,
    ).toBeGreaterThan(0);
    clock += 5 * 60_000 + 1;
    const late = await provider.complete(cachedPrompt('four'), callOptions(log));
    expect(late.usage.cacheReadTokens).toBe(0);
    expect(late.usage.cacheWriteTokens).toBeGreaterThan(0);
  });

  it('bills 1-hour breakpoints as 1-hour writes, earlier in the prefix than 5-minute ones', () => {
    const cache = new PromptCache({ minCacheableTokens: 1024, now: () => clock });
    const mark = (ttl?: '1h') => ({
      cache_control: { type: 'ephemeral', ...(ttl ? { ttl } : {}) },
    });
    const body = {
      system: [
        { type: 'text', text: filler('instructions', 2000), ...mark('1h') },
        { type: 'text', text: filler('context', 1000), ...mark() },
      ],
      messages: [{ role: 'user', content: filler('question', 100) }],
    };
    expect(cache.usage(MODEL, promptUnits(body))).toEqual({
      input_tokens: 100,
      cache_creation_input_tokens: 3000,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
    });
  });

  it('bills a 10-turn agent conversation far less with breakpoints than without', async () => {
    const withMarks = await agentConversation(true);
    server.reset();
    const without = await agentConversation(false);

    const sum = (usages: TokenUsage[], field: keyof TokenUsage) =>
      usages.reduce((n, u) => n + (u[field] ?? 0), 0);
    // Without marks every turn pays for the whole prompt again.
    expect(sum(without, 'cacheReadTokens') + sum(without, 'cacheWriteTokens')).toBe(0);
    // With them, only what follows the last breakpoint is billed in full.
    expect(sum(withMarks, 'inputTokens')).toBeLessThanOrEqual(0.4 * sum(without, 'inputTokens'));
    expect(sum(withMarks, 'cacheReadTokens')).toBeGreaterThan(0);
    // The same holds for the money, cache writes (1.25×) and reads (0.1×) included.
    // Sonnet's published prices (Sonnet 4.6 is priced as 4.5).
    const sonnet = {
      input: '3',
      output: '15',
      cacheWrite: '3.75',
      cacheWrite1h: '6',
      cacheRead: '0.3',
    };
    const prices = new PriceTable({ [MODEL]: sonnet });
    const cost = (usages: TokenUsage[]) => usages.reduce((n, u) => n + prices.cost(MODEL, u), 0n);
    expect(cost(withMarks) * 10n).toBeLessThanOrEqual(cost(without) * 4n);
  });
});

/** An agent loop: each turn Claude reads a file, and the result goes back into the conversation. */
async function agentConversation(cache: boolean): Promise<TokenUsage[]> {
  const messages: ChatMessage[] = [
    userText(filler('Implement PROJ-456: add a discount to orders', 200)),
  ];
  const usages: TokenUsage[] = [];
  for (let turn = 1; turn <= 10; turn++) {
    server.reply({
      content: [
        { type: 'tool_use', name: 'read_file', input: { path: `src/orders/part-${turn}.ts` } },
      ],
    });
    const answer = await provider.complete(
      request({
        system: agentSystem(cache),
        tools: TOOLS,
        messages,
        ...(cache ? { cache: { tools: true, conversation: true } } : {}),
      }),
      callOptions(log),
    );
    usages.push(answer.usage);
    const use = answer.content[0] as ToolUseBlock;
    messages.push(
      { role: 'assistant', content: answer.content },
      {
        role: 'user',
        content: [{ type: 'tool_result', toolUseId: use.id, content: filler(`file ${turn}`, 400) }],
      },
    );
  }
  return usages;
}
