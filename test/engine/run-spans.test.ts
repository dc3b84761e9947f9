import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { createOtelMonitoring } from '../../src/adapters/opentelemetry/otel-monitoring.js';
import { envSchema } from '../../src/config/env-schema.js';
import { monitoringOf } from '../../src/config/otel-env.js';
import { StepError } from '../../src/engine/step-errors.js';
import { silentLogger } from '../../src/log/create-logger.js';
import type { Monitoring } from '../../src/plugins/interfaces/monitoring.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { startEngine, type EngineHarness } from '../support/engine-harness.js';
import { OtlpReceiver } from '../vendors/otlp/otlp-receiver.js';

const WORKFLOW = `name: two
steps:
  - name: branch
    plugin: version_control
    action: create_branch
    inputs: { repository: acme/api, branch: feature/x }
  - name: status
    plugin: task_management
    action: update_task_status
    inputs: { task_id: PROJ-1, status: In Review }
`;

describeEachBackend('the spans of a run (#20)', (database) => {
  let receiver: OtlpReceiver;
  let monitoring: Monitoring;
  const harnesses: EngineHarness[] = [];

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
  });
  beforeEach(async () => {
    await resetTables(database().db);
    receiver.reset();
    // JSON this time: the cross-process test sends protobuf.
    monitoring = createOtelMonitoring({
      settings: monitoringOf(
        envSchema.parse({
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        }),
      ),
      serviceVersion: 'test',
      instanceId: 'engine-test',
      logger: silentLogger(),
    });
  });
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.stop()));
    await monitoring.shutdown();
  });
  afterAll(() => receiver.close());

  it('a failed step is a failed span, and the run’s root span says the run failed', async () => {
    const h = await startEngine(database(), {}, { monitoring });
    harnesses.push(h);
    h.workflow('two', WORKFLOW);
    h.actions.on('task_management.update_task_status', () => {
      throw new StepError('no transition to "In Review"', { code: 'no_transition' });
    });
    const { run } = await h.engine.startRun({ workflow: 'two', trigger: 'api' });
    await h.waitFor(run.id, ['failed']);
    await monitoring.shutdown();
    const [, traceId, rootId] = (run.traceContext ?? '').split('-');
    const byName = new Map(receiver.spans.map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual(['run two', 'step branch', 'step status']);
    for (const span of receiver.spans) expect(span.traceId).toBe(traceId);
    expect(byName.get('step branch')).toMatchObject({
      parentSpanId: rootId,
      status: 0,
      attributes: {
        'aidev.step.outcome': 'succeeded',
        'aidev.step.kind': 'plugin_action',
        'aidev.action': 'version_control.create_branch',
        'aidev.run.id': run.id,
      },
    });
    expect(byName.get('step status')).toMatchObject({
      parentSpanId: rootId,
      status: 2,
      attributes: { 'aidev.step.outcome': 'failed' },
    });
    expect(byName.get('run two')).toMatchObject({
      spanId: rootId,
      status: 2,
      attributes: { 'aidev.run.outcome': 'failed', 'aidev.run.trigger': 'api' },
    });
    // The step's error text stays in the run log, not in the trace.
    expect(
      JSON.stringify(receiver.spans, (_k, v: unknown) => (typeof v === 'bigint' ? 0 : v)),
    ).not.toContain('no transition');
  });

  it('a run created while nothing was traced gets its trace from the worker that runs it', async () => {
    // A process without an OTLP endpoint creates the run, and runs no jobs.
    const untraced = await startEngine(database());
    harnesses.push(untraced);
    await untraced.jobs.stop();
    untraced.workflow('two', WORKFLOW);
    const { run } = await untraced.engine.startRun({ workflow: 'two', trigger: 'api' });
    expect(run.traceContext).toBeNull();

    const traced = await startEngine(database(), {}, { monitoring });
    harnesses.push(traced);
    traced.workflow('two', WORKFLOW);
    await traced.waitFor(run.id, ['succeeded']);
    await monitoring.shutdown();
    const adopted = (await database().store.runs.get(run.id))?.traceContext;
    expect(adopted).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [, traceId, rootId] = (adopted ?? '').split('-');
    expect(receiver.spans.map((s) => s.name).sort()).toEqual([
      'run two',
      'step branch',
      'step status',
    ]);
    for (const span of receiver.spans) expect(span.traceId).toBe(traceId);
    expect(receiver.spans.find((s) => s.name === 'run two')?.spanId).toBe(rootId);
  });
});
