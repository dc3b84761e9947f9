import { beforeEach, expect, it } from 'vitest';
import { describeEachBackend, resetTables } from '../support/backends.js';

const SHA = 'a'.repeat(40);

describeEachBackend('local pull request comments and checks', (database) => {
  beforeEach(async () => resetTables(database().db));

  async function pullRequest() {
    const { pull } = await database().store.localPullRequests.open({
      repository: '/repos/shop',
      sourceBranch: 'feat/x',
      targetBranch: 'main',
      title: 'x',
      body: '',
      draft: false,
      labels: [],
      reviewers: ['alice'],
      headSha: SHA,
      diff: '',
    });
    return pull;
  }

  it('keeps threads, adds a keyed comment once, and refuses one on no pull request', async () => {
    const { store } = database();
    const pull = await pullRequest();
    const asked = await store.localPullRequestComments.add({
      repository: pull.repository,
      number: pull.number,
      author: 'alice',
      body: 'Why?',
      path: 'src/x.ts',
      line: 3,
    });
    const answer = {
      repository: pull.repository,
      number: pull.number,
      author: 'aidev',
      body: 'Because.',
      path: 'src/x.ts',
      line: 3,
      inReplyTo: asked.id,
      idempotencyKey: 'round:1:0',
    };
    const first = await store.localPullRequestComments.add(answer);
    const again = await store.localPullRequestComments.add({ ...answer, body: 'Changed.' });
    expect(again).toEqual(first);
    expect(first).toMatchObject({ inReplyTo: asked.id, path: 'src/x.ts', line: 3 });
    expect(typeof first.id).toBe('number');
    expect(await store.localPullRequestComments.list(pull.repository, pull.number)).toEqual([
      asked,
      first,
    ]);
    expect(await store.localPullRequestComments.byId(first.id)).toEqual(first);
    expect(await store.localPullRequestComments.byId(999_999)).toBeNull();
    await expect(
      store.localPullRequestComments.add({ ...answer, number: 99, idempotencyKey: 'k' }),
    ).rejects.toThrow();
  });

  it('adds reviewers a pull request does not list yet, in order', async () => {
    const { store } = database();
    const pull = await pullRequest();
    const updated = await store.localPullRequests.addReviewers(pull.repository, pull.number, [
      'carol',
      'alice',
      'bob',
      'carol',
    ]);
    expect(updated?.reviewers).toEqual(['alice', 'carol', 'bob']);
    expect(await store.localPullRequests.addReviewers(pull.repository, 99, ['x'])).toBeNull();
  });

  it('gives the newest run of each check on a commit', async () => {
    const { store } = database();
    const record = (name: string, conclusion: 'success' | 'failure', log: string) =>
      store.localChecks.record({ repository: '/repos/shop', sha: SHA, name, conclusion, log });
    await record('test', 'failure', 'FAIL once');
    await record('lint', 'failure', 'error');
    await record('test', 'success', 'ok');
    const checks = await store.localChecks.forRef('/repos/shop', SHA);
    expect(checks.map((c) => [c.name, c.conclusion, c.log])).toEqual([
      ['lint', 'failure', 'error'],
      ['test', 'success', 'ok'],
    ]);
    expect(await store.localChecks.forRef('/repos/other', SHA)).toEqual([]);
    await expect(
      store.localChecks.record({
        repository: '/repos/shop',
        sha: 'main',
        name: 'x',
        conclusion: 'failure',
        log: '',
      }),
    ).rejects.toThrow();
  });
});
