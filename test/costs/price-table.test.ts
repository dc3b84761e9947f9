import { describe, expect, it } from 'vitest';
import { displayUsd, formatUsd, parseUsd } from '../../src/costs/money.js';
import { PriceTable } from '../../src/costs/price-table.js';

describe('money', () => {
  it('parses and prints dollars exactly, to the store’s 10 decimal places', () => {
    expect(formatUsd(parseUsd('3.75'))).toBe('3.7500000000');
    expect(formatUsd(parseUsd('0.1') + parseUsd('0.2'))).toBe('0.3000000000');
    expect(displayUsd(parseUsd('12.3400000'))).toBe('$12.34');
    expect(displayUsd(parseUsd('0.0000015'))).toBe('$0.0000015');
  });

  it('names the amount it cannot read', () => {
    expect(() => parseUsd('3,75', 'budget')).toThrow(
      'budget: expected a dollar amount such as 3.75, found "3,75"',
    );
    expect(() => parseUsd('0.00000000001')).toThrow(/at most 10 decimal places/);
  });
});

describe('price table', () => {
  const table = new PriceTable();

  it('prices every kind of token exactly (Sonnet 4.5: 3 / 15 / 3.75 / 6 / 0.30 per million)', () => {
    const usd = table.cost('claude-sonnet-4-5-20250929', {
      inputTokens: 1_234,
      outputTokens: 567,
      cacheWriteTokens: 10_000,
      cacheWrite1hTokens: 1_000,
      cacheReadTokens: 90_001,
    });
    // 1234×3 + 567×15 + 10000×3.75 + 1000×6 + 90001×0.3 = 3702 + 8505 + 37500 + 6000 + 27000.3
    // = 82707.3 dollars per million tokens → 0.0827073 dollars.
    expect(formatUsd(usd)).toBe('0.0827073000');
  });

  it('derives cache prices from the input price without floats (Haiku 3.5 at 0.8)', () => {
    const usd = new PriceTable().cost('claude-3-5-haiku', {
      inputTokens: 0,
      outputTokens: 0,
      cacheWriteTokens: 1_000_000,
      cacheReadTokens: 1_000_000,
    });
    expect(formatUsd(usd)).toBe('1.0800000000');
  });

  it('takes overrides from configuration, refusing prices finer than the money it keeps', () => {
    const custom = new PriceTable({
      'my-model': {
        input: '1',
        output: '2',
        cacheWrite: '1.25',
        cacheWrite1h: '2',
        cacheRead: '0.1',
      },
    });
    expect(
      formatUsd(
        custom.cost('my-model', {
          inputTokens: 1,
          outputTokens: 1,
          cacheWriteTokens: 0,
          cacheReadTokens: 0,
        }),
      ),
    ).toBe('0.0000030000');
    expect(
      () =>
        new PriceTable({
          odd: {
            input: '1.00001',
            output: '2',
            cacheWrite: '1',
            cacheWrite1h: '2',
            cacheRead: '0.1',
          },
        }),
    ).toThrow('costs.prices.odd.input: at most 4 decimal places per million tokens, found 1.00001');
  });

  it('refuses to guess the price of a model it does not know', () => {
    expect(() =>
      table.cost('gpt-9', {
        inputTokens: 1,
        outputTokens: 1,
        cacheWriteTokens: 0,
        cacheReadTokens: 0,
      }),
    ).toThrow(
      /no price for the model "gpt-9"; known: claude-fable-5-1, .*claude-opus-4-5, .*\(add it under costs\.prices\)$/,
    );
    expect(() =>
      table.cost('claude-haiku-4-5', {
        inputTokens: -1,
        outputTokens: 0,
        cacheWriteTokens: 0,
        cacheReadTokens: 0,
      }),
    ).toThrow('input tokens: expected a whole number of tokens, found -1');
  });
});
