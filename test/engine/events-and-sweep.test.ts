import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { RUN_JOB } from '../../src/engine/execution.js';
import { sweep } from '../../src/engine/run-control.js';
import { silentLogger } from '../../src/log/create-logger.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { startEngine, type EngineHarness } from '../support/engine-harness.js';

const TWO_STEPS =
  'name: two\nsteps:\n  - name: a\n    type: set\n    set: { x: 1 }\n  - name: b\n    type: set\n    set: { y: 2 }\n';

describeEachBackend('engine events and the sweep', (database) => {
  let h: EngineHarness;
  beforeEach(async () => {
    await resetTables(database().db);
    h = await startEngine(database());
    h.workflow('two', TWO_STEPS);
  });
  afterEach(async () => h.stop());

  it('publishes every event in order, and writes the same to the run log', async () => {
    const { run } = await h.engine.startRun({ workflow: 'two', trigger: 'api' });
    await h.waitFor(run.id, ['succeeded']);
    const publishedNow = () =>
      h.events
        .filter((e) => e.runId === run.id)
        .map((e) => `${e.type}${e.step === undefined ? '' : `:${e.step}`}`);
    // The run is stored as succeeded before its last event reaches the subscribers.
    await vi.waitFor(() => expect(publishedNow()).toContain('run.succeeded'), { timeout: 5_000 });
    const published = publishedNow();
    expect(published).toEqual([
      'run.started',
      'step.succeeded:a',
      'step.succeeded:b',
      'run.succeeded',
    ]);
    const logged = (await database().store.events.listForRun(run.id)).map(
      (e) => `${e.type}${e.stepName === null ? '' : `:${e.stepName}`}`,
    );
    expect(logged).toEqual(published);
  });

  it('is not slowed or broken by slow and failing subscribers', async () => {
    h.engine.events.subscribe(() => {
      throw new Error('subscriber bug');
    });
    // A subscriber that has not returned from a single event by the time the run succeeded:
    // the run did not wait for it (timing the run instead failed on a loaded machine).
    const pending: (() => void)[] = [];
    h.engine.events.subscribe(() => new Promise<void>((resolve) => pending.push(resolve)));
    const { run } = await h.engine.startRun({ workflow: 'two', trigger: 'api' });
    await h.waitFor(run.id, ['succeeded']);
    expect(pending.length).toBeGreaterThan(0);
    for (const release of pending) release();
  });

  it('re-queues a run whose job was lost', async () => {
    await h.stop();
    const { run } = await h.engine.startRun({ workflow: 'two', trigger: 'api' });
    await database().db.query('DELETE FROM agenda_jobs WHERE name = $1', [RUN_JOB]);
    await database().db.query(
      "UPDATE runs SET updated_at = now() - interval '10 minutes' WHERE id = $1",
      [run.id],
    );
    const control = {
      store: database().store,
      jobs: h.jobs,
      recorder: { record: async () => undefined } as never,
      logger: silentLogger(),
    };
    expect(await sweep(control, 60_000)).toEqual({ requeued: 1, overdue: 0 });
    expect(await sweep(control, 60_000)).toEqual({ requeued: 0, overdue: 0 });
    await h.jobs.start();
    await h.waitFor(run.id, ['succeeded']);
  });
});
