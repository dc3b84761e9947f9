import type { Store } from '../../src/store/store.js';

/** Records a provider call of `usd` for a channel and/or user, as the provider layer would. */
export function recordCost(
  store: Store,
  usd: string,
  scope: { channelId?: string; userId?: string },
) {
  return store.costs.record({
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    inputTokens: 1,
    outputTokens: 1,
    cacheWriteTokens: 0,
    cacheReadTokens: 0,
    usd,
    ...scope,
  });
}
