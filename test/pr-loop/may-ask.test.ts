import { describe, expect, it } from 'vitest';
import type { ActionCall, ActionRunner } from '../../src/engine/runners.js';
import { PermissionCache, mayAsk } from '../../src/pr-loop/may-ask.js';
import type { OwnedPullRequest } from '../../src/store/repositories/pull-requests.js';
import { createLogger } from '../../src/log/create-logger.js';

const owned = { repository: 'acme/shop' } as OwnedPullRequest;
const call: Omit<ActionCall, 'plugin' | 'action' | 'input'> = {
  run: { id: 'r', workflow: 'implement-task', channelId: 'C1', userId: null },
  step: 'pull-request-loop',
  attempt: 1,
  idempotencyKey: 'k',
  signal: new AbortController().signal,
  log: createLogger({ level: 'silent', format: 'json', secrets: [] }),
};

/** A version-control service that knows alice (write) and mallory (read), and counts asks. */
function service() {
  const asked: string[] = [];
  const actions: ActionRunner = {
    run: (c) => {
      const user = typeof c.input.user === 'string' ? c.input.user : '';
      asked.push(user);
      return Promise.resolve({ permission: { alice: 'write', mallory: 'read' }[user] ?? 'none' });
    },
  };
  return { actions, asked };
}

describe('who may ask aidev for changes', () => {
  it('takes write access or more, and says what the person has when it refuses', async () => {
    const { actions } = service();
    expect(await mayAsk(actions, call, owned, 'alice')).toEqual({ ok: true });
    expect(await mayAsk(actions, call, owned, 'mallory')).toEqual({
      ok: false,
      reason:
        'mallory may not ask aidev for changes: their permission on acme/shop is read, and it takes write access',
    });
  });

  it('asks once per person within a minute, and again after it', async () => {
    let now = 0;
    const cache = new PermissionCache(() => now);
    const { actions, asked } = service();
    for (let i = 0; i < 5; i++)
      await mayAsk(actions, call, owned, i % 2 ? 'Alice' : 'alice', cache);
    expect(asked).toEqual(['alice']);
    now = 61_000;
    await mayAsk(actions, call, owned, 'alice', cache);
    expect(asked).toEqual(['alice', 'alice']);
  });
});
