import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { formatUsd } from '../../src/costs/money.js';
import { DEFAULT_PRICES, PriceTable, type TokenUsage } from '../../src/costs/price-table.js';

/**
 * aidev's default prices, checked against an independent, maintained price database: Pydantic's
 * genai-prices (pinned in package.json; its data cites each vendor's pricing page), for a
 * prompt of 95,000 tokens and for one of 300,000, past GPT-5.4's and GPT-5.5's long-context
 * threshold (272K). Claude models refuse prompts over 200K since the 1M-token beta ended.
 */
const table = new PriceTable();
const usage = (scale: number): Required<TokenUsage> => ({
  inputTokens: 50_000 * scale,
  outputTokens: 20_000,
  cacheReadTokens: 30_000 * scale,
  cacheWriteTokens: 10_000 * scale,
  cacheWrite1hTokens: 5_000 * scale,
});

function theirs(model: string, used: Required<TokenUsage>): number {
  const provider = model.startsWith('claude') ? 'anthropic' : 'openai';
  const writes = used.cacheWriteTokens + used.cacheWrite1hTokens;
  const result = calcPrice(
    {
      // genai-prices counts cache reads and writes within the input tokens, and its cache
      // writes include the one-hour writes, also counted apart.
      input_tokens: used.inputTokens + used.cacheReadTokens + writes,
      output_tokens: used.outputTokens,
      cache_read_tokens: used.cacheReadTokens,
      cache_write_tokens: writes,
      cache_write_1h_tokens: used.cacheWrite1hTokens,
    },
    model,
    { providerId: provider },
  );
  expect(result, `genai-prices knows no ${provider} model ${model}`).not.toBeNull();
  return result?.total_price ?? Number.NaN;
}

const ours = (model: string, used: TokenUsage, prices = table) =>
  Number(formatUsd(prices.cost(model, used)));

describe('default prices', () => {
  for (const model of Object.keys(DEFAULT_PRICES))
    it(`${model}: a call costs what genai-prices says`, () => {
      expect(ours(model, usage(1))).toBeCloseTo(theirs(model, usage(1)), 9);
      if (!model.startsWith('claude'))
        expect(ours(model, usage(3.2))).toBeCloseTo(theirs(model, usage(3.2)), 9);
    });

  it('bills GPT-5.4 at its long-context rates from a 272,000-token prompt, unless overridden', () => {
    const at = (prompt: number) => ({ ...usage(0), inputTokens: prompt, outputTokens: 1_000 });
    expect(ours('gpt-5.4', at(271_999))).toBeCloseTo(271_999 * 2.5e-6 + 1_000 * 15e-6, 9);
    expect(ours('gpt-5.4', at(272_000))).toBeCloseTo(272_000 * 5e-6 + 1_000 * 22.5e-6, 9);
    const flat = new PriceTable({
      'gpt-5.4': {
        input: '2.5',
        output: '15',
        cacheWrite: '2.5',
        cacheWrite1h: '2.5',
        cacheRead: '0.25',
      },
    });
    expect(ours('gpt-5.4', at(272_000), flat)).toBeCloseTo(272_000 * 2.5e-6 + 1_000 * 15e-6, 9);
  });
});
