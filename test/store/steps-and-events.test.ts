import { beforeEach, expect, it } from 'vitest';
import { describeEachBackend, resetTables } from '../support/backends.js';

/** A heartbeat this old counts as stale; a fresh one is never taken over. */
const STALE = () => new Date(Date.now() - 60_000);

describeEachBackend('run steps and run events', (database) => {
  let runId: string;

  beforeEach(async () => {
    await resetTables(database().db);
    const { run } = await database().store.runs.create({
      workflowName: 'implement-task',
      workflowVersion: '1',
      trigger: 'cli',
    });
    runId = run.id;
  });

  it('records a step once, with an idempotency key that is the same for every attempt', async () => {
    const { store } = database();
    const first = await store.steps.ensure({
      runId,
      stepName: 'create_branch',
      stepIndex: 1,
      kind: 'plugin_action',
    });
    const again = await store.steps.ensure({
      runId,
      stepName: 'create_branch',
      stepIndex: 1,
      kind: 'plugin_action',
    });
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({
      status: 'pending',
      attempt: 0,
      idempotencyKey: `${runId}:create_branch`,
    });

    const attempt1 = await store.steps.start(
      first.id,
      { branch: 'feature/x' },
      'worker-a',
      STALE(),
    );
    await store.steps.fail(first.id, { message: 'GitHub returned 502', retryable: true });
    const attempt2 = await store.steps.start(
      first.id,
      { branch: 'feature/x' },
      'worker-b',
      STALE(),
    );
    expect(attempt1?.attempt).toBe(1);
    expect(attempt2).toMatchObject({
      attempt: 2,
      worker: 'worker-b',
      error: null,
      status: 'running',
    });
    expect(attempt2?.idempotencyKey).toBe(first.idempotencyKey);
  });

  it('keeps inputs and outputs as JSON of any shape', async () => {
    const { store } = database();
    const step = await store.steps.ensure({
      runId,
      stepName: 'plan',
      stepIndex: 0,
      kind: 'ai_action',
    });
    await store.steps.start(step.id, ['a', 1, { deep: [true] }], 'w', STALE());
    const done = await store.steps.succeed(step.id, {
      plan: { steps: ['edit', 'test'] },
      cost: '0.0123',
    });
    expect(done).toMatchObject({
      status: 'succeeded',
      inputs: ['a', 1, { deep: [true] }],
      outputs: { plan: { steps: ['edit', 'test'] }, cost: '0.0123' },
    });
    expect(done?.finishedAt).toBeInstanceOf(Date);
  });

  it('lets a worker claim a running step only from a worker whose heartbeat stopped', async () => {
    const { store } = database();
    const step = await store.steps.ensure({
      runId,
      stepName: 'implement',
      stepIndex: 2,
      kind: 'ai_action',
    });
    await store.steps.start(step.id, {}, 'worker-a', STALE());
    expect(await store.steps.heartbeat(step.id, 'worker-a')).toEqual({
      held: true,
      cancelRequested: false,
    });
    expect(await store.steps.start(step.id, {}, 'worker-b', STALE())).toBeNull();
    const takenOver = await store.steps.start(
      step.id,
      {},
      'worker-b',
      new Date(Date.now() + 1_000),
    );
    expect(takenOver).toMatchObject({ worker: 'worker-b', attempt: 2 });
    expect(await store.steps.heartbeat(step.id, 'worker-a')).toEqual({
      held: false,
      cancelRequested: false,
    });
    await store.runs.requestCancel(runId);
    expect(await store.steps.heartbeat(step.id, 'worker-b')).toEqual({
      held: true,
      cancelRequested: true,
    });
  });

  it('records one decision on a waiting step and refuses a second', async () => {
    const { store } = database();
    const gate = await store.steps.ensure({
      runId,
      stepName: 'approve',
      stepIndex: 3,
      kind: 'approval',
    });
    expect(await store.steps.decide(gate.id, 'succeeded', { approved: true }, null)).toBeNull();
    await store.steps.wait(gate.id, { approvers: ['U1'], message: 'Plan' });
    const decided = await store.steps.decide(
      gate.id,
      'succeeded',
      { approved: true, decided_by: 'U1' },
      null,
    );
    expect(decided).toMatchObject({
      status: 'succeeded',
      inputs: { approvers: ['U1'], message: 'Plan' },
    });
    expect(
      await store.steps.decide(gate.id, 'failed', { approved: false }, { code: 'rejected' }),
    ).toBeNull();
  });

  it('finds running steps whose heartbeat stopped before a cutoff', async () => {
    const { store } = database();
    const step = await store.steps.ensure({
      runId,
      stepName: 'implement',
      stepIndex: 0,
      kind: 'ai_action',
    });
    await store.steps.start(step.id, {}, 'worker-a', STALE());
    expect(await store.steps.findStale(new Date(Date.now() - 60_000))).toHaveLength(0);
    const stale = await store.steps.findStale(new Date(Date.now() + 60_000));
    expect(stale.map((s) => s.id)).toEqual([step.id]);
  });

  it('skips with a reason, waits, cancels, and rolls back only succeeded steps', async () => {
    const { store } = database();
    const a = await store.steps.ensure({ runId, stepName: 'a', stepIndex: 0, kind: 'set' });
    const b = await store.steps.ensure({ runId, stepName: 'b', stepIndex: 1, kind: 'approval' });
    const c = await store.steps.ensure({
      runId,
      stepName: 'c',
      stepIndex: 2,
      kind: 'plugin_action',
    });
    expect(await store.steps.skip(a.id, 'when: task.type == "bug" was false')).toMatchObject({
      status: 'skipped',
      skipReason: 'when: task.type == "bug" was false',
    });
    expect((await store.steps.wait(b.id, {}))?.status).toBe('waiting');
    expect((await store.steps.cancel(b.id))?.status).toBe('cancelled');
    expect(await store.steps.markRolledBack(c.id)).toBeNull();
    await store.steps.start(c.id, {}, 'w', STALE());
    await store.steps.succeed(c.id, { url: 'https://example.test/pr/1' });
    expect((await store.steps.markRolledBack(c.id))?.status).toBe('rolled_back');
    expect((await store.steps.listForRun(runId)).map((s) => s.stepName)).toEqual(['a', 'b', 'c']);
  });

  it('appends run events and reads them back in order, continuing after an id', async () => {
    const { store } = database();
    const first = await store.events.append({ runId, type: 'run.started', message: 'Run started' });
    await store.events.append({
      runId,
      stepName: 'plan',
      type: 'step.completed',
      level: 'info',
      message: 'Plan ready',
      data: { tokens: 1234 },
    });
    await store.events.append({
      runId,
      type: 'run.failed',
      level: 'error',
      message: 'Tests failed',
    });
    const all = await store.events.listForRun(runId);
    expect(all.map((e) => e.type)).toEqual(['run.started', 'step.completed', 'run.failed']);
    expect(all[1]).toMatchObject({ stepName: 'plan', data: { tokens: 1234 } });
    expect(typeof first.id).toBe('number');
    const rest = await store.events.listForRun(runId, { afterId: first.id });
    expect(rest.map((e) => e.type)).toEqual(['step.completed', 'run.failed']);
    expect(await store.events.listForRun(runId, { afterId: first.id, limit: 1 })).toHaveLength(1);
  });

  it('deletes steps and events with their run', async () => {
    const { store, db } = database();
    await store.steps.ensure({ runId, stepName: 'x', stepIndex: 0, kind: 'set' });
    await store.events.append({ runId, type: 't', message: 'm' });
    await db.query('DELETE FROM runs WHERE id = $1', [runId]);
    expect(await store.steps.listForRun(runId)).toEqual([]);
    expect(await store.events.listForRun(runId)).toEqual([]);
  });
});
