import { price, type ModelPrice } from '../costs/price-table.js';
import type { FileSettings } from './file-schema.js';

/** Prices from the settings file; cache prices not given follow Anthropic's multipliers. */
export function pricesOf(
  prices: NonNullable<FileSettings['costs']>['prices'],
): Record<string, ModelPrice> {
  const table: Record<string, ModelPrice> = {};
  for (const [model, p] of Object.entries(prices ?? {})) {
    const standard = price(p.input, p.output);
    table[model] = {
      ...standard,
      ...(p.cache_write === undefined ? {} : { cacheWrite: p.cache_write }),
      ...(p.cache_write_1h === undefined ? {} : { cacheWrite1h: p.cache_write_1h }),
      ...(p.cache_read === undefined ? {} : { cacheRead: p.cache_read }),
    };
  }
  return table;
}
