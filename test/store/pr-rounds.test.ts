import { beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { describeEachBackend, resetTables } from '../support/backends.js';

const URL = 'https://github.com/acme/shop/pull/7';

async function ownedPull(store: Store) {
  const { run } = await store.runs.create({
    workflowName: 'implement-task',
    workflowVersion: '1.0.0',
    trigger: 'slack',
  });
  await store.pullRequests.record({
    url: URL,
    runId: run.id,
    stepName: 'open_pull_request',
    repository: 'acme/shop',
    number: 7,
    branch: 'aidev/SHOP-1',
  });
  return run;
}

const comment = (id: number, author = 'alice') => ({
  pullUrl: URL,
  sourceId: `comment:${id}`,
  kind: 'comment' as const,
  author,
  item: { body: `please fix ${id}` },
  origin: `github:d-${id}`,
});

/** Starts the round `next` recorded, as the loop does, and ends it with `status`. */
async function runRound(store: Store, round: { number: number }, status: 'succeeded' | 'failed') {
  const { run } = await store.runs.create({
    workflowName: 'address-feedback',
    workflowVersion: '1.0.0',
    trigger: 'feedback',
  });
  await store.prRounds.started(URL, round.number, run.id);
  return {
    run,
    end: () => store.runs.transition(run.id, status),
  };
}

describeEachBackend('pull-request rounds', (database) => {
  beforeEach(async () => resetTables(database().db));
  const next = (max = 3) => database().store.transaction((tx) => tx.prRounds.next(URL, max));

  it('queues the same feedback once, and a round takes everything that waits', async () => {
    const { store } = database();
    await ownedPull(store);
    expect(await store.prRounds.queue(comment(1))).toBe(true);
    expect(await store.prRounds.queue(comment(1))).toBe(false);
    expect(await store.prRounds.queue(comment(2))).toBe(true);
    const decided = await next();
    expect(decided.kind).toBe('start');
    if (decided.kind !== 'start') return;
    expect(decided.round.number).toBe(1);
    expect(decided.feedback.map((f) => f.sourceId)).toEqual(['comment:1', 'comment:2']);
    expect(await store.prRounds.waiting(URL)).toEqual([]);
  });

  it('runs one round at a time: feedback during a round waits for the next', async () => {
    const { store } = database();
    await ownedPull(store);
    await store.prRounds.queue(comment(1));
    const first = await next();
    if (first.kind !== 'start') throw new Error(`expected a round, got ${first.kind}`);
    // Recorded but not started (a crash here): asking again resumes the same round.
    const again = await next();
    expect(again).toMatchObject({ kind: 'start', round: { number: 1 } });
    const round = await runRound(store, first.round, 'succeeded');
    await store.runs.transition(round.run.id, 'running');
    await store.prRounds.queue(comment(2));
    expect(await next()).toMatchObject({ kind: 'busy', round: { number: 1 } });
    await round.end();
    const second = await next();
    expect(second).toMatchObject({ kind: 'start', round: { number: 2 } });
    if (second.kind === 'start')
      expect(second.feedback.map((f) => f.sourceId)).toEqual(['comment:2']);
    expect((await store.prRounds.forPull(URL)).map((r) => r.number)).toEqual([1, 2]);
  });

  it('two deciders at once start one round, not two', async () => {
    const { store } = database();
    await ownedPull(store);
    await store.prRounds.queue(comment(1));
    const decided = await Promise.all([next(), next(), next()]);
    expect(decided.filter((d) => d.kind === 'start')).toHaveLength(3);
    // …all three the same round 1 (not started yet), never a round 2.
    expect(new Set(decided.map((d) => (d.kind === 'start' ? d.round.number : 0)))).toEqual(
      new Set([1]),
    );
    expect(await store.prRounds.forPull(URL)).toHaveLength(1);
  });

  it('stops after the last round and asks a person once', async () => {
    const { store } = database();
    await ownedPull(store);
    for (let n = 1; n <= 2; n++) {
      await store.prRounds.queue(comment(n));
      const decided = await next(2);
      if (decided.kind !== 'start') throw new Error(`round ${n}: ${decided.kind}`);
      await (await runRound(store, decided.round, n === 1 ? 'failed' : 'succeeded')).end();
    }
    await store.prRounds.queue(comment(3, 'bob'));
    expect(await next(2)).toMatchObject({ kind: 'capped', rounds: 2, firstTime: true });
    await store.prRounds.queue(comment(4, 'carol'));
    const later = await next(2);
    expect(later).toMatchObject({ kind: 'capped', firstTime: false });
    if (later.kind === 'capped')
      expect(later.waiting.map((f) => f.author)).toEqual(['bob', 'carol']);
    expect(await store.prRounds.needingAttention()).toEqual([URL]);
  });

  it('ends with the pull request: merged, closed, or not aidev’s', async () => {
    const { store } = database();
    expect(await next()).toMatchObject({ kind: 'ended', reason: 'aidev did not open it' });
    await ownedPull(store);
    expect(await next()).toEqual({ kind: 'idle' });
    await store.prRounds.queue(comment(1));
    await store.pullRequests.setState(URL, 'merged');
    expect(await next()).toEqual({ kind: 'ended', reason: 'it is merged' });
    expect(await store.prRounds.needingAttention()).toEqual([]);
  });
});
