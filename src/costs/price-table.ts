import { parseModelRef } from '../plugins/interfaces/model-ref.js';
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

/** Anthropic's published prices (platform.claude.com/docs/en/about-claude/pricing), then OpenAI's. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  // Cache hits at 0.025× and 0.05× of input, not the usual 0.1× (Anthropic's pricing page).
  'claude-fable-5-1': price('10', '50', { cacheRead: '0.25' }),
  'claude-opus-5-5': price('4', '20', { cacheRead: '0.2' }),
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
  // OpenAI: input, cached input, output, as OpenAI's pricing page (platform.openai.com/docs/pricing)
  // lists them. Every default price is checked against Pydantic's genai-prices database by
  // test/costs/default-prices.test.ts.
  'gpt-5.1': openAiPrice('1.25', '0.125', '10'),
  'gpt-5': openAiPrice('1.25', '0.125', '10'),
  'gpt-5-mini': openAiPrice('0.25', '0.025', '2'),
  'gpt-5-nano': openAiPrice('0.05', '0.005', '0.4'),
  'gpt-4.1': openAiPrice('2', '0.5', '8'),
  'gpt-4.1-mini': openAiPrice('0.4', '0.1', '1.6'),
  'gpt-4.1-nano': openAiPrice('0.1', '0.025', '0.4'),
  'gpt-4o': openAiPrice('2.5', '1.25', '10'),
  'gpt-4o-mini': openAiPrice('0.15', '0.075', '0.6'),
  o3: openAiPrice('2', '0.5', '8'),
  'o4-mini': openAiPrice('1.1', '0.275', '4.4'),
  'gpt-5.5': openAiPrice('5', '0.5', '30'),
  'gpt-5.4': openAiPrice('2.5', '0.25', '15'),
  'gpt-5.4-mini': openAiPrice('0.75', '0.075', '4.5'),
  'gpt-5.4-nano': openAiPrice('0.2', '0.02', '1.25'),
};

/**
 * Cache writes cost 1.25× input (5 minutes) or 2× (1 hour); reads 0.1× unless the model has its
 * own rate (exact, no floats).
 */
export function price(
  input: string,
  output: string,
  rates: { readonly cacheRead?: string } = {},
): ModelPrice {
  const base = parseUsd(input);
  const times = (numerator: bigint, denominator: bigint) =>
    formatUsd((base * numerator) / denominator);
  return {
    input,
    output,
    cacheWrite: times(125n, 100n),
    cacheWrite1h: times(2n, 1n),
    cacheRead: rates.cacheRead ?? times(1n, 10n),
  };
}

/**
 * An OpenAI model's prices: cached input has its own published rate, and writing the cache
 * costs nothing beyond the input rate (OpenAI caches by itself, for no charge).
 */
export function openAiPrice(input: string, cachedInput: string, output: string): ModelPrice {
  return { input, output, cacheWrite: input, cacheWrite1h: input, cacheRead: cachedInput };
}

/**
 * A model id without the date of its snapshot: Anthropic's `claude-sonnet-4-5-20250929` and
 * OpenAI's `gpt-5-2025-08-07` are priced as `claude-sonnet-4-5` and `gpt-5`.
 */
function undated(model: string): string {
  return model.replace(/-(\d{8}|\d{4}-\d{2}-\d{2})$/, '');
}

/** The model id a price is kept under: a setting's provider (`openai:gpt-5`) does not change it. */
function priced(model: string): string {
  return parseModelRef(model).model;
}

const PER_MILLION = 1_000_000n;

/**
 * Long-context rates of built-in prices: a prompt of `fromTokens` or more (input, cache reads
 * and writes together) is billed at twice the input-side rates and 1.5 times the output rate.
 * GPT-5.4 and GPT-5.5 from 272K tokens (OpenAI's pricing page). A price set under
 * `costs.prices` replaces the built-in one, tiers included.
 */
const LONG_CONTEXT: Readonly<Record<string, { readonly fromTokens: number }>> = {
  'gpt-5.4': { fromTokens: 272_000 },
  'gpt-5.5': { fromTokens: 272_000 },
};

/** Prices by model, defaults overridable from configuration. Costs come out exact. */
export class PriceTable {
  private readonly prices: Map<string, Record<keyof ModelPrice, Units>>;
  private readonly longContext = new Map<string, number>();

  constructor(overrides: Readonly<Record<string, ModelPrice>> = {}) {
    this.prices = new Map();
    for (const [model, tier] of Object.entries(LONG_CONTEXT))
      if (overrides[model] === undefined) this.longContext.set(model, tier.fromTokens);
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
  private perToken(ref: string) {
    const model = priced(ref);
    const key = this.prices.has(model) ? model : undated(model);
    const found = this.prices.get(key);
    if (found === undefined)
      throw new RangeError(
        `no price for the model ${JSON.stringify(model)}; known: ${[...this.prices.keys()].join(', ')} (add it under costs.prices)`,
      );
    return { ...found, longContextFrom: this.longContext.get(key) };
  }

  knows(ref: string): boolean {
    const model = priced(ref);
    return this.prices.has(model) || this.prices.has(undated(model));
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
    const input =
      tokens(usage.inputTokens, 'input tokens') * p.input +
      tokens(usage.cacheWriteTokens, 'cache write tokens') * p.cacheWrite +
      tokens(usage.cacheWrite1hTokens, 'cache write (1 h) tokens') * p.cacheWrite1h +
      tokens(usage.cacheReadTokens, 'cache read tokens') * p.cacheRead;
    const output = tokens(usage.outputTokens, 'output tokens') * p.output;
    const prompt =
      usage.inputTokens +
      usage.cacheWriteTokens +
      (usage.cacheWrite1hTokens ?? 0) +
      usage.cacheReadTokens;
    if (p.longContextFrom === undefined || prompt < p.longContextFrom) return input + output;
    // Exact: every per-token rate is a whole number of units, and 1.5× of it is rounded down.
    return input * 2n + (output * 3n) / 2n;
  }
}
