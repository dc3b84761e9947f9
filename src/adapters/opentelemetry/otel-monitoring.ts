import { AsyncLocalStorage } from 'node:async_hooks';
import {
  createNoopMeter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Meter,
  type Span,
} from '@opentelemetry/api';
import { ExportResultCode, parseTraceParent, type ExportResult } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { MonitoringSettings, OtlpTarget } from '../../config/otel-env.js';
import type { Logger } from '../../log/create-logger.js';
import {
  MONITORING_METRICS,
  noMonitoring,
  type ActiveSpan,
  type Attributes,
  type AttributeValue,
  type Monitoring,
  type MonitoringMetric,
  type RunEnd,
  type SpanOptions,
} from '../../plugins/interfaces/monitoring.js';
import { metricExporter, spanExporter } from './exporters.js';
import { PinnedIds } from './pinned-ids.js';
import { RunSampler, runRootContext, sdkSampler } from './run-sampler.js';
import { SpanMetrics } from './span-metrics.js';

export interface OtelMonitoringOptions {
  readonly settings: MonitoringSettings;
  readonly serviceVersion: string;
  /** This process among aidev's (its worker name): `service.instance.id`. */
  readonly instanceId: string;
  readonly logger: Logger;
}

/** The OpenTelemetry monitoring, or none when no OTLP target is configured. */
export function createOtelMonitoring(options: OtelMonitoringOptions): Monitoring {
  const { traces, metrics, disabled } = options.settings;
  if (disabled) return { ...noMonitoring, ...OFF_BY_OTEL_SDK_DISABLED };
  if (traces === undefined && metrics === undefined) return noMonitoring;
  return new OtelMonitoring(options);
}

/**
 * Monitoring over the OpenTelemetry JS SDK, exported over OTLP/HTTP. Its providers are its
 * own, not the process-wide globals: nothing else in the process (the vendor SDKs, which have
 * their own OpenTelemetry hooks) reports into them, and two apps in one process stay apart.
 * The span in progress is kept in this instance's own async storage for the same reason.
 */
class OtelMonitoring implements Monitoring {
  readonly destination: string;
  readonly tracing: boolean;
  private readonly ids = new PinnedIds();
  private readonly sampler: RunSampler;
  private readonly tracerProvider: TracerProvider | undefined;
  private readonly meterProvider: MeterProvider | undefined;
  private readonly current = new AsyncLocalStorage<Context>();
  private readonly meter: Meter;
  private readonly spanMetrics: SpanMetrics;
  private readonly failing = new Map<string, string>();
  /** Spans under way: ended, marked interrupted, at shutdown (unended spans are never sent). */
  private readonly open = new Set<Span>();
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: OtelMonitoringOptions) {
    const { traces, metrics, headers, timeoutMs, serviceName, resourceAttributes, batch } =
      options.settings;
    const common = { headers, timeoutMs };
    // OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES (the spec's order).
    const resource = defaultResource().merge(
      resourceFromAttributes({
        'service.version': options.serviceVersion,
        'service.instance.id': options.instanceId,
        ...resourceAttributes,
        'service.name': serviceName,
      }),
    );
    this.destination = describeTargets(traces, metrics);
    this.tracing = traces !== undefined;
    this.sampler = new RunSampler(sdkSampler(options.settings.sampler));
    if (traces !== undefined)
      this.tracerProvider = new TracerProvider({
        resource,
        idGenerator: this.ids,
        sampler: this.sampler,
        spanProcessors: [
          new BatchSpanProcessor({
            exporter: spanExporter(traces, common, this.observer('traces')),
            scheduledDelayMillis: batch.scheduleDelayMs,
            exportTimeoutMillis: batch.exportTimeoutMs,
            maxQueueSize: batch.maxQueueSize,
            maxExportBatchSize: batch.maxExportBatchSize,
          }),
        ],
      });
    if (metrics !== undefined)
      this.meterProvider = new MeterProvider({
        resource,
        readers: [
          new PeriodicExportingMetricReader({
            exporter: metricExporter(metrics, common, this.observer('metrics')),
            exportIntervalMillis: options.settings.metricIntervalMs,
            exportTimeoutMillis: options.settings.metricTimeoutMs,
          }),
        ],
      });
    this.meter = this.meterProvider?.getMeter('aidev', options.serviceVersion) ?? createNoopMeter();
    this.spanMetrics = new SpanMetrics(this.meter);
  }

  private get tracer() {
    return this.tracerProvider?.getTracer('aidev', this.options.serviceVersion);
  }

  /** Export failures are logged once when they start and once when they stop. */
  private observer(signal: 'traces' | 'metrics') {
    return (result: ExportResult) => {
      const was = this.failing.get(signal);
      if (result.code === ExportResultCode.SUCCESS) {
        this.failing.delete(signal);
        if (was !== undefined) this.options.logger.info(`OTLP ${signal} export works again`);
        return;
      }
      const why = result.error?.message ?? 'export failed';
      this.failing.set(signal, why);
      if (was === undefined)
        this.options.logger.warn(
          { signal },
          `OTLP ${signal} export failed (${why}); telemetry is dropped until it works again`,
        );
    };
  }

  status(): { ok: boolean; detail: string } {
    const failing = [...this.failing].map(([signal, why]) => `${signal} export failing: ${why}`);
    return {
      ok: failing.length === 0,
      detail: [this.destination, ...failing].join('; '),
    };
  }

  /**
   * The run's sampling decision is taken here, once, and kept in the sampled flag of the
   * traceparent stored with the run: every process continuing the run reads it from there.
   */
  newRunTrace(): string | undefined {
    if (this.tracerProvider === undefined) return undefined;
    const traceId = this.ids.generateTraceId();
    const sampled = this.sampler.decideNewRun(traceId);
    const flags = (sampled ? TraceFlags.SAMPLED : TraceFlags.NONE).toString(16).padStart(2, '0');
    return `00-${traceId}-${this.ids.generateSpanId()}-${flags}`;
  }

  endRun(run: RunEnd): void {
    const attributes: Attributes = {
      'aidev.run.id': run.runId,
      'aidev.workflow': run.workflow,
      'aidev.run.trigger': run.trigger,
      'aidev.run.outcome': run.outcome,
    };
    const seconds = (Date.now() - run.createdAt.getTime()) / 1000;
    this.spanMetrics.record('run', seconds, attributes);
    const tracer = this.tracer;
    const parent = run.traceparent === undefined ? null : parseTraceParent(run.traceparent);
    if (tracer === undefined || parent === null) return;
    const span = this.ids.with(parent, () =>
      tracer.startSpan(
        `run ${run.workflow}`,
        { root: true, startTime: run.createdAt, attributes: clean(attributes) },
        runRootContext({ ...parent, isRemote: true }),
      ),
    );
    if (run.outcome !== 'succeeded') span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  async inSpan<T>(options: SpanOptions, fn: (span: ActiveSpan) => Promise<T>): Promise<T> {
    const parent = contextOf(options.traceparent) ?? this.current.getStore() ?? ROOT_CONTEXT;
    // Steps and tool calls happen in aidev; vendor and model calls are calls out of it.
    const kind =
      options.kind === 'step' || options.kind === 'tool_call' ? SpanKind.INTERNAL : SpanKind.CLIENT;
    const attributes: Record<string, AttributeValue> = clean(options.attributes ?? {});
    const span: Span | undefined = this.tracer?.startSpan(
      options.name,
      { kind, attributes },
      parent,
    );
    const active: ActiveSpan = {
      setAttributes: (more) => {
        Object.assign(attributes, clean(more));
        span?.setAttributes(clean(more));
      },
      addEvent: (name, more) => span?.addEvent(name, clean(more ?? {})),
      fail: (reason) => span?.setStatus({ code: SpanStatusCode.ERROR, message: reason }),
    };
    const started = performance.now();
    if (span !== undefined) this.open.add(span);
    const inside = span === undefined ? parent : trace.setSpan(parent, span);
    try {
      return await this.current.run(inside, () => fn(active));
    } catch (error) {
      // The error's kind, never its message: messages can quote what a vendor or model said.
      active.setAttributes({ 'error.type': errorType(error) });
      span?.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      if (span !== undefined) this.open.delete(span);
      span?.end();
      this.spanMetrics.record(options.kind, (performance.now() - started) / 1000, attributes);
    }
  }

  count(metric: MonitoringMetric, value: number, attributes: Attributes = {}): void {
    this.spanMetrics.count(metric, MONITORING_METRICS[metric], value, attributes);
  }

  shutdown(): Promise<void> {
    // What is still under way when the process stops (a step handed over, its model call cut
    // short) is sent as it stands, so that its children are not left without a parent.
    for (const span of this.open) {
      span.setAttribute('aidev.interrupted', true);
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the process stopped' });
      span.end();
    }
    this.open.clear();
    this.stopped ??= Promise.allSettled([
      this.tracerProvider?.shutdown(),
      this.meterProvider?.shutdown(),
    ]).then((results) => {
      for (const result of results)
        if (result.status === 'rejected')
          this.options.logger.warn({ err: result.reason }, 'could not flush telemetry at stop');
    });
    return this.stopped;
  }
}

/** What says monitoring is off when OTEL_SDK_DISABLED=true: `/ready` and logs say why. */
const OFF_BY_OTEL_SDK_DISABLED = {
  destination: 'off: OTEL_SDK_DISABLED=true',
  status: () => ({ ok: true, detail: 'off: OTEL_SDK_DISABLED=true (Prometheus /metrics only)' }),
};

function describeTargets(traces?: OtlpTarget, metrics?: OtlpTarget): string {
  const part = (signal: string, target?: OtlpTarget) =>
    target === undefined ? `no ${signal}` : `${signal} to ${target.url} (${target.protocol})`;
  return `OTLP: ${part('traces', traces)}, ${part('metrics', metrics)}`;
}

/** The context of a run's trace from its traceparent (undefined: none, or not one). */
function contextOf(traceparent: string | undefined): Context | undefined {
  if (traceparent === undefined) return undefined;
  const parsed = parseTraceParent(traceparent);
  if (parsed === null) return undefined;
  return trace.setSpanContext(ROOT_CONTEXT, { ...parsed, isRemote: true });
}

function clean(attributes: Attributes): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}

/** An error's kind: its code (`rate_limited`, `step_timeout`), else its class's name. */
function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return error instanceof Error ? error.name : 'unknown';
}
