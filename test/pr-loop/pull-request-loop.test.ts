import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_APPROVE } from '../../blocks/plan-message.js';
import { LINT_ROUND_SCRIPT, reviewRoundScript } from '../../scripts/demo-script.js';
import { ALICE, CHANNEL } from '../vendors-slack/slack-test-setup.js';
import {
  checkRunCompleted,
  deliver,
  pullComment,
  reviewSubmitted,
} from '../support/github-deliveries.js';
import {
  SECRETS,
  scriptTheModel,
  startSlackWorld,
  type SlackWorld,
} from '../slack/slack-harness.js';

const SECRET = 'webhook secret of the pull-request loop test';
const TARGET = { repository: 'acme/shop', number: 1 };
const PULL_URL = 'https://github.com/acme/shop/pull/1';
const BRANCH = 'aidev/PROJ-1';

/**
 * The pull-request loop end to end, on each database: a Slack run opens a pull request on the
 * local GitHub; signed deliveries (a review with two line comments, a failing check, comments
 * from people and bots who may not ask, one too many) come to /github/webhooks; rounds push
 * commits on the same branch, answer in the comments' threads, ask for review again, tell the
 * Slack thread — and after the last round a person is asked.
 */
describe.each(['postgresql', 'pglite'] as const)('the pull-request loop [%s]', (database) => {
  let scratch: string;
  let world: SlackWorld;
  let parentTs: string;
  let parentRun: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-pr-loop-'));
    world = await startSlackWorld(scratch, {
      githubWebhookSecret: SECRET,
      database,
      settings: 'pull_requests:\n  max_fix_rounds: 2\n',
    });
    const repo = world.github.repos.get('acme/shop');
    repo?.collaborators.set('alice', 'write');
    repo?.collaborators.set('mallory', 'read');
  }, 90_000);
  afterAll(async () => {
    await world.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  const repo = () => {
    const found = world.github.repos.get('acme/shop');
    if (found === undefined) throw new Error('no acme/shop');
    return found;
  };
  const head = async () => (await repo().refSha(`heads/${BRANCH}`)) ?? '';
  const send = (event: string, payload: Record<string, unknown>) =>
    deliver(world.baseUrl, SECRET, event, payload);
  const outcomeOf = (id: string) =>
    world.until(`delivery ${id} acted on`, async () => {
      const delivery = await world.app.store.webhookDeliveries.get('github', id);
      return delivery?.outcome ?? undefined;
    });
  const round = (number: number) =>
    world.until(`round ${number} ended`, async () => {
      const rounds = await world.app.store.prRounds.forPull(PULL_URL);
      const found = rounds.find((r) => r.number === number);
      return found?.status === 'succeeded' || found?.status === 'failed' ? found : undefined;
    });
  const threadSays = (text: string) =>
    world.until(`the run's thread to say ${text}`, () =>
      world.slack.threadOf(CHANNEL, parentTs).find((m) => m.text.includes(text)),
    );

  it('opens the pull request from Slack, as before', async () => {
    world.jira.givenIssue({
      key: 'PROJ-1',
      title: 'Order total ignores item quantities',
      description: 'Two mugs cost as one. orderTotal in src/cart.ts must multiply by the quantity.',
      status: 'To Do',
    });
    scriptTheModel(world);
    await world.requests.send(
      world.requests.slashCommand({
        user: ALICE,
        channel: CHANNEL,
        text: 'implement PROJ-1 repo=acme/shop',
      }),
    );
    const parent = await world.runMessage('PROJ-1');
    parentTs = parent.ts;
    const plan = await world.replyWithButton(parent.ts, PLAN_APPROVE);
    await world.requests.send(
      world.requests.buttonClick({ user: ALICE, message: plan, actionId: PLAN_APPROVE }),
    );
    const run = await world.waitForRun((r) => r.taskKey === 'PROJ-1', ['succeeded', 'failed']);
    expect(run.status).toBe('succeeded');
    parentRun = run.id;
    expect(await world.app.store.pullRequests.byUrl(PULL_URL)).toMatchObject({ runId: run.id });
  }, 120_000);

  it('a review with two line comments: one new commit on the branch, a reply in each thread, review asked again', async () => {
    const before = await head();
    const code = world.github.addReviewComment('acme/shop', 1, {
      author: 'alice',
      body: 'A negative quantity gives a negative total: refuse it, as a bad discount is refused.',
      path: 'src/cart.ts',
      line: 13,
      reviewId: 9001,
    });
    const test = world.github.addReviewComment('acme/shop', 1, {
      author: 'alice',
      body: 'Please add a test for it.',
      path: 'test/cart.test.ts',
      line: 29,
      reviewId: 9001,
    });
    world.github.submitReview('acme/shop', 1, 'alice');
    world.anthropic.reply(...reviewRoundScript({ code: 'F2', test: 'F3' }));
    const review = reviewSubmitted(TARGET, {
      id: 9001,
      state: 'changes_requested',
      body: 'Two things before this can go in.',
      by: 'alice',
    });
    const sent = await send('pull_request_review', review);
    expect(sent.status).toBe(202);
    expect(await outcomeOf(sent.id)).toBe('started round 1');

    const first = await round(1);
    const steps = await world.app.store.steps.listForRun(first.runId ?? '');
    expect(first.status, JSON.stringify(steps.map((s) => [s.stepName, s.status, s.error]))).toBe(
      'succeeded',
    );
    // One commit on top of what was there: never a force push.
    const after = await head();
    expect((await repo().commit(after))?.parents).toEqual([before]);
    const files = repo().filesAt(BRANCH);
    expect(files['src/cart.ts']).toContain('item.quantity < 0');
    expect(files['test/cart.test.ts']).toContain('a negative quantity is refused');
    // A reply in each comment's thread, a summary on the conversation, alice asked again.
    const replies = (id: number) => repo().reviewComments.filter((c) => c.inReplyTo === id);
    expect(replies(code).map((c) => c.body)).toEqual([expect.stringContaining('RangeError')]);
    expect(replies(test).map((c) => c.body)).toEqual([
      expect.stringContaining('a negative quantity is refused'),
    ]);
    expect(repo().issueComments.map((c) => c.body)).toEqual([
      expect.stringContaining(`**aidev, round 1 of 2**: pushed ${after}`),
    ]);
    expect(repo().pulls[0]?.reviewers).toEqual(['alice']);
    await threadSays(`Round 1 done: pushed ${after.slice(0, 7)}`);
    // The run that opened the pull request tells its rounds in its own log (and event stream).
    const told = await world.until('the round’s end in the parent’s log', async () => {
      const events = await world.app.store.events.listForRun(parentRun);
      return events.some((e) => e.type === 'round.ended') ? events : undefined;
    });
    expect(told.filter((e) => e.type.startsWith('round.')).map((e) => e.message)).toEqual([
      'round 1 of fixes on pull request #1 started for review by alice',
      'round 1 of fixes on pull request #1 succeeded',
    ]);

    // The same delivery again (GitHub's redelivery) is answered and not acted on twice.
    const again = await deliver(world.baseUrl, SECRET, 'pull_request_review', review, sent.id);
    expect(again.status).toBe(200);
    expect(await world.app.store.prRounds.forPull(PULL_URL)).toHaveLength(1);
    // A captured body replayed under a new delivery id (the header is not signed): recorded,
    // but its review is queued already, so it starts nothing.
    const replayed = await send('pull_request_review', review);
    expect(replayed.status).toBe(202);
    expect(await outcomeOf(replayed.id)).toBe('already queued');
    expect(await world.app.store.prRounds.forPull(PULL_URL)).toHaveLength(1);
  }, 120_000);

  it('a failing check: its log goes to the agent, the fix is pushed, a passing check starts nothing', async () => {
    const failingSha = await head();
    world.github.addCheckRun('acme/shop', {
      headSha: failingSha,
      name: 'lint',
      conclusion: 'failure',
      app: 'github-actions',
      output: { title: 'lint', summary: null, text: null },
      log: '2026-12-04T10:00:00.0000000Z > eslint .\n2026-12-04T10:00:01.0000000Z src/cart.ts:18:1 error  This line has a length of 91. Maximum allowed is 80  max-len\n2026-12-04T10:00:01.5000000Z ✖ 1 problem (1 error, 0 warnings)\n',
    });
    world.anthropic.reply(...LINT_ROUND_SCRIPT);
    const sent = await send(
      'check_run',
      checkRunCompleted(TARGET, {
        id: 501,
        name: 'lint',
        headSha: failingSha,
        conclusion: 'failure',
      }),
    );
    expect(await outcomeOf(sent.id)).toBe('started round 2');
    expect((await round(2)).status).toBe('succeeded');
    const bodies = world.anthropic.messageBodies().map((b) => JSON.stringify(b));
    expect(bodies.some((b) => b.includes('Maximum allowed is 80  max-len'))).toBe(true);
    expect(repo().filesAt(BRANCH)['src/cart.ts']).toContain('    (sum, item) => sum');
    const fixed = await head();
    expect((await repo().commit(fixed))?.parents).toEqual([failingSha]);
    await threadSays(`Round 2 done: pushed ${fixed.slice(0, 7)}`);

    const green = await send(
      'check_run',
      checkRunCompleted(TARGET, { id: 502, name: 'lint', headSha: fixed, conclusion: 'success' }),
    );
    expect(await outcomeOf(green.id)).toBe('ignored: a check run that ended success');
  }, 120_000);

  it('no round for someone without write access, for aidev itself or for another bot', async () => {
    const outcomes = [];
    for (const [id, by] of [
      [601, 'mallory'],
      [602, 'aidev-bot'],
      [603, 'ci-helper[bot]'],
    ] as const) {
      const sent = await send(
        'issue_comment',
        pullComment(TARGET, { id, by, body: '@aidev rewrite it all' }),
      );
      outcomes.push(await outcomeOf(sent.id));
    }
    expect(outcomes).toEqual([
      'ignored: mallory may not ask aidev for changes: their permission on acme/shop is read, and it takes write access',
      'ignored: written by aidev itself (aidev-bot)',
      'ignored: written by another bot (ci-helper[bot]), which is not in the allow-list',
    ]);
    expect(await world.app.store.prRounds.forPull(PULL_URL)).toHaveLength(2);
  }, 60_000);

  it('after the last round a person is asked, on the pull request and in the thread, once', async () => {
    const sent = await send(
      'issue_comment',
      pullComment(TARGET, { id: 604, by: 'alice', body: '@aidev also handle an empty cart' }),
    );
    expect(await outcomeOf(sent.id)).toBe(
      'queued, but the 2 rounds are used up: a person was asked',
    );
    const asked = repo().issueComments.filter((c) => c.body.includes('aidev has made 2 rounds'));
    expect(asked).toHaveLength(1);
    await threadSays('aidev has made 2 rounds of fixes on pull request #1');
    const more = await send(
      'issue_comment',
      pullComment(TARGET, { id: 605, by: 'alice', body: '@aidev and a second thing' }),
    );
    expect(await outcomeOf(more.id)).toBe(
      'queued, but the 2 rounds are used up: a person was asked before',
    );
    expect(
      repo().issueComments.filter((c) => c.body.includes('aidev has made 2 rounds')),
    ).toHaveLength(1);
    expect(await world.app.store.prRounds.forPull(PULL_URL)).toHaveLength(2);

    for (const server of [world.slack.http, world.github.http, world.anthropic.http])
      expect(server.violations).toEqual([]);
    for (const secret of SECRETS) expect(world.logLines.join('\n')).not.toContain(secret);
  }, 120_000);
});
