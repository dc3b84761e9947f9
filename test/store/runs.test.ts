import { beforeEach, expect, it } from 'vitest';
import type { NewRun } from '../../src/store/repositories/runs.js';
import { describeEachBackend, resetTables } from '../support/backends.js';

const base: NewRun = { workflowName: 'implement-task', workflowVersion: '1.0.0', trigger: 'slack' };

describeEachBackend('runs repository', (database) => {
  beforeEach(async () => resetTables(database().db));

  it('creates a queued run with its inputs and context', async () => {
    const { store } = database();
    const { run, created } = await store.runs.create({
      ...base,
      inputs: { task_key: 'PROJ-1', nested: { list: [1, 'two', null] } },
      channelId: 'C1',
      userId: 'U1',
      taskKey: 'PROJ-1',
    });
    expect(created).toBe(true);
    expect(run).toMatchObject({
      status: 'queued',
      channelId: 'C1',
      userId: 'U1',
      trigger: 'slack',
      startedAt: null,
    });
    expect(run.inputs).toEqual({ task_key: 'PROJ-1', nested: { list: [1, 'two', null] } });
    expect(await store.runs.get(run.id)).toEqual(run);
  });

  it('returns the existing run when the same idempotency key is used again', async () => {
    const { store } = database();
    const first = await store.runs.create({ ...base, idempotencyKey: 'slack:T1:trigger-123' });
    const second = await store.runs.create({
      ...base,
      idempotencyKey: 'slack:T1:trigger-123',
      inputs: { other: true },
    });
    expect(second.created).toBe(false);
    expect(second.run.id).toBe(first.run.id);
    expect((await store.runs.list()).items).toHaveLength(1);
  });

  it('returns null for unknown and malformed run ids instead of failing', async () => {
    const { store } = database();
    expect(await store.runs.get('00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await store.runs.get('not-a-uuid')).toBeNull();
    expect(await store.runs.transition('nope', 'running')).toBeNull();
  });

  it('stamps started_at once and finished_at on terminal statuses', async () => {
    const { store } = database();
    const { run } = await store.runs.create(base);
    const running = await store.runs.transition(run.id, 'running');
    expect(running?.startedAt).toBeInstanceOf(Date);
    const waiting = await store.runs.transition(run.id, 'waiting', { waitingFor: 'approval' });
    expect(waiting).toMatchObject({ status: 'waiting', waitingFor: 'approval', finishedAt: null });
    const resumed = await store.runs.transition(run.id, 'running');
    expect(resumed?.startedAt).toEqual(running?.startedAt);
    expect(resumed?.waitingFor).toBeNull();
    const failed = await store.runs.transition(run.id, 'failed', {
      error: { code: 'step_failed', step: 'plan' },
    });
    expect(failed?.finishedAt).toBeInstanceOf(Date);
    expect(failed?.error).toEqual({ code: 'step_failed', step: 'plan' });
  });

  it('changes nothing when the run is not in an allowed "from" status', async () => {
    const { store } = database();
    const { run } = await store.runs.create(base);
    await store.runs.transition(run.id, 'succeeded');
    expect(
      await store.runs.transition(run.id, 'running', { from: ['queued', 'waiting'] }),
    ).toBeNull();
    expect((await store.runs.get(run.id))?.status).toBe('succeeded');
  });

  it('records a cancel request only for unfinished runs', async () => {
    const { store } = database();
    const open = (await store.runs.create(base)).run;
    const done = (await store.runs.create(base)).run;
    await store.runs.transition(done.id, 'succeeded');
    expect((await store.runs.requestCancel(open.id))?.cancelRequestedAt).toBeInstanceOf(Date);
    expect(await store.runs.requestCancel(done.id)).toBeNull();
  });

  it('lists newest first with filters and pages through every run exactly once', async () => {
    const { store } = database();
    for (let i = 0; i < 7; i++) {
      const { run } = await store.runs.create({
        ...base,
        channelId: i % 2 === 0 ? 'C-even' : 'C-odd',
        userId: `U${i % 3}`,
      });
      if (i < 2) await store.runs.transition(run.id, 'failed');
    }
    expect((await store.runs.list({ channelId: 'C-even' })).items).toHaveLength(4);
    expect((await store.runs.list({ status: 'failed' })).items).toHaveLength(2);
    expect((await store.runs.list({ userId: 'U0', channelId: 'C-even' })).items).toHaveLength(2);
    expect((await store.runs.list({ workflowName: 'other' })).items).toHaveLength(0);

    // Rows created within one millisecond: the cursor must keep the database's microseconds.
    const { db } = database();
    await db.query(
      `UPDATE runs SET created_at = '2026-11-25T10:00:00.123Z'::timestamptz + (random() * interval '900 microseconds')`,
    );

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.runs.list({ limit: 3, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    const all = (await store.runs.list()).items;
    expect(seen).toEqual(all.map((r) => r.id));
  });

  it('refuses a cursor it did not issue with a clear message', async () => {
    const { store } = database();
    await expect(store.runs.list({ cursor: 'garbage' })).rejects.toThrow(
      'cursor: expected a cursor returned by a previous page',
    );
  });

  it('counts runs by status', async () => {
    const { store } = database();
    const a = (await store.runs.create(base)).run;
    await store.runs.create(base);
    await store.runs.transition(a.id, 'running');
    const counts = await store.runs.countByStatus();
    expect(counts).toMatchObject({ queued: 1, running: 1, succeeded: 0 });
  });
});
