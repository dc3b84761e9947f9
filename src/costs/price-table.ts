import { formatUsd, parseUsd, type Units } from './money.js';

/** Dollars per million tokens for each kind of token a model bills. */
export interface ModelPrice {
  readonly input: string;
  readonly output: string;
  /** Writing to the prompt cache (5-minute lifetime). */
  readonly cacheWrite: string;
  /** Writing to the prompt cache with a 1-hour lifetime. */
  readonly cacheWrite1h: string;
  readonly cacheRead: string;
}

/** Tokens of one provider call, as the provider reports them. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheWriteTokens: number;
  readonly cacheWrite1hTokens?: number;
  readonly cacheReadTokens: number;
}

/** Anthropic's published prices (platform.claude.com/docs/en/about-claude/pricing). */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-fable-5-1': price('10', '50'),
  'claude-opus-5-5': price('4', '20'),
  'claude-opus-5': price('5', '25'),
  'claude-sonnet-5-5': price('2', '10'),
  'claude-sonnet-5': price('2', '10'),
  'claude-opus-4-6': price('5', '25'),
  'claude-sonnet-4-6': price('3', '15'),
  'claude-opus-4-5': price('5', '25'),
  'claude-opus-4-1': price('15', '75'),
  'claude-opus-4-0': price('15', '75'),
  'claude-sonnet-4-5': price('3', '15'),
  'claude-sonnet-4-0': price('3', '15'),
  'claude-haiku-4-5': price('1', '5'),
  'claude-3-5-haiku': price('0.8', '4'),
};

/** Cache writes cost 1.25× input (5 minutes) or 2× (1 hour); reads 0.1× (exact, no floats). */
export function price(input: string, output: string): ModelPrice {
  const base = parseUsd(input);
  const times = (numerator: bigint, denominator: bigint) =>
    formatUsd((base * numerator) / denominator);
  return {
    input,
    output,
    cacheWrite: times(125n, 100n),
    cacheWrite1h: times(2n, 1n),
    cacheRead: times(1n, 10n),
  };
}

const PER_MILLION = 1_000_000n;

/** Prices by model, defaults overridable from configuration. Costs come out exact. */
export class PriceTable {
  private readonly prices: Map<string, Record<keyof ModelPrice, Units>>;

  constructor(overrides: Readonly<Record<string, ModelPrice>> = {}) {
    this.prices = new Map();
    for (const [model, p] of Object.entries({ ...DEFAULT_PRICES, ...overrides })) {
      const units = (field: keyof ModelPrice) => {
        const value = parseUsd(p[field], `costs.prices.${model}.${field}`);
        // Per token this must still fit the 10 decimal places money is kept with.
        if (value % PER_MILLION !== 0n)
          throw new RangeError(
            `costs.prices.${model}.${field}: at most 4 decimal places per million tokens, found ${p[field]}`,
          );
        return value / PER_MILLION;
      };
      this.prices.set(model, {
        input: units('input'),
        output: units('output'),
        cacheWrite: units('cacheWrite'),
        cacheWrite1h: units('cacheWrite1h'),
        cacheRead: units('cacheRead'),
      });
    }
  }

  /** The price of a model id, also when it carries a date (claude-sonnet-4-5-20250929). */
  private perToken(model: string) {
    const found = this.prices.get(model) ?? this.prices.get(model.replace(/-\d{8}$/, ''));
    if (found === undefined)
      throw new RangeError(
        `no price for the model ${JSON.stringify(model)}; known: ${[...this.prices.keys()].join(', ')} (add it under costs.prices)`,
      );
    return found;
  }

  knows(model: string): boolean {
    return this.prices.has(model) || this.prices.has(model.replace(/-\d{8}$/, ''));
  }

  /** The exact cost of a call's tokens. */
  cost(model: string, usage: TokenUsage): Units {
    const p = this.perToken(model);
    const tokens = (n: number | undefined, field: string) => {
      if (n === undefined) return 0n;
      if (!Number.isSafeInteger(n) || n < 0)
        throw new RangeError(`${field}: expected a whole number of tokens, found ${n}`);
      return BigInt(n);
    };
    return (
      tokens(usage.inputTokens, 'input tokens') * p.input +
      tokens(usage.outputTokens, 'output tokens') * p.output +
      tokens(usage.cacheWriteTokens, 'cache write tokens') * p.cacheWrite +
      tokens(usage.cacheWrite1hTokens, 'cache write (1 h) tokens') * p.cacheWrite1h +
      tokens(usage.cacheReadTokens, 'cache read tokens') * p.cacheRead
    );
  }
}
