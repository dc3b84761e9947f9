import { hostname } from 'node:os';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Run } from '../../../src/store/repositories/runs.js';
import { describeEachBackend, resetTables, type TestDatabase } from '../../support/backends.js';
import type { JsonLineProcess } from '../../support/child-process.js';
import { waitForRun } from '../../support/engine-processes.js';
import { tracedWorkers, type TracedWorkers } from '../../support/traced-workers.js';

/**
 * OTEL_TRACES_SAMPLER=traceidratio across processes (#20): the run's trace is made (and its
 * sampling decided) by the process that creates it; the first `aidev worker` runs its steps up
 * to an approval and stops, the second runs the rest once approved, each deciding again from
 * the trace id alone. A run's spans, from every process, are all sent or none is; its metrics
 * are sent either way.
 */
const WORKFLOW = `name: sampled
steps:
  - name: before
    type: set
    set: { ready: true }
  - name: gate
    type: approval
    approvers: [U-lead]
    message: Go on?
  - name: after
    type: set
    set: { done: true }
`;

const sampled = (run: Run) => run.traceContext?.endsWith('-01') === true;
const traceIdOf = (run: Run) => run.traceContext?.split('-')[1] ?? '';

describeEachBackend('runs sampled by trace id across two workers', (database) => {
  let t: TestDatabase;
  let world: TracedWorkers;

  beforeAll(async () => {
    t = database();
    world = await tracedWorkers(
      t,
      { sampled: WORKFLOW },
      { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' },
    );
  }, 120_000);
  afterEach(() => world.killWorkers());
  afterAll(() => world.close());

  /** Stops a worker gracefully: what it still holds is sent before it says "stopped". */
  const stop = async (worker: JsonLineProcess) => {
    worker.child.kill('SIGTERM');
    await worker.next('stopped');
  };

  it('a run’s spans from both workers are all sent, or none is; its metrics always', async () => {
    await resetTables(t.db);
    const [first] = await world.start(1);
    // Runs until both a traced and an untraced one (the odds of 30 alike: 1 in 500 million).
    const runs: Run[] = [];
    while (runs.length < 30 && (!runs.some(sampled) || runs.every(sampled))) {
      const { run } = await world.engine.startRun({ workflow: 'sampled', trigger: 'api' });
      runs.push(run);
    }
    expect(runs.some(sampled) && !runs.every(sampled)).toBe(true);
    for (const run of runs) await waitForRun(t, run.id, ['waiting']);
    if (first === undefined) throw new Error('no worker');
    await stop(first);
    const [second] = await world.start(1);
    if (second === undefined) throw new Error('no worker');
    for (const run of runs) await world.engine.decide(run.id, { approve: true, by: 'U-lead' });
    for (const run of runs) {
      const done = await waitForRun(t, run.id, ['succeeded', 'failed', 'cancelled']);
      expect(done.status).toBe('succeeded');
    }
    await stop(second);
    const { receiver } = world;
    const traced = runs.filter(sampled);
    await receiver.waitFor(
      () => receiver.spans.filter((s) => s.name === 'run sampled').length === traced.length,
      'the root span of every traced run',
    );

    // Only the traced runs' trace ids; each whole, from both workers: its root, both steps.
    const [a, b] = [first, second].map((w) => `${hostname()}:${w.child.pid}`);
    const byTrace = new Map<string, Set<string>>();
    for (const span of receiver.spans) {
      const seen = byTrace.get(span.traceId) ?? new Set<string>();
      seen.add(`${String(span.resource['service.instance.id'])} ${span.name}`);
      byTrace.set(span.traceId, seen);
    }
    expect([...byTrace.keys()].sort()).toEqual(traced.map(traceIdOf).sort());
    for (const run of traced)
      expect([...(byTrace.get(traceIdOf(run)) ?? [])]).toEqual(
        expect.arrayContaining([`${a} step before`, `${b} step after`, `${b} run sampled`]),
      );
    // Every run measured, traced or not; steps measured by both workers.
    // (Cumulative: the last export of the worker that ended the runs counts them all.)
    const durations = receiver.metrics.filter((m) => m.name === 'aidev.run.duration');
    const counted = (durations.at(-1)?.points ?? []).reduce((n, p) => n + (p.count ?? 0), 0);
    expect(counted).toBe(runs.length);
    const steps = receiver.metrics.filter((m) => m.name === 'aidev.step.duration');
    expect(new Set(steps.map((m) => m.resource['service.instance.id']))).toEqual(new Set([a, b]));
  }, 180_000);
});
