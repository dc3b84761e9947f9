import { beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { describeEachBackend, resetTables } from '../support/backends.js';

const URL = 'https://github.com/acme/shop/pull/7';

/** A Slack-started run that opened a pull request, and a round of fixes on it, started. */
async function runAndRound(store: Store) {
  const { run: parent } = await store.runs.create({
    workflowName: 'implement-task',
    workflowVersion: '1.0.0',
    trigger: 'slack',
  });
  await store.pullRequests.record({
    url: URL,
    runId: parent.id,
    stepName: 'open_pull_request',
    repository: 'acme/shop',
    number: 7,
    branch: 'aidev/SHOP-1',
  });
  await store.prRounds.queue({
    pullUrl: URL,
    sourceId: 'comment:1',
    kind: 'comment',
    author: 'alice',
    item: { body: 'please fix' },
    origin: 'github:d-1',
  });
  await store.transaction((tx) => tx.prRounds.next(URL, 3));
  const { run: round } = await store.runs.create({
    workflowName: 'address-feedback',
    workflowVersion: '1.0.0',
    trigger: 'feedback',
  });
  await store.prRounds.started(URL, 1, round.id);
  return { parent, round };
}

describeEachBackend('Slack run messages', (database) => {
  beforeEach(async () => resetTables(database().db));

  it('adopts a round of a run told in Slack into that run’s thread, once', async () => {
    const { store } = database();
    const { parent, round } = await runAndRound(store);
    await store.slackMessages.track({ runId: parent.id, teamId: 'T1', channelId: 'C1' });
    // Not before the run's parent message is posted: there is no thread to tell it in yet.
    expect(await store.slackMessages.adoptRounds()).toEqual([]);
    await store.slackMessages.update(parent.id, { parentTs: '100.1', finished: true });
    expect(await store.slackMessages.adoptRounds()).toEqual([round.id]);
    expect(await store.slackMessages.adoptRounds()).toEqual([]);
    expect(await store.slackMessages.get(round.id)).toMatchObject({
      teamId: 'T1',
      channelId: 'C1',
      parentTs: '100.1',
      lastEventId: 0,
      finished: false,
    });
    // A reply in the thread is about the run that owns it, not its round.
    expect((await store.slackMessages.byThread('C1', '100.1'))?.runId).toBe(parent.id);
  });

  it('leaves alone rounds of runs not told in Slack', async () => {
    const { store } = database();
    await runAndRound(store);
    expect(await store.slackMessages.adoptRounds()).toEqual([]);
  });
});
