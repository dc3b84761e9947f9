import { afterEach, beforeEach, expect, it } from 'vitest';
import { RUN_JOB } from '../../src/engine/execution.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { startEngine, type EngineHarness } from '../support/engine-harness.js';

async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const WORKFLOW = `name: one step
steps:
  - name: create_branch
    plugin: version_control
    action: create_branch
    inputs: { repository: acme/api, branch: feature/x }
`;

/**
 * A worker that picks a run up while the step is still claimed by another worker waits for that
 * claim to go stale. Stopped while waiting (a deploy), it hands the run back: the timer's own
 * "The operation was aborted" is the stop, not a failure of the step (found by the chaos run).
 */
describeEachBackend('a worker stopped while waiting to take a step over', (database) => {
  let h: EngineHarness;
  beforeEach(async () => {
    await resetTables(database().db);
    h = await startEngine(database(), { staleMs: 60_000, heartbeatMs: 50 });
  });
  afterEach(async () => h.stop());

  it('hands the run back instead of failing the step', async () => {
    const { store, db } = database();
    h.workflow('one', WORKFLOW);
    let entered: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (entered = resolve));
    h.actions.on('version_control.create_branch', (call) => {
      entered();
      return new Promise((_, reject) =>
        call.signal.addEventListener('abort', () => reject(call.signal.reason as Error)),
      );
    });
    const { run } = await h.engine.startRun({ workflow: 'one', trigger: 'api' });
    await running;
    // Another (live) worker holds the step now; this worker's next pick-up must wait for it.
    await db.query(
      `UPDATE run_steps SET worker = 'other-worker', heartbeat_at = now() WHERE run_id = $1`,
      [run.id],
    );
    await h.jobs.enqueue(RUN_JOB, { runId: run.id });
    await until(async () =>
      (await store.events.listForRun(run.id)).some((e) => e.type === 'run.resumed'),
    );
    await h.jobs.stop({ drainTimeoutMs: 0 });

    const events = await store.events.listForRun(run.id);
    expect(events.map((e) => e.type)).not.toContain('step.failed');
    const [step] = await store.steps.listForRun(run.id);
    expect(step).toMatchObject({ status: 'running', worker: 'other-worker', failures: 0 });
    expect((await store.runs.get(run.id))?.status).not.toBe('failed');
  });
});
