import { z } from 'zod';
import type { Decoded } from './otlp-decode.js';

/** What a test asserts on: a span with its resource, attributes as plain values. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** SpanKind: 1 internal, 2 server, 3 client… */
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Readonly<Record<string, Value>>;
  /** Status code: 0 unset, 1 ok, 2 error. */
  readonly status: number;
  readonly events: readonly string[];
  readonly resource: Readonly<Record<string, Value>>;
}

export interface ReceivedMetric {
  readonly name: string;
  readonly unit: string;
  readonly kind: 'sum' | 'histogram' | 'gauge';
  readonly points: readonly {
    readonly attributes: Readonly<Record<string, Value>>;
    /** A sum's or gauge's value; a histogram's sum. */
    readonly value: number;
    /** A histogram's count. */
    readonly count?: number;
  }[];
  readonly resource: Readonly<Record<string, Value>>;
}

type Value = string | number | boolean | readonly Value[];

const anyValue: z.ZodType<unknown> = z.lazy(() =>
  z.object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: z.string().optional(),
    doubleValue: z.number().optional(),
    arrayValue: z.object({ values: z.array(anyValue) }).optional(),
  }),
);
const keyValues = z.array(z.object({ key: z.string(), value: anyValue })).default([]);
const resource = z.object({ attributes: keyValues }).default({ attributes: [] });
const nanos = z.string().regex(/^\d+$/);

const span = z.object({
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  spanId: z.string().regex(/^[0-9a-f]{16}$/),
  parentSpanId: z
    .string()
    .regex(/^([0-9a-f]{16})?$/)
    .default(''),
  name: z.string().min(1),
  kind: z.number().int().min(0).max(5).default(0),
  startTimeUnixNano: nanos,
  endTimeUnixNano: nanos,
  attributes: keyValues,
  events: z.array(z.object({ name: z.string() })).default([]),
  status: z.object({ code: z.number().int().default(0) }).default({ code: 0 }),
});
const traces = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource,
        scopeSpans: z.array(z.object({ spans: z.array(span).default([]) })).default([]),
      }),
    )
    .default([]),
});

const point = z.object({
  attributes: keyValues,
  asDouble: z.number().optional(),
  asInt: z.string().optional(),
  count: z.string().optional(),
  sum: z.number().optional(),
});
const metric = z.object({
  name: z.string().min(1),
  unit: z.string().default(''),
  sum: z.object({ dataPoints: z.array(point).default([]) }).optional(),
  gauge: z.object({ dataPoints: z.array(point).default([]) }).optional(),
  histogram: z.object({ dataPoints: z.array(point).default([]) }).optional(),
});
const metrics = z.object({
  resourceMetrics: z
    .array(
      z.object({
        resource,
        scopeMetrics: z.array(z.object({ metrics: z.array(metric).default([]) })).default([]),
      }),
    )
    .default([]),
});

export function spansOf(decoded: Decoded): ReceivedSpan[] {
  return traces.parse(decoded).resourceSpans.flatMap((rs) => {
    const res = plain(rs.resource.attributes);
    return rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId,
        name: s.name,
        kind: s.kind,
        startNs: BigInt(s.startTimeUnixNano),
        endNs: BigInt(s.endTimeUnixNano),
        attributes: plain(s.attributes),
        status: s.status.code,
        events: s.events.map((e) => e.name),
        resource: res,
      })),
    );
  });
}

export function metricsOf(decoded: Decoded): ReceivedMetric[] {
  return metrics.parse(decoded).resourceMetrics.flatMap((rm) => {
    const res = plain(rm.resource.attributes);
    return rm.scopeMetrics.flatMap((sm) =>
      sm.metrics.map((m): ReceivedMetric => {
        const kind =
          m.histogram !== undefined ? 'histogram' : m.sum !== undefined ? 'sum' : 'gauge';
        const points = (m.histogram ?? m.sum ?? m.gauge)?.dataPoints ?? [];
        return {
          name: m.name,
          unit: m.unit,
          kind,
          points: points.map((p) => ({
            attributes: plain(p.attributes),
            value: p.sum ?? p.asDouble ?? Number(p.asInt ?? 0),
            ...(p.count === undefined ? {} : { count: Number(p.count) }),
          })),
          resource: res,
        };
      }),
    );
  });
}

function plain(list: readonly { key: string; value: unknown }[]): Record<string, Value> {
  return Object.fromEntries(list.map((kv) => [kv.key, valueOf(kv.value)]));
}

function valueOf(value: unknown): Value {
  const v = value as {
    stringValue?: string;
    boolValue?: boolean;
    intValue?: string;
    doubleValue?: number;
    arrayValue?: { values: unknown[] };
  };
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return v.arrayValue.values.map(valueOf);
  throw new Error('an attribute has no value');
}
