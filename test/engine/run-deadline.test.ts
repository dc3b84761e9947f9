import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { sweep, type ControlDeps } from '../../src/engine/run-control.js';
import { effectiveDeadline } from '../../src/engine/run-deadline.js';
import { StepPauseError } from '../../src/engine/step-errors.js';
import { silentLogger } from '../../src/log/create-logger.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { startEngine, type EngineHarness } from '../support/engine-harness.js';

// A run timeout far shorter than the gate's: the shipped implement-task has 4h and 24h (#16).
const GATED = `name: gated
timeout: 3s
steps:
  - name: approve_plan
    type: approval
    message: Go?
    approvers: [U-lead]
    timeout: 1h
  - name: implement
    type: set
    set: { done: true }
`;

const COSTLY = `name: costly
timeout: 3s
steps:
  - name: think
    type: ai_action
    agent: planning
    inputs: { mode: plan, task: { key: SHOP-7, title: Round totals, description: Off by a cent. } }
`;

describeEachBackend(
  'the run timeout counts working time, not time waiting for people',
  (database) => {
    let h: EngineHarness;
    const control = (): ControlDeps => ({
      store: database().store,
      jobs: h.jobs,
      recorder: { record: async () => undefined } as never,
      logger: silentLogger(),
    });
    beforeEach(async () => {
      await resetTables(database().db);
      h = await startEngine(database());
      h.workflow('gated', GATED);
      h.workflow('costly', COSTLY);
    });
    afterEach(async () => h.stop());

    /** Until the clock is past `at` (the condition the test is about), polled. */
    async function until(at: Date | null): Promise<void> {
      if (at === null) throw new Error('the run has no deadline');
      while (Date.now() <= at.getTime() + 50) await sleep(25);
    }

    async function waitingAtGate() {
      const { run } = await h.engine.startRun({ workflow: 'gated', trigger: 'api' });
      return h.waitFor(run.id, ['waiting']);
    }

    it('approves after the run’s own timeout has passed: the run goes on and succeeds, its deadline moved on by the wait', async () => {
      const waiting = await waitingAtGate();
      const seenWaiting = Date.now();
      await until(waiting.deadlineAt);
      // The sweep leaves a run alone while people decide.
      expect(await sweep(control(), 60_000)).toEqual({ requeued: 0, overdue: 0 });
      expect((await database().store.runs.get(waiting.id))?.status).toBe('waiting');

      // What aidev run and the API show while it waits is the deadline it gets when it goes on.
      const shown = effectiveDeadline((await database().store.runs.get(waiting.id)) ?? waiting);
      const deciding = Date.now();
      expect(await h.engine.decide(waiting.id, { approve: true, by: 'U-lead' })).toEqual({
        outcome: 'decided',
        approved: true,
        step: 'approve_plan',
      });
      const done = await h.waitFor(waiting.id, ['succeeded', 'failed']);
      expect(done.error).toBeNull();
      expect(done.status).toBe('succeeded');
      const moved = (done.deadlineAt?.getTime() ?? 0) - (waiting.deadlineAt?.getTime() ?? 0);
      expect(moved).toBeGreaterThanOrEqual(deciding - seenWaiting);
      // The database keeps microseconds and a Date milliseconds: the stored deadline, moved there
      // by the exact wait, can read up to 1 ms before the one computed here from truncated times.
      expect(done.deadlineAt?.getTime()).toBeGreaterThanOrEqual((shown?.getTime() ?? Infinity) - 1);
      expect(done.waitedMs).toBeGreaterThanOrEqual(deciding - seenWaiting);
    });

    it('does not count a budget pause against the run’s timeout', async () => {
      h.agents.on('think', (_call, n) => {
        if (n === 1)
          throw new StepPauseError('the next call would exceed the run budget of $0.01', {
            waitingFor: 'budget',
            record: { scope: 'run', scope_id: 'r' },
          });
        return { plan: 'done' };
      });
      const { run } = await h.engine.startRun({ workflow: 'costly', trigger: 'api' });
      const paused = await h.waitFor(run.id, ['waiting']);
      expect(paused.waitingFor).toBe('budget');
      await until(paused.deadlineAt);
      expect(await sweep(control(), 60_000)).toEqual({ requeued: 0, overdue: 0 });

      expect(
        await h.engine.decidePause(run.id, { action: 'resume', by: 'U-admin', override: true }),
      ).toMatchObject({ outcome: 'resumed' });
      const done = await h.waitFor(run.id, ['succeeded', 'failed']);
      expect(done.error).toBeNull();
      expect(done.status).toBe('succeeded');
      expect((done.deadlineAt?.getTime() ?? 0) > (paused.deadlineAt?.getTime() ?? 0)).toBe(true);
    });

    it('refuses a decision once a cancel was asked for, saying so, and leaves the gate undecided', async () => {
      const waiting = await waitingAtGate();
      await h.stop(); // no worker finishes the cancel yet: the run is between the request and its end
      expect(await h.engine.cancel(waiting.id, 'U-dev')).toMatchObject({ outcome: 'cancelling' });

      const refused = await h.engine.decide(waiting.id, { approve: true, by: 'U-lead' });
      expect(refused).toMatchObject({ outcome: 'cannot_continue', code: 'cancel_requested' });
      expect(refused.outcome === 'cannot_continue' && refused.reason).toMatch(
        /^a cancel was requested at .+: the run is stopping$/,
      );
      const gate = (await database().store.steps.listForRun(waiting.id))[0];
      expect(gate).toMatchObject({ status: 'waiting', outputs: null });
      expect(h.events.some((e) => e.type === 'approval.decided')).toBe(false);

      await h.jobs.start();
      await h.waitFor(waiting.id, ['cancelled']);
    });

    it('refuses a decision on a run whose time ran out before it began to wait; the sweep ends it', async () => {
      const waiting = await waitingAtGate();
      // Its working time was used up before the gate opened (a step ending right at the deadline).
      await database().db.query(
        "UPDATE runs SET deadline_at = now() - interval '1 minute' WHERE id = $1",
        [waiting.id],
      );
      const refused = await h.engine.decide(waiting.id, { approve: true, by: 'U-lead' });
      expect(refused).toMatchObject({ outcome: 'cannot_continue', code: 'out_of_time' });
      expect(refused.outcome === 'cannot_continue' && refused.reason).toMatch(
        /^the run used up its time limit \(deadline .+\) before it began to wait: it is ending$/,
      );
      expect(await sweep(control(), 60_000)).toEqual({ requeued: 0, overdue: 1 });
      const failed = await h.waitFor(waiting.id, ['failed']);
      expect(failed.error).toMatchObject({ code: 'run_timeout' });
      expect(await h.engine.decide(waiting.id, { approve: true, by: 'U-lead' })).toMatchObject({
        outcome: 'cannot_continue',
        code: 'ended',
        status: 'failed',
      });
    });
  },
);
