import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/store/repositories/runs.js';
import { REPO_ROOT } from '../support/child-process.js';
import { ALICE, BOB, CHANNEL } from '../vendors-slack/slack-test-setup.js';
import { startSlackWorld, type SlackWorld } from './slack-harness.js';

/**
 * The pull-request loop (#18) from Slack: a reply in a run's thread once its pull request is
 * open asks for changes, and the rounds that follow are told in that thread. The workflow a
 * round runs (address-feedback) is a stand-in here that only says what it pushed: what is
 * tested is the front end, not the round's work.
 */
const SHA = 'abc1234def5678abc1234def5678abc1234def56';
const ROUND_WORKFLOW = `name: address-feedback
description: A stand-in round that pushes nothing and says it pushed a commit
version: '0.0.1'
inputs:
  repository: { type: string }
  branch: { type: string }
  pull_request: { type: object }
  task: { type: object }
  summary: { type: string }
  feedback: { type: list }
  round: { type: integer }
  max_rounds: { type: integer }
  channel: { type: string, default: '' }
  thread: { type: string, default: '' }
  parent_run: { type: string, default: '' }
steps:
  - name: outcome
    type: set
    set:
      pushed: 'pushed ${SHA}'
`;

let scratch: string;
let world: SlackWorld;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-slack-rounds-'));
  const workflows = path.join(scratch, 'workflows');
  await cp(path.join(REPO_ROOT, 'workflows'), workflows, { recursive: true });
  await writeFile(path.join(workflows, 'address-feedback.yaml'), ROUND_WORKFLOW);
  world = await startSlackWorld(scratch, {
    settings: `workflows:\n  directory: ${JSON.stringify(workflows)}\n`,
  });
}, 60_000);
afterAll(async () => {
  await world.stop();
  await rm(scratch, { recursive: true, force: true });
});

const told = (user: string, fragment: string) =>
  world.until(`a private message to ${user} containing "${fragment}"`, () =>
    world.slack.ephemerals.find((e) => e.user === user && e.text.includes(fragment)),
  );
const inThread = (parentTs: string, fragment: string) =>
  world.until(`a reply in the thread containing "${fragment}"`, () =>
    world.slack.threadOf(CHANNEL, parentTs).find((m) => m.text.includes(fragment)),
  );
const feedbackOn = async (pullUrl: string) =>
  (
    await world.app.store.db.query<{
      source_id: string;
      author: string;
      item: { body?: string; url?: string };
      origin: string;
      round_number: number | null;
    }>('SELECT * FROM pr_feedback WHERE pull_url = $1 ORDER BY received_at', [pullUrl])
  ).rows;

/**
 * A run started by Alice in the channel that ended with a pull request open, told in Slack as
 * a Slack command's run is: what a finished implement-task run leaves in the store.
 */
async function runWithPullRequest(
  key: string,
  number: number,
): Promise<{ run: Run; pullUrl: string; parentTs: string }> {
  const { store } = world.app;
  const { run } = await store.runs.create({
    workflowName: 'implement-task',
    workflowVersion: '1.0.0',
    inputs: { task_key: key, repository: 'acme/shop', channel: CHANNEL },
    channelId: CHANNEL,
    userId: ALICE,
    taskKey: key,
    trigger: 'slack',
  });
  await store.runs.transition(run.id, 'running');
  const pullUrl = `https://github.com/acme/shop/pull/${number}`;
  await store.pullRequests.record({
    url: pullUrl,
    runId: run.id,
    stepName: 'open_pull_request',
    repository: 'acme/shop',
    number,
    branch: `aidev/${key.toLowerCase()}`,
  });
  const ended = await store.runs.transition(run.id, 'succeeded');
  if (ended === null) throw new Error('the run did not end');
  await world.slackApp.notifier.track(ended, CHANNEL, null);
  const parent = await world.runMessage(key);
  return { run: ended, pullUrl, parentTs: parent.ts };
}

describe('rounds of fixes from Slack', () => {
  it('takes a reply in the run’s thread as feedback, starts a round and tells it in the thread', async () => {
    const { run, pullUrl, parentTs } = await runWithPullRequest('PROJ-31', 31);
    const before = world.slack.channel(CHANNEL).messages.length;
    const reply = world.slack.givenMessage({
      channel: CHANNEL,
      user: ALICE,
      text: 'Also handle an empty cart',
      threadTs: parentTs,
    });
    await world.requests.send(world.requests.message(reply));
    await told(ALICE, 'Round 1 started: aidev works on your feedback on');

    const [feedback] = await feedbackOn(pullUrl);
    expect(feedback).toMatchObject({
      source_id: `slack:${CHANNEL}:${reply.ts}`,
      author: `slack:${ALICE}`,
      origin: `slack:${CHANNEL}`,
      round_number: 1,
      item: { body: 'Also handle an empty cart' },
    });
    expect(feedback?.item.url).toMatch(/^https:\/\//);
    const [round] = await world.app.store.prRounds.forPull(pullUrl);
    const roundRun = await world.app.store.runs.get(round?.runId ?? '');
    expect(roundRun).toMatchObject({ trigger: 'feedback', channelId: CHANNEL });
    expect(roundRun?.inputs).toMatchObject({ parent_run: run.id, thread: parentTs });

    expect((await inThread(parentTs, 'Round 1 started')).text).toBe(
      `:arrows_counterclockwise: Round 1 started (comment by <@${ALICE}>)`,
    );
    expect((await inThread(parentTs, 'Round 1 done')).text).toBe(
      ':white_check_mark: Round 1 done: pushed abc1234 · $0.0000',
    );
    const parent = await world.until('the rounds in the parent message', () => {
      const shown = world.slack.message(CHANNEL, parentTs);
      return JSON.stringify(shown?.blocks).includes('Rounds: 1 of 3') ? shown : undefined;
    });
    const blocks = JSON.stringify(parent.blocks);
    expect(blocks).toContain('Rounds: 1 of 3 · last: pushed abc1234');
    expect(blocks).toContain('Cost so far, rounds included');
    // The round has no message of its own in the channel: only replies in the thread.
    expect(world.slack.channel(CHANNEL).messages.length).toBe(before);
  }, 150_000);

  it('refuses a reply from someone who may not decide on the run, and queues nothing', async () => {
    const { pullUrl, parentTs } = await runWithPullRequest('PROJ-32', 32);
    const reply = world.slack.givenMessage({
      channel: CHANNEL,
      user: BOB,
      text: 'Rewrite it in Rust',
      threadTs: parentTs,
    });
    await world.requests.send(world.requests.message(reply));
    await told(BOB, `Only <@${ALICE}> or a workspace admin may decide on this run.`);
    expect(await feedbackOn(pullUrl)).toEqual([]);
    expect(await world.app.store.prRounds.forPull(pullUrl)).toEqual([]);
  }, 150_000);

  it('tells a round a worker started in the parent’s thread, and queues a mention there for the next round', async () => {
    const { store } = world.app;
    const { run, pullUrl, parentTs } = await runWithPullRequest('PROJ-33', 33);
    // A review on GitHub started round 1; its run is under way on some worker.
    await store.prRounds.queue({
      pullUrl,
      sourceId: 'review:9',
      kind: 'review',
      author: 'carol',
      item: { body: 'Needs a test' },
      origin: 'github:delivery-9',
    });
    const next = await store.transaction((tx) => tx.prRounds.next(pullUrl, 3));
    expect(next.kind).toBe('start');
    const { run: round } = await store.runs.create({
      workflowName: 'address-feedback',
      workflowVersion: '0.0.1',
      inputs: {
        parent_run: run.id,
        thread: parentTs,
        round: 1,
        feedback: [{ type: 'review', author: 'carol', body: 'Needs a test' }],
      },
      channelId: CHANNEL,
      trigger: 'feedback',
    });
    await store.runs.transition(round.id, 'running');
    await store.prRounds.started(pullUrl, 1, round.id);
    await store.events.append({ runId: round.id, type: 'run.started', message: 'started' });
    expect((await inThread(parentTs, 'Round 1 started')).text).toBe(
      ':arrows_counterclockwise: Round 1 started (review by carol)',
    );

    const mention = world.slack.givenMessage({
      channel: CHANNEL,
      user: ALICE,
      text: `<@${world.slack.bot.userId}> also handle an empty cart`,
      threadTs: parentTs,
    });
    await world.requests.send(world.requests.appMention(mention));
    await told(ALICE, 'Queued for the round after round 1, which is under way');
    expect(await store.prRounds.waiting(pullUrl)).toMatchObject([
      { sourceId: `slack:${CHANNEL}:${mention.ts}`, item: { body: 'also handle an empty cart' } },
    ]);

    // The run ended long ago: `cancel` in its thread stops the round under way.
    const cancel = world.slack.givenMessage({
      channel: CHANNEL,
      user: ALICE,
      text: 'cancel',
      threadTs: parentTs,
    });
    await world.requests.send(world.requests.message(cancel));
    await told(ALICE, 'Cancelling the round of fixes on PROJ-33’s pull request.');
    expect((await store.runs.get(round.id))?.cancelRequestedAt).not.toBeNull();

    await store.runs.transition(round.id, 'failed', { error: { message: 'tests failed' } });
    await store.events.append({
      runId: round.id,
      type: 'run.failed',
      level: 'error',
      message: 'the tests failed after the change',
    });
    expect((await inThread(parentTs, 'Round 1 failed')).text).toContain(
      ':x: Round 1 failed: the tests failed after the change',
    );
    await world.until('the failed round in the parent message', () =>
      JSON.stringify(world.slack.message(CHANNEL, parentTs)?.blocks).includes(
        'Rounds: 1 of 3 · last: round 1 failed',
      )
        ? true
        : undefined,
    );
  }, 150_000);

  it('says when the rounds are used up, and when the pull request is merged', async () => {
    const { store } = world.app;
    const { pullUrl, parentTs } = await runWithPullRequest('PROJ-35', 35);
    // Three rounds (pull_requests.max_fix_rounds) came and went.
    for (const number of [1, 2, 3]) {
      await store.prRounds.queue({
        pullUrl,
        sourceId: `comment:${number}`,
        kind: 'comment',
        author: 'carol',
        item: { body: `fix ${number}` },
        origin: 'github:delivery',
      });
      await store.transaction((tx) => tx.prRounds.next(pullUrl, 3));
      const { run: round } = await store.runs.create({
        workflowName: 'address-feedback',
        workflowVersion: '0.0.1',
        channelId: CHANNEL,
        trigger: 'feedback',
      });
      await store.runs.transition(round.id, 'succeeded');
      await store.prRounds.started(pullUrl, number, round.id);
    }
    const reply = (text: string) =>
      world.requests.send(
        world.requests.message(
          world.slack.givenMessage({ channel: CHANNEL, user: ALICE, text, threadTs: parentTs }),
        ),
      );
    await reply('One more thing');
    await told(
      ALICE,
      'Noted, but the 3 rounds of fixes aidev makes on one pull request are used up (pull_requests.max_fix_rounds): a person was asked to take',
    );
    await inThread(parentTs, 'aidev has made 3 rounds of fixes on pull request #35');
    await store.pullRequests.setState(pullUrl, 'merged');
    await reply('And another');
    await told(ALICE, 'Noted. The run’s pull request is merged, so a reply here no longer asks');
    expect((await feedbackOn(pullUrl)).map((f) => f.item.body)).not.toContain('And another');
  }, 150_000);

  it('keeps the old answer for talk in a thread whose run opened no pull request', async () => {
    const { store } = world.app;
    const { run } = await store.runs.create({
      workflowName: 'implement-task',
      workflowVersion: '1.0.0',
      channelId: CHANNEL,
      userId: ALICE,
      taskKey: 'PROJ-34',
      trigger: 'slack',
    });
    await world.slackApp.notifier.track(run, CHANNEL, null);
    const parent = await world.runMessage('PROJ-34');
    const reply = world.slack.givenMessage({
      channel: CHANNEL,
      user: BOB,
      text: 'nice',
      threadTs: parent.ts,
    });
    await world.requests.send(world.requests.message(reply));
    await told(BOB, 'once the run’s pull request is open, a reply here asks for changes on it');
  }, 150_000);
});
