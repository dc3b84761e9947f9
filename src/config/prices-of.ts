import { openAiPrice, price, type ModelPrice } from '../costs/price-table.js';
import type { FileSettings } from './file-schema.js';

/**
 * Prices from the settings file. A Claude model's cache prices not given follow Anthropic's
 * multipliers (writes 1.25× and 2× input, reads 0.1×); any other model's (OpenAI's, a
 * gateway's) cache writes cost the input price, as OpenAI charges them, and its cache reads
 * cost the input price unless `cache_read` says otherwise (a gateway may not discount them).
 */
export function pricesOf(
  prices: NonNullable<FileSettings['costs']>['prices'],
): Record<string, ModelPrice> {
  const table: Record<string, ModelPrice> = {};
  for (const [model, p] of Object.entries(prices ?? {})) {
    const standard = model.startsWith('claude-')
      ? price(p.input, p.output)
      : openAiPrice(p.input, p.input, p.output);
    table[model] = {
      ...standard,
      ...(p.cache_write === undefined ? {} : { cacheWrite: p.cache_write }),
      ...(p.cache_write_1h === undefined ? {} : { cacheWrite1h: p.cache_write_1h }),
      ...(p.cache_read === undefined ? {} : { cacheRead: p.cache_read }),
    };
  }
  return table;
}
