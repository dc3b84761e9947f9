import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../../src/log/create-logger.js';
import type { ActionContext } from '../../../src/plugins/plugin.js';

/** The context a workflow step gives an action; `key` is its idempotency key. */
export function callContext(key = `run-${randomUUID()}:step`): ActionContext {
  return {
    idempotencyKey: key,
    signal: new AbortController().signal,
    log: silentLogger(),
    run: { id: randomUUID(), workflow: 'contract', channelId: 'C-contract', userId: 'U-contract' },
  };
}
