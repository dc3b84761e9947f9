import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_APPROVE } from '../../blocks/plan-message.js';
import { ALICE, CHANNEL } from '../vendors-slack/slack-test-setup.js';
import {
  commentCreated as jiraComment,
  jiraUser,
  labelAdded,
} from '../vendors/jira/webhook-payloads.js';
import {
  ALICE as LINEAR_ALICE,
  commentCreated as linearComment,
  issueCreated as linearIssueCreated,
} from '../vendors/linear/webhook-payloads.js';
import {
  SECRETS,
  scriptTheModel,
  startSlackWorld,
  type SlackWorld,
} from '../slack/slack-harness.js';

const SECRET = 'webhook secret of the tracker journey';
/** A person on Jira, not aidev (the local Jira signs aidev in as the payloads' usual user). */
const JIRA_PERSON = '557058:alice';
/** aidev's own Linear user: the viewer of its API key, which aidev asks Linear for. */
const LINEAR_BOT = '0b7ac9f5-5d3e-4a1b-9c2d-00000000a1de';
const TASK = {
  title: 'Order total ignores item quantities',
  description: 'Two mugs cost as one. orderTotal in src/cart.ts must multiply by the quantity.',
};

type Json = Record<string, unknown>;

/** The id aidev recorded a delivery under (Jira's is derived from the signed body). */
let lastRecorded: string | undefined;

/** POSTs a delivery signed as its tracker signs it; returns the status. */
async function deliver(
  world: SlackWorld,
  tracker: 'jira' | 'linear',
  payload: Json,
  id: string = randomUUID(),
  secret = SECRET,
): Promise<number> {
  const body = JSON.stringify(payload);
  const mac = createHmac('sha256', secret).update(body).digest('hex');
  const headers: Record<string, string> =
    tracker === 'jira'
      ? { 'x-hub-signature': `sha256=${mac}`, 'x-atlassian-webhook-identifier': id }
      : { 'linear-signature': mac, 'linear-delivery': id, 'linear-event': String(payload.type) };
  const response = await fetch(`${world.baseUrl}/${tracker}/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const answer = (await response.json()) as { delivery?: string };
  lastRecorded = answer.delivery;
  return response.status;
}

/**
 * Work that starts in the tracker, on each database: a Jira label, or a Linear issue assigned
 * to aidev, starts the mapped channel's workflow as `/aidev implement` would — the plan with
 * Approve/Reject in that channel's thread, approved by its approver — and ends with the pull
 * request and the issue in review, the issue told of each step. Redeliveries start nothing;
 * forged deliveries are refused.
 */
describe.each([
  ['jira', 'postgresql'],
  ['jira', 'pglite'],
  ['linear', 'postgresql'],
  ['linear', 'pglite'],
] as const)('work started from %s [%s]', (tracker, database) => {
  let scratch: string;
  let world: SlackWorld;
  const key = tracker === 'jira' ? 'PROJ-1' : 'ENG-1';

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-tracker-'));
    world = await startSlackWorld(scratch, {
      database,
      tracker,
      trackerWebhookSecret: SECRET,
      // No bot_accounts: aidev learns its own account from the tracker (Linear's viewer).
    });
    // The local Linear's viewer is aidev's account: the one an issue is assigned to.
    if (world.linear !== undefined) Object.assign(world.linear.model.viewer, { id: LINEAR_BOT });
  }, 90_000);
  afterAll(async () => {
    await world.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  /** The delivery that asks aidev to do `key`: the label on Jira, the assignment on Linear. */
  function asked(): Json {
    if (tracker === 'jira') {
      const payload = labelAdded('aidev') as Json & { issue: Json & { fields: Json } };
      // A person labels it (the payloads' usual user is the local Jira's own: aidev's account).
      payload.user = jiraUser('Alice Martin', JIRA_PERSON);
      payload.issue.key = key;
      (payload.issue.fields.project as Json).key = 'PROJ';
      return payload;
    }
    const created = linearIssueCreated() as unknown as Json & { data: Json };
    return {
      ...created,
      action: 'update',
      data: { ...created.data, identifier: key, number: 1, assigneeId: LINEAR_BOT },
      updatedFrom: { assigneeId: null, updatedAt: new Date(Date.now() - 60_000).toISOString() },
    };
  }

  it('plans in the mapped channel, takes the approval there, opens the PR and moves the issue', async () => {
    if (tracker === 'jira') world.jira.givenIssue({ key, ...TASK, status: 'To Do' });
    else world.linear?.givenIssue({ key, ...TASK });
    // The channel's team takes the project's work: its tracker key, repository and approver.
    await world.app.store.channels.put(
      CHANNEL,
      {
        tracker_project: tracker === 'jira' ? 'PROJ' : 'ENG',
        repository: 'acme/shop',
        approvers: [ALICE],
      },
      { updatedBy: 'test' },
    );
    scriptTheModel(world);

    const id = randomUUID();
    const payload = asked();
    // A display name is text anyone can set: it must not mention or format in aidev's comment.
    const hostile = 'Alice [~accountid:557058:everyone] @here <b>';
    if (tracker === 'jira') (payload.user as Json).displayName = hostile;
    else (payload.actor as Json).name = hostile;
    expect(await deliver(world, tracker, payload, id)).toBe(tracker === 'jira' ? 202 : 200);
    const run = await world.waitForRun(
      (r) => r.taskKey === key && r.trigger === 'tracker',
      ['running', 'waiting', 'succeeded'],
    );
    const parent = await world.runMessage(key);
    const plan = await world.replyWithButton(parent.ts, PLAN_APPROVE);
    await world.requests.send(
      world.requests.buttonClick({ user: ALICE, message: plan, actionId: PLAN_APPROVE }),
    );
    const done = await world.waitForRun((r) => r.id === run.id, ['succeeded', 'failed'], 90_000);
    expect(done.status).toBe('succeeded');
    expect(world.github.repos.get('acme/shop')?.pulls.map((p) => p.title)).toEqual([
      `${key}: Charge each order line for its quantity`,
    ]);
    const comments =
      tracker === 'jira'
        ? (world.jira.issues.get(key)?.comments ?? []).map((c) => JSON.stringify(c))
        : (world.linear?.commentsOf(key) ?? []);
    expect(comments.join('\n')).toContain(`https://slack.com/app_redirect?channel=${CHANNEL}`);
    expect(comments.join('\n')).toContain('aidev opened a pull request for review');
    expect(comments.join('\n')).toContain('aidev is on it (Alice accountid557058everyone here b a');
    expect(comments.join('\n')).not.toMatch(/\[~accountid|@here|<b>/);
    const linear = world.linear;
    expect(
      tracker === 'jira'
        ? world.jira.issues.get(key)?.status
        : linear?.model.state(linear.model.issue(key)).name,
    ).toBe('In Review');

    // The same delivery again (a retry) is answered and starts nothing.
    expect(await deliver(world, tracker, payload, id)).toBe(200);
    const started = (await world.app.store.runs.list({ limit: 50 })).items.filter(
      (r) => r.trigger === 'tracker',
    );
    expect(started).toHaveLength(1);
  }, 180_000);

  /** A comment on the issue by `author` (an account and a name); what aidev made of it. */
  async function commentBy(author: { id: string; name: string }, commentId: string) {
    let payload: Json;
    if (tracker === 'jira') {
      payload = jiraComment('@aidev also handle an empty cart', commentId);
      (payload.comment as Json).author = { accountId: author.id, displayName: author.name };
      const issue = payload.issue as Json & { fields: Json };
      issue.key = key;
      (issue.fields.project as Json).key = 'PROJ';
    } else {
      payload = linearComment('@aidev also handle an empty cart');
      const data = payload.data as Json & { issue: Json };
      Object.assign(data, { id: randomUUID(), userId: author.id, user: { ...author } });
      data.issue.identifier = key;
    }
    await deliver(world, tracker, payload);
    const recordedAs = lastRecorded ?? '';
    return world.until('the comment acted on', async () => {
      const delivery = await world.app.store.webhookDeliveries.get(tracker, recordedAs);
      return delivery?.outcome ?? undefined;
    });
  }

  it('takes a later comment that mentions aidev as feedback on the pull request, from the person who started the work', async () => {
    // Anyone may comment on an issue; a round of changes is asked for by the run's starter.
    const mallory = await commentBy({ id: 'mallory-account', name: 'Mallory' }, '10776');
    expect(mallory).toMatch(/^ignored: Mallory may not ask for changes to run /);
    const told = await world.until('the answer on the issue', () => {
      const comments =
        tracker === 'jira'
          ? (world.jira.issues.get(key)?.comments ?? []).map((c) => JSON.stringify(c))
          : (world.linear?.commentsOf(key) ?? []);
      return comments.find((c) => c.includes('did not act on the comment of Mallory'));
    });
    expect(told).toContain('tracker_triggers.followup_accounts');
    // Alice labelled (Jira) or assigned (Linear) the issue: the run is hers to follow up.
    const alice =
      tracker === 'jira'
        ? { id: JIRA_PERSON, name: 'Alice Martin' }
        : { id: LINEAR_ALICE.id, name: LINEAR_ALICE.name };
    const outcome = await commentBy(alice, '10777');
    expect(outcome).toBe('round 1 of fixes started on pull request #1');
    const pull = (await world.app.store.runs.list({ limit: 50 })).items.find(
      (r) => r.taskKey === key && r.trigger === 'tracker',
    );
    const owned = await world.app.store.pullRequests.forRun(pull?.id ?? '');
    const [feedback] = await world.app.store.prRounds.ofRound(owned[0]?.url ?? '', 1);
    expect(feedback).toMatchObject({
      kind: 'comment',
      item: { body: '@aidev also handle an empty cart' },
    });
    // The round has no scripted answers: it ends (failed) before the next test scripts the model.
    const [round] = await world.app.store.prRounds.forPull(owned[0]?.url ?? '');
    await world.waitForRun((r) => r.id === round?.runId, ['succeeded', 'failed', 'cancelled']);
  }, 120_000);

  it('says on the issue when no channel takes its project, and starts nothing', async () => {
    const other = tracker === 'jira' ? 'OPS-3' : 'OPS-3';
    if (tracker === 'jira') world.jira.givenProject('OPS');
    if (tracker === 'jira') world.jira.givenIssue({ key: other, ...TASK, status: 'To Do' });
    else world.linear?.givenIssue({ key: other, ...TASK });
    const payload = asked();
    if (tracker === 'jira') {
      const issue = payload.issue as Json & { fields: Json };
      issue.key = other;
      (issue.fields.project as Json).key = 'OPS';
    } else {
      const data = payload.data as Json;
      data.identifier = other;
      data.team = { ...(data.team as Json), key: 'OPS' };
    }
    await deliver(world, tracker, payload);
    const comment = await world.until('the comment on the issue', () => {
      const said =
        tracker === 'jira'
          ? (world.jira.issues.get(other)?.comments ?? []).map((c) => JSON.stringify(c))
          : (world.linear?.commentsOf(other) ?? []);
      return said.find((c) => c.includes('no channel takes work from OPS'));
    });
    expect(comment).toContain('/aidev config set tracker_project=OPS');
    expect(world.logLines.join('\n')).toContain(
      'a tracker asked for work on a project no channel maps',
    );
    const runs = (await world.app.store.runs.list({ limit: 50 })).items;
    expect(runs.filter((r) => r.taskKey === other)).toEqual([]);
  }, 60_000);

  it('cancels a run whose plan waits when the label is removed (Jira) or aidev unassigned (Linear)', async () => {
    const next = tracker === 'jira' ? 'PROJ-2' : 'ENG-2';
    if (tracker === 'jira') world.jira.givenIssue({ key: next, ...TASK, status: 'To Do' });
    else world.linear?.givenIssue({ key: next, ...TASK });
    scriptTheModel(world);
    const start = asked();
    const undo = asked();
    if (tracker === 'jira') {
      for (const payload of [start, undo]) (payload.issue as Json).key = next;
      // Each change in Jira has a changelog of its own.
      (undo.changelog as Json).id = '10600';
      const item = ((undo.changelog as Json).items as Json[])[0] as Json;
      Object.assign(item, { fromString: 'aidev', toString: '' });
    } else {
      (start.data as Json).identifier = next;
      Object.assign(undo, {
        data: { ...(undo.data as Json), identifier: next, assigneeId: null },
        updatedFrom: { assigneeId: LINEAR_BOT, updatedAt: new Date().toISOString() },
      });
    }
    await deliver(world, tracker, start);
    const run = await world.waitForRun((r) => r.taskKey === next, ['waiting']);
    if (tracker === 'linear') {
      // Another label taken off (Linear names only the ids removed): not the one that asks
      // for aidev, so the run goes on.
      const otherLabel = {
        ...start,
        data: { ...(start.data as Json), labels: [], labelIds: [] },
        updatedFrom: { labelIds: ['b1c2d3e4-0000-4000-8000-00000000b0b0'] },
      };
      await deliver(world, tracker, otherLabel);
      const recordedAs = lastRecorded ?? '';
      const outcome = await world.until('the label removal acted on', async () => {
        const delivery = await world.app.store.webhookDeliveries.get(tracker, recordedAs);
        return delivery?.outcome ?? undefined;
      });
      expect(outcome).toBe(`ignored: the label removed from ${next} was not aidev`);
      expect((await world.app.store.runs.get(run.id))?.status).toBe('waiting');
    }
    await deliver(world, tracker, undo);
    const cancelled = await world.waitForRun((r) => r.id === run.id, ['cancelled']);
    expect(cancelled.status).toBe('cancelled');
    const said = await world.until('the comment on the issue', () => {
      const comments =
        tracker === 'jira'
          ? (world.jira.issues.get(next)?.comments ?? []).map((c) => JSON.stringify(c))
          : (world.linear?.commentsOf(next) ?? []);
      return comments.find((c) => c.includes('aidev stopped'));
    });
    expect(said).toContain('before the plan was approved');
  }, 120_000);

  it('refuses a forged delivery and records nothing', async () => {
    const before = await world.app.store.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM webhook_deliveries',
    );
    expect(await deliver(world, tracker, asked(), randomUUID(), 'not the secret')).toBe(401);
    const after = await world.app.store.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM webhook_deliveries',
    );
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    for (const server of [world.slack.http, world.github.http, world.jira.http])
      expect(server.violations).toEqual([]);
    expect(world.linear?.violations ?? []).toEqual([]);
    for (const secret of [...SECRETS, SECRET])
      expect(world.logLines.join('\n')).not.toContain(secret);
  });
});
