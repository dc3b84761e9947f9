import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCRIPT, LINT_ROUND_SCRIPT } from '../../scripts/demo-script.js';
import { backendAvailability } from '../support/backends.js';
import { noteHook, pipelineHook } from '../vendors/gitlab/webhook-payloads.js';
import { askForReview, submitReview } from '../vendors/gitlab/gitlab-state.js';
import { SECRETS, startGitLabWorld, type GitLabWorld } from './gitlab-world.js';
import { noteRoundScript } from './round-scripts.js';

const BRANCH = 'aidev/PROJ-1';
const DEVELOPER = 30;
const REPORTER = 20;
const counted = { published: 0, documented: 0, answers: 0, git: 0, worlds: 0 };

afterAll(() => {
  console.log(
    `GitLab rounds, ${counted.worlds} databases: ${counted.published + counted.documented} GitLab requests validated (${counted.published} against GitLab's published OpenAPI description, ${counted.documented} against the operations described from its REST docs), 0 invalid; ${counted.answers} answers validated against GitLab's entities, 0 invalid; ${counted.git} git smart-HTTP requests`,
  );
});

/**
 * The pull-request loop on GitLab, end to end on each database: implement-task opens a merge
 * request on the local GitLab; GitLab's webhook deliveries (a note on a line of the diff, a
 * failed pipeline, notes from people and bots who may not ask) come to /gitlab/webhooks; rounds
 * push commits on the same branch over git's smart HTTP, answer in the note's thread and ask
 * for review again.
 */
for (const database of ['postgresql', 'pglite'] as const) {
  const { available, reason } = backendAvailability(database);
  const title = `GitLab webhooks feed rounds [${database}${available ? '' : `: skipped, ${reason}`}]`;
  describe.skipIf(!available)(title, () => {
    let scratch: string;
    let world: GitLabWorld;
    let mrUrl: string;
    /** The merge request's head when it was opened: outdated after the first round. */
    let openedSha: string;

    beforeAll(async () => {
      scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-gitlab-rounds-'));
      world = await startGitLabWorld(scratch, {
        database,
        settings: 'pull_requests:\n  max_fix_rounds: 3\n',
      });
      const members = world.project().members;
      members.set(world.gitlab.addUser('alice').id, DEVELOPER);
      members.set(world.gitlab.addUser('mallory').id, REPORTER);
      mrUrl = `${world.gitlab.url}/acme/shop/-/merge_requests/1`;
    }, 90_000);
    afterAll(async () => {
      await world.stop();
      await rm(scratch, { recursive: true, force: true });
    });

    const repo = () => world.project().repository;
    const head = async () => (await repo().refSha(`heads/${BRANCH}`)) ?? '';
    const mr = () => {
      const found = world.project().mergeRequests.find((m) => m.iid === 1);
      if (found === undefined) throw new Error('no merge request !1');
      return found;
    };
    const outcomeOf = (id: string) =>
      world.until(`delivery ${id} acted on`, async () => {
        const delivery = await world.app.store.webhookDeliveries.get('gitlab', id);
        return delivery?.outcome ?? undefined;
      });
    const round = (number: number) =>
      world.until(`round ${number} ended`, async () => {
        const rounds = await world.app.store.prRounds.forPull(mrUrl);
        const found = rounds.find((r) => r.number === number);
        return found?.status === 'succeeded' || found?.status === 'failed' ? found : undefined;
      });
    const stepsOf = async (runId: string | null) =>
      JSON.stringify(
        (await world.app.store.steps.listForRun(runId ?? '')).map((s) => [
          s.stepName,
          s.status,
          s.error,
        ]),
      );

    it('opens the merge request with implement-task', async () => {
      world.anthropic.reply(...DEMO_SCRIPT);
      const { run } = await world.app.engine.startRun({
        workflow: 'implement-task',
        inputs: { task_key: 'PROJ-1', repository: 'acme/shop', channel: 'eng' },
        trigger: 'cli',
        userId: 'U-dev',
      });
      await world.until('the plan to wait for approval', async () =>
        (await world.app.store.runs.get(run.id))?.status === 'waiting' ? true : undefined,
      );
      await world.app.engine.decide(run.id, { approve: true, by: 'U-dev' });
      const done = await world.until('implement-task to end', async () => {
        const found = await world.app.store.runs.get(run.id);
        return found?.status === 'succeeded' || found?.status === 'failed' ? found : undefined;
      });
      expect(done.status, await stepsOf(run.id)).toBe('succeeded');
      expect(mr()).toMatchObject({ state: 'opened', sourceBranch: BRANCH });
      openedSha = await head();
      expect(await world.app.store.pullRequests.byUrl(mrUrl)).toMatchObject({ runId: run.id });
    }, 180_000);

    it('a note on a line from a Developer: one new commit on the branch, a reply in its thread, review asked again', async () => {
      const before = await head();
      // alice reviews the merge request (someone made her its reviewer in GitLab's page).
      const alice = world.gitlab.userByName('alice')?.id ?? 0;
      askForReview(mr(), [alice]);
      submitReview(mr(), alice, 'requested_changes');
      const noteId = world.gitlab.addDiffNote(world.project(), 1, {
        author: 'alice',
        body: `@${world.gitlab.tokenUser.username} a negative quantity gives a negative total: refuse it, and test it.`,
        path: 'src/cart.ts',
        line: 13,
        headSha: before,
      });
      const note = mr()
        .discussions.flatMap((d) => d.notes)
        .find((n) => n.id === noteId);
      world.anthropic.reply(...noteRoundScript('F1'));
      const pushesBefore = world.gitlab.gitRequests.filter(
        (r) => r.service === 'git-receive-pack' && r.method === 'POST',
      ).length;
      const sent = await world.deliver(
        'Note Hook',
        noteHook(world.gitlab.url, {
          id: noteId,
          iid: 1,
          by: 'alice',
          body: note?.body ?? '',
          line: { path: 'src/cart.ts', line: 13 },
        }),
      );
      expect(sent.status).toBe(202);
      expect(await outcomeOf(sent.id)).toBe('started round 1');
      const first = await round(1);
      expect(first.status, await stepsOf(first.runId)).toBe('succeeded');

      // One commit on top of what was there, pushed over git's smart HTTP: never a force push.
      const after = await head();
      expect((await repo().commit(after))?.parents).toEqual([before]);
      expect(
        world.gitlab.gitRequests.filter(
          (r) => r.service === 'git-receive-pack' && r.method === 'POST' && r.status === 200,
        ).length,
      ).toBe(pushesBefore + 1);
      const files = repo().filesAt(BRANCH);
      expect(files['src/cart.ts']).toContain('item.quantity < 0');
      expect(files['test/cart.test.ts']).toContain('a negative quantity is refused');
      // The answer in the note's own thread; the round's summary a note of its own.
      const thread = mr().discussions.find((d) => d.notes.some((n) => n.id === noteId));
      expect(thread?.notes.map((n) => [n.author.username, n.body])).toEqual([
        ['alice', note?.body],
        [world.gitlab.tokenUser.username, expect.stringContaining('RangeError')],
      ]);
      const summaries = mr()
        .discussions.filter((d) => d.individualNote)
        .flatMap((d) => d.notes.map((n) => n.body));
      expect(summaries).toEqual([
        expect.stringContaining(`**aidev, round 1 of 3**: pushed ${after}`),
      ]);
      // alice, who asked on a line and is a reviewer already, is asked for a new review.
      expect(mr().reviewerIds).toEqual([alice]);
      expect(mr().reviewRequests).toEqual([alice, alice]);
      expect(mr().reviewerStates.get(alice)?.state).toBe('unreviewed');

      // GitLab's retry of the same delivery is answered and not acted on twice.
      const again = await world.deliver(
        'Note Hook',
        noteHook(world.gitlab.url, { id: noteId, iid: 1, by: 'alice', body: note?.body ?? '' }),
        sent.id,
      );
      expect(again.status).toBe(200);
      expect(await world.app.store.prRounds.forPull(mrUrl)).toHaveLength(1);
    }, 120_000);

    it("a failed pipeline on the merge request's head: the job's trace goes to the agent, the fix is pushed", async () => {
      const failingSha = await head();
      world.gitlab.addStatus(world.project(), {
        sha: failingSha,
        name: 'lint',
        status: 'failed',
        allowFailure: false,
        description: null,
        job: {
          log: '$ npx eslint .\nsrc/cart.ts:18:1 error  This line has a length of 91. Maximum allowed is 80  max-len\n✖ 1 problem (1 error, 0 warnings)\nERROR: Job failed: exit code 1\n',
          failureReason: 'script_failure',
        },
      });
      world.anthropic.reply(...LINT_ROUND_SCRIPT);
      const sent = await world.deliver(
        'Pipeline Hook',
        pipelineHook(world.gitlab.url, { id: 77, sha: failingSha, status: 'failed', iid: 1 }),
      );
      expect(await outcomeOf(sent.id)).toBe('started round 2');
      const second = await round(2);
      expect(second.status, await stepsOf(second.runId)).toBe('succeeded');
      const bodies = world.anthropic.messageBodies().map((b) => JSON.stringify(b));
      expect(bodies.some((b) => b.includes('Maximum allowed is 80  max-len'))).toBe(true);
      expect(repo().filesAt(BRANCH)['src/cart.ts']).toContain('    (sum, item) => sum');
      const fixed = await head();
      expect((await repo().commit(fixed))?.parents).toEqual([failingSha]);

      // A pipeline that passed starts nothing.
      const green = await world.deliver(
        'Pipeline Hook',
        pipelineHook(world.gitlab.url, { id: 78, sha: fixed, status: 'success', iid: 1 }),
      );
      expect(await outcomeOf(green.id)).toBe('ignored: a pipeline success');
      // A failed pipeline of a commit that is no longer the merge request's head (GitLab sends
      // a pipeline's end late, or a pipeline of an older push ends last) starts nothing.
      const late = await world.deliver(
        'Pipeline Hook',
        pipelineHook(world.gitlab.url, { id: 76, sha: openedSha, status: 'failed', iid: 1 }),
      );
      expect(await outcomeOf(late.id)).toBe(
        `ignored: the check pipeline #76 failed on ${openedSha.slice(0, 7)}, which is no longer the head of pull request #1 (${fixed.slice(0, 7)} is)`,
      );
      expect(await world.app.store.prRounds.forPull(mrUrl)).toHaveLength(2);
    }, 120_000);

    it('no round for a Reporter, for aidev itself or for another bot', async () => {
      const bot = world.gitlab.tokenUser.username;
      const outcomes = [];
      for (const [id, by, isBot] of [
        [9001, 'mallory', false],
        [9002, bot, true],
        [9003, 'project_1_bot_0a1b2c', true],
      ] as const) {
        const sent = await world.deliver(
          'Note Hook',
          noteHook(world.gitlab.url, {
            id,
            iid: 1,
            by,
            body: `@${bot} rewrite it all`,
            bot: isBot,
          }),
        );
        outcomes.push(await outcomeOf(sent.id));
      }
      expect(outcomes).toEqual([
        'ignored: mallory may not ask aidev for changes: their permission on acme/shop is triage, and it takes write access',
        `ignored: written by aidev itself (${bot})`,
        'ignored: written by another bot (project_1_bot_0a1b2c), which is not in the allow-list',
      ]);
      expect(await world.app.store.prRounds.forPull(mrUrl)).toHaveLength(2);

      // Every request to GitLab was valid, and each was checked.
      expect(world.gitlab.http.violations).toEqual([]);
      expect(world.anthropic.violations).toEqual([]);
      const validated = world.gitlab.validated();
      expect(validated.other).toBe(0);
      expect(validated.published + validated.documented).toBe(world.gitlab.http.requests.length);
      counted.published += validated.published;
      counted.documented += validated.documented;
      counted.answers += validated.answers;
      counted.git += world.gitlab.gitRequests.length;
      counted.worlds += 1;
      for (const secret of SECRETS) expect(world.logLines.join('\n')).not.toContain(secret);
    }, 60_000);
  });
}
