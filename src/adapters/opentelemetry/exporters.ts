import type { ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtlpTarget } from '../../config/otel-env.js';

/** What every export sends: the headers (credentials), and how long it may take. */
interface ExportOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}
/** Told how each export went (for `/ready`, and a warning when exports start failing). */
type Observer = (result: ExportResult) => void;

/**
 * The OTLP/HTTP span exporter for the target's encoding. The exporter reads what aidev does
 * not set from the environment itself (OTEL_EXPORTER_OTLP_COMPRESSION, certificates).
 */
export function spanExporter(
  target: OtlpTarget,
  common: ExportOptions,
  observe: Observer,
): SpanExporter {
  const options = {
    url: target.url,
    headers: { ...common.headers },
    timeoutMillis: common.timeoutMs,
  };
  const exporter =
    target.protocol === 'http/json'
      ? new JsonTraceExporter(options)
      : new ProtoTraceExporter(options);
  return {
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) =>
      exporter.export(spans, (result) => {
        observe(result);
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
}

/** The OTLP/HTTP metric exporter for the target's encoding (cumulative temporality). */
export function metricExporter(
  target: OtlpTarget,
  common: ExportOptions,
  observe: Observer,
): PushMetricExporter {
  const options = {
    url: target.url,
    headers: { ...common.headers },
    timeoutMillis: common.timeoutMs,
  };
  const exporter =
    target.protocol === 'http/json'
      ? new JsonMetricExporter(options)
      : new ProtoMetricExporter(options);
  return {
    export: (metrics: ResourceMetrics, done: (result: ExportResult) => void) =>
      exporter.export(metrics, (result) => {
        observe(result);
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
    selectAggregationTemporality: (kind) => exporter.selectAggregationTemporality(kind),
  };
}
