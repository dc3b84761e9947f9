import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Monitoring } from '../../../src/plugins/interfaces/monitoring.js';
import { monitoringFrom } from '../../support/otel-monitoring.js';
import { OtlpReceiver } from '../../vendors/otlp/otlp-receiver.js';

/**
 * OTEL_TRACES_SAMPLER and OTEL_BSP_* as aidev passes them to the SDK (which reads neither from
 * the environment), each process a monitoring of its own exporting to a local OTLP receiver.
 */
describe('sampling and batching of spans, exported to a local OTLP/HTTP receiver', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
  });
  beforeEach(() => receiver.reset());
  afterAll(() => receiver.close());

  /** A process's monitoring, from these OTEL_* variables as the configuration reads them. */
  const processWith = (env: Record<string, string>, instanceId = 'host-a:1') =>
    monitoringFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env }, { instanceId });

  /** One step of a run (a model call in it) by this process, and the run's end if asked. */
  async function step(monitoring: Monitoring, traceparent: string, end = true) {
    await monitoring.inSpan({ kind: 'step', name: 'step implement', traceparent }, () =>
      monitoring.inSpan({ kind: 'model_call', name: 'chat m' }, async () => {
        monitoring.count('aidev.model.tokens', 7, { 'gen_ai.token.type': 'input' });
      }),
    );
    if (end)
      monitoring.endRun({
        traceparent,
        runId: 'run-1',
        workflow: 'wf',
        trigger: 'api',
        outcome: 'succeeded',
        createdAt: new Date(Date.now() - 100),
      });
  }
  const flag = (traceparent: string | undefined) => traceparent?.split('-')[3];
  const traceIdOf = (traceparent: string) => traceparent.split('-')[1];

  for (const env of [
    { OTEL_TRACES_SAMPLER: 'always_off' },
    { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
    { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
    { OTEL_TRACES_SAMPLER: 'parentbased_always_off' },
  ])
    it(`${JSON.stringify(env)}: a run's spans are not sent, its metrics are`, async () => {
      const monitoring = processWith(env);
      const traceparent = monitoring.newRunTrace() ?? '';
      expect(flag(traceparent)).toBe('00');
      await step(monitoring, traceparent);
      await monitoring.shutdown();
      expect(receiver.spans).toEqual([]);
      const names = new Set(receiver.metrics.map((m) => m.name));
      for (const name of ['aidev.step.duration', 'aidev.run.duration', 'aidev.model.tokens'])
        expect(names).toContain(name);
    });

  it('parent-based samplers follow the decision stored with the run, not their own for new runs', async () => {
    // Made by a process that traces no run: a worker tracing every new run continues it unsent.
    const untraced = processWith({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' });
    const dropped = untraced.newRunTrace() ?? '';
    await untraced.shutdown();
    const eager = processWith({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }, 'worker-1');
    await step(eager, dropped);
    await eager.shutdown();
    expect(receiver.spans).toEqual([]);

    // Made traced: workers that would trace no new run, or few, still send all of it (its root too).
    const traced = processWith({ OTEL_TRACES_SAMPLER: 'always_on' });
    const kept = traced.newRunTrace() ?? '';
    await traced.shutdown();
    expect(flag(kept)).toBe('01');
    const workers = [
      processWith({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }, 'worker-1'),
      processWith(
        { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
        'worker-2',
      ),
    ];
    await step(workers[0] as Monitoring, kept, false);
    await step(workers[1] as Monitoring, kept, true);
    await Promise.all(workers.map((w) => w.shutdown()));
    const spans = receiver.spans.map(
      (s) => `${String(s.resource['service.instance.id'])} ${s.name}`,
    );
    expect(spans.sort()).toEqual([
      'worker-1 chat m',
      'worker-1 step implement',
      'worker-2 chat m',
      'worker-2 run wf',
      'worker-2 step implement',
    ]);
    for (const span of receiver.spans) expect(span.traceId).toBe(traceIdOf(kept));
  });

  it('traceidratio: every process decides a run alike, from its trace id alone', async () => {
    const ratio = { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' };
    const controller = processWith(ratio, 'controller');
    const runs = Array.from({ length: 24 }, () => controller.newRunTrace() ?? '');
    await controller.shutdown();
    const traced = runs.filter((r) => flag(r) === '01').map(traceIdOf);
    // 24 runs at one half: both kinds (all alike would happen once in 8 million).
    expect(traced.length).toBeGreaterThan(0);
    expect(traced.length).toBeLessThan(runs.length);
    const [a, b] = [processWith(ratio, 'worker-a'), processWith(ratio, 'worker-b')];
    for (const run of runs) {
      await step(a, run, false);
      await step(b, run, true);
    }
    await Promise.all([a.shutdown(), b.shutdown()]);
    const byTrace = new Map<string, string[]>();
    for (const s of receiver.spans)
      byTrace.set(s.traceId, [
        ...(byTrace.get(s.traceId) ?? []),
        `${String(s.resource['service.instance.id'])} ${s.name}`,
      ]);
    expect([...byTrace.keys()].sort()).toEqual([...traced].sort());
    for (const names of byTrace.values())
      expect(names.sort()).toEqual([
        'worker-a chat m',
        'worker-a step implement',
        'worker-b chat m',
        'worker-b run wf',
        'worker-b step implement',
      ]);
  });

  it('OTEL_BSP_SCHEDULE_DELAY: spans are sent that soon, without waiting for the stop', async () => {
    const monitoring = processWith({ OTEL_BSP_SCHEDULE_DELAY: '50' });
    await monitoring.inSpan({ kind: 'step', name: 'step soon' }, async () => undefined);
    await receiver.waitFor(() => receiver.spans.length === 1, 'the span, before any stop');
    await monitoring.shutdown();
  });

  it('OTEL_BSP_MAX_EXPORT_BATCH_SIZE: a full batch is sent at once, however long the delay', async () => {
    const monitoring = processWith({
      OTEL_BSP_SCHEDULE_DELAY: '600000',
      OTEL_BSP_MAX_QUEUE_SIZE: '10',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2',
    });
    for (const name of ['step a', 'step b', 'step c'])
      await monitoring.inSpan({ kind: 'step', name }, async () => undefined);
    await receiver.waitFor(() => receiver.spans.length === 2, 'the first batch, before any stop');
    const batches = () => receiver.requests.filter((r) => r.path === '/v1/traces');
    expect(batches()).toHaveLength(1);
    await monitoring.shutdown();
    expect(receiver.spans.map((s) => s.name)).toEqual(['step a', 'step b', 'step c']);
    expect(batches()).toHaveLength(2);
  });

  it('OTEL_SDK_DISABLED=true: the monitoring that records nothing, saying why', async () => {
    const monitoring = processWith({ OTEL_SDK_DISABLED: 'true' });
    expect(monitoring.destination).toBe('off: OTEL_SDK_DISABLED=true');
    expect(monitoring.tracing).toBe(false);
    expect(monitoring.newRunTrace()).toBeUndefined();
    expect(monitoring.status()).toEqual({
      ok: true,
      detail: 'off: OTEL_SDK_DISABLED=true (Prometheus /metrics only)',
    });
    await monitoring.shutdown();
    expect(receiver.requests).toEqual([]);
  });
});
