import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inToolCallSpan } from '../../../src/agents/tool-call-span.js';
import type { OtlpProtocol } from '../../../src/config/otel-env.js';
import type { Monitoring } from '../../../src/plugins/interfaces/monitoring.js';
import { capturingLogger } from '../../support/logger.js';
import { monitoringFrom } from '../../support/otel-monitoring.js';
import { OtlpReceiver } from '../../vendors/otlp/otlp-receiver.js';

describe('OpenTelemetry monitoring, exported to a local OTLP/HTTP receiver', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
  });
  beforeEach(() => receiver.reset());
  afterAll(() => receiver.close());

  async function oneRun(monitoring: Monitoring) {
    const traceparent = monitoring.newRunTrace();
    if (traceparent === undefined) throw new Error('no trace made');
    const createdAt = new Date(Date.now() - 1_000);
    await monitoring.inSpan(
      {
        kind: 'step',
        name: 'step implement',
        traceparent,
        attributes: { 'aidev.step.name': 'implement', 'aidev.workflow': 'wf' },
      },
      async (step) => {
        await monitoring.inSpan(
          {
            kind: 'model_call',
            name: 'chat claude-sonnet-4-5',
            attributes: { 'gen_ai.request.model': 'claude-sonnet-4-5' },
          },
          () =>
            monitoring.inSpan(
              {
                kind: 'vendor_call',
                name: 'anthropic messages.create',
                attributes: { 'aidev.vendor.service': 'anthropic' },
              },
              async () => 'answer',
            ),
        );
        monitoring.count('aidev.model.tokens', 120, {
          'gen_ai.request.model': 'claude-sonnet-4-5',
          'gen_ai.token.type': 'input',
          'aidev.run.id': 'not kept: too many values',
        });
        step.setAttributes({ 'aidev.step.outcome': 'succeeded' });
      },
    );
    monitoring.endRun({
      traceparent,
      runId: 'run-1',
      workflow: 'wf',
      trigger: 'api',
      outcome: 'succeeded',
      createdAt,
    });
    await monitoring.shutdown();
    return { traceparent, createdAt };
  }

  for (const protocol of ['http/protobuf', 'http/json'] as OtlpProtocol[])
    it(`sends a run's spans as one trace, the run's root span under the id its traceparent gave (${protocol})`, async () => {
      const monitoring = monitoringFrom({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr3t%2Fkey',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      });
      expect(monitoring.destination).toBe(
        `OTLP: traces to ${receiver.url}/v1/traces (${protocol}), metrics to ${receiver.url}/v1/metrics (${protocol})`,
      );
      const { traceparent, createdAt } = await oneRun(monitoring);
      const [, traceId, runSpanId] = traceparent.split('-');
      const byName = new Map(receiver.spans.map((s) => [s.name, s]));
      expect([...byName.keys()].sort()).toEqual([
        'anthropic messages.create',
        'chat claude-sonnet-4-5',
        'run wf',
        'step implement',
      ]);
      for (const span of receiver.spans) expect(span.traceId).toBe(traceId);
      const run = byName.get('run wf');
      expect(run).toMatchObject({ spanId: runSpanId, parentSpanId: '', kind: 1 });
      expect(run?.startNs).toBe(BigInt(createdAt.getTime()) * 1_000_000n);
      expect(byName.get('step implement')?.parentSpanId).toBe(runSpanId);
      expect(byName.get('chat claude-sonnet-4-5')?.parentSpanId).toBe(
        byName.get('step implement')?.spanId,
      );
      expect(byName.get('anthropic messages.create')).toMatchObject({
        parentSpanId: byName.get('chat claude-sonnet-4-5')?.spanId,
        kind: 3,
      });
      expect(run?.resource).toMatchObject({
        'service.name': 'aidev',
        'service.version': '9.9.9',
        'service.instance.id': 'host-a:1',
        'deployment.environment.name': 'test',
      });
      // Every request carried the header, to the right content type.
      const contentType = protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
      expect(receiver.requests.length).toBeGreaterThanOrEqual(2);
      for (const request of receiver.requests) {
        expect(request).toMatchObject({ status: 200, contentType });
        expect(request.headers['x-api-key']).toBe('s3cr3t/key');
      }
      const metric = (name: string) => receiver.metrics.find((m) => m.name === name);
      expect(metric('aidev.model.tokens')?.points).toEqual([
        {
          attributes: { 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.token.type': 'input' },
          value: 120,
        },
      ]);
      expect(metric('aidev.step.duration')).toMatchObject({ kind: 'histogram', unit: 's' });
      expect(metric('aidev.step.duration')?.points[0]).toMatchObject({
        attributes: { 'aidev.workflow': 'wf', 'aidev.step.outcome': 'succeeded' },
        count: 1,
      });
      expect(metric('aidev.run.duration')?.points[0]?.value).toBeGreaterThanOrEqual(1);
      expect(metric('aidev.vendor.call.duration')?.points[0]?.count).toBe(1);
    });

  it('sends an agent’s tool calls as execute_tool spans: how each ended, never its input or result', async () => {
    const monitoring = monitoringFrom({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
    });
    const outcomes = [
      { content: 'secret-file-text' },
      { content: 'Error: no such file: /etc/shadow', isError: true },
      { content: 'received', finish: { pr_title: 'Done' } },
    ];
    for (const [i, outcome] of outcomes.entries())
      await inToolCallSpan(monitoring, { name: i === 2 ? 'finish' : 'bash', id: `call_${i}` }, () =>
        Promise.resolve(outcome),
      );
    await monitoring.shutdown();
    const byCall = new Map(receiver.spans.map((s) => [s.attributes['gen_ai.tool.call.id'], s]));
    expect(byCall.get('call_0')).toMatchObject({
      name: 'execute_tool bash',
      status: 0,
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'aidev.tool.outcome': 'ok' },
    });
    expect(byCall.get('call_1')).toMatchObject({
      status: 2,
      attributes: { 'aidev.tool.outcome': 'error', 'error.type': 'tool_error' },
    });
    expect(byCall.get('call_2')).toMatchObject({
      name: 'execute_tool finish',
      attributes: { 'aidev.tool.outcome': 'finish' },
    });
    const sent = JSON.stringify(receiver.spans, (_k, v: unknown) =>
      typeof v === 'bigint' ? String(v) : v,
    );
    expect(sent).not.toContain('secret-file-text');
    expect(sent).not.toContain('/etc/shadow');
  });

  it('marks a span that throws failed with the error’s kind, never its message', async () => {
    const monitoring = monitoringFrom({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
    });
    expect(monitoring.destination).toBe(
      `OTLP: traces to ${receiver.url}/v1/traces (http/protobuf), no metrics`,
    );
    const failure = Object.assign(new Error('the prompt said: secret plan'), {
      code: 'rate_limited',
    });
    await expect(
      monitoring.inSpan({ kind: 'vendor_call', name: 'jira get issue' }, () =>
        Promise.reject(failure),
      ),
    ).rejects.toBe(failure);
    await monitoring.shutdown();
    expect(receiver.spans).toHaveLength(1);
    expect(receiver.spans[0]).toMatchObject({
      status: 2,
      attributes: { 'error.type': 'rate_limited' },
    });
    expect(
      JSON.stringify(receiver.spans, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    ).not.toContain('secret plan');
  });

  it('sends the spans still under way at stop, marked interrupted, with their children', async () => {
    const monitoring = monitoringFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    let release: () => void = () => undefined;
    const inner = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (entered = resolve));
    const step = monitoring.inSpan({ kind: 'step', name: 'step slow' }, async () => {
      await monitoring.inSpan({ kind: 'model_call', name: 'chat m' }, async () => undefined);
      entered();
      await inner;
    });
    await started;
    await monitoring.shutdown();
    release();
    await step;
    const slow = receiver.spans.find((s) => s.name === 'step slow');
    expect(slow).toMatchObject({ status: 2, attributes: { 'aidev.interrupted': true } });
    expect(receiver.spans.find((s) => s.name === 'chat m')?.parentSpanId).toBe(slow?.spanId);
  });

  it('with no endpoint, or OTEL_SDK_DISABLED=true, exports nothing and makes no trace', async () => {
    for (const env of [
      {},
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'true' },
    ]) {
      const monitoring = monitoringFrom(env);
      expect(monitoring.tracing).toBe(false);
      expect(monitoring.newRunTrace()).toBeUndefined();
      await expect(monitoring.inSpan({ kind: 'step', name: 'x' }, async () => 42)).resolves.toBe(
        42,
      );
      await monitoring.shutdown();
    }
    expect(receiver.requests).toEqual([]);
  });

  it('says when exports fail, naming the address and never the headers', async () => {
    const dead = await OtlpReceiver.start();
    await dead.close();
    const { logger, lines } = capturingLogger();
    const monitoring = monitoringFrom(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: dead.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20tok-123456789',
        OTEL_EXPORTER_OTLP_TIMEOUT: '300',
      },
      { logger },
    );
    await monitoring.inSpan({ kind: 'step', name: 'step a' }, async () => undefined);
    await monitoring.shutdown();
    const status = monitoring.status();
    expect(status.ok).toBe(false);
    expect(status.detail).toContain(`traces to ${dead.url}/v1/traces`);
    expect(status.detail).toMatch(/traces export failing/);
    const text = JSON.stringify(lines) + status.detail;
    expect(text).toMatch(/OTLP traces export failed/);
    expect(text).not.toContain('tok-123456789');
  });
});
