import type { AgentCall } from '../../src/engine/runners.js';
import type { Logger } from '../../src/log/create-logger.js';
import type { JsonObject } from '../../src/store/sql.js';
import type { Store } from '../../src/store/store.js';

/**
 * A run in the store and an agent call of one of its steps, as the engine would make it: for
 * driving an agent directly, attempt by attempt (the same idempotency key each time).
 */
export async function agentRun(
  store: Store,
  log: Logger,
  options: { agent: string; step: string; channelId?: string },
) {
  const { run } = await store.runs.create({
    workflowName: 'agent-test',
    workflowVersion: '1',
    inputs: {},
    trigger: 'api',
    userId: 'U-dev',
    ...(options.channelId === undefined ? {} : { channelId: options.channelId }),
  });
  const progress: [number, string][] = [];
  const call = (input: JsonObject, attempt = 1): AgentCall => ({
    run: { id: run.id, workflow: 'agent-test', channelId: run.channelId, userId: 'U-dev' },
    step: options.step,
    attempt,
    idempotencyKey: `${run.id}:${options.step}`,
    signal: new AbortController().signal,
    log,
    agent: options.agent,
    promptTemplate: undefined,
    input,
    progress: (fraction, message) => progress.push([fraction, message]),
    record: () => Promise.resolve(),
  });
  return { run, call, progress };
}
