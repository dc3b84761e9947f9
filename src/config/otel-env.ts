import { z } from 'zod';
import { envRegistry } from './env-registry.js';
import {
  batchOf,
  metricTimeoutOf,
  otelSdkEnvShape,
  samplerOf,
  type BatchSettings,
  type SamplerSettings,
} from './otel-sdk-env.js';
import { httpUrl, oneOf, text } from './values.js';

export {
  otelSdkProblems,
  SAMPLERS,
  type SamplerName,
  type SamplerSettings,
} from './otel-sdk-env.js';

/**
 * The OpenTelemetry SDK's own environment variables that aidev reads (#20), under their
 * standard names and meanings (OpenTelemetry's "Environment Variable Specification" and the
 * OTLP exporter's). They are checked at start like every other setting and passed to the SDK;
 * the OTLP exporters read the few left (OTEL_EXPORTER_OTLP_COMPRESSION, certificates) themselves.
 */

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

const protocol = () =>
  z
    .string()
    .trim()
    .refine((value) => (OTLP_PROTOCOLS as readonly string[]).includes(value), {
      error: `expected one of ${OTLP_PROTOCOLS.join(', ')} (aidev exports OTLP over HTTP; grpc is not supported)`,
    })
    .transform((value) => value as OtlpProtocol);

/**
 * A W3C Baggage-style list, `key1=value1,key2=value2`, values percent-encoded: the format of
 * OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES. Yields the decoded pairs.
 */
function keyValueList(example: string) {
  const expected = `expected comma-separated key=value pairs such as ${example}`;
  return z.string().transform((value, ctx) => {
    const pairs: Record<string, string> = {};
    for (const item of value.split(',')) {
      if (item.trim() === '') continue;
      const at = item.indexOf('=');
      const key = at > 0 ? item.slice(0, at).trim() : '';
      const decoded = at > 0 ? safeDecode(item.slice(at + 1).trim()) : undefined;
      if (key === '' || decoded === undefined) {
        // The text is not quoted: header values are credentials.
        ctx.issues.push({ code: 'custom', message: expected, input: '(not shown)' });
        return z.NEVER;
      }
      pairs[key] = decoded;
    }
    return pairs;
  });
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

const endpoint = (what: string) =>
  httpUrl('http://localhost:4318').optional().register(envRegistry, {
    group: 'Monitoring',
    description: what,
  });

export const otelEnvShape = {
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint(
    'Where to send traces and metrics over OTLP/HTTP (an OpenTelemetry Collector, Jaeger, Grafana…): `/v1/traces` and `/v1/metrics` are added. Unset (and no signal endpoint below): nothing is exported; Prometheus `/metrics` is served either way.',
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint(
    'The full URL for traces only (used as given), over `OTEL_EXPORTER_OTLP_ENDPOINT`.',
  ),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: endpoint(
    'The full URL for metrics only (used as given), over `OTEL_EXPORTER_OTLP_ENDPOINT`.',
  ),
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList('api-key=abc123').optional().register(envRegistry, {
    group: 'Monitoring',
    secret: true,
    description:
      'Headers sent with every export, `key=value` pairs separated by commas (values percent-encoded), e.g. an API key. Never printed.',
  }),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol()
    .default('http/protobuf')
    .register(envRegistry, {
      group: 'Monitoring',
      description: `OTLP encoding: ${OTLP_PROTOCOLS.join(' or ')}.`,
      default: 'http/protobuf',
    }),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol().optional().register(envRegistry, {
    group: 'Monitoring',
    description: 'OTLP encoding of traces, over `OTEL_EXPORTER_OTLP_PROTOCOL`.',
  }),
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: protocol().optional().register(envRegistry, {
    group: 'Monitoring',
    description: 'OTLP encoding of metrics, over `OTEL_EXPORTER_OTLP_PROTOCOL`.',
  }),
  OTEL_TRACES_EXPORTER: oneOf(['otlp', 'none']).default('otlp').register(envRegistry, {
    group: 'Monitoring',
    description: '`none` exports no traces even with an endpoint set.',
    default: 'otlp',
  }),
  OTEL_METRICS_EXPORTER: oneOf(['otlp', 'none']).default('otlp').register(envRegistry, {
    group: 'Monitoring',
    description: '`none` exports no metrics even with an endpoint set.',
    default: 'otlp',
  }),
  OTEL_SERVICE_NAME: text().optional().register(envRegistry, {
    group: 'Monitoring',
    description:
      'The `service.name` of aidev’s traces and metrics (over one in `OTEL_RESOURCE_ATTRIBUTES`).',
    default: 'aidev',
  }),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList('deployment.environment.name=prod')
    .optional()
    .register(envRegistry, {
      group: 'Monitoring',
      description:
        'More resource attributes, `key=value` pairs separated by commas, e.g. `deployment.environment.name=prod`.',
    }),
  OTEL_METRIC_EXPORT_INTERVAL: z
    .string()
    .trim()
    .regex(/^[1-9]\d{2,8}$/, { error: 'expected milliseconds, a whole number of at least 100' })
    .transform(Number)
    .default(60_000)
    .register(envRegistry, {
      group: 'Monitoring',
      description: 'Milliseconds between two exports of the metrics (and one more at stop).',
      default: '60000',
    }),
  OTEL_EXPORTER_OTLP_TIMEOUT: z
    .string()
    .trim()
    .regex(/^[1-9]\d{0,6}$/, { error: 'expected milliseconds, a whole number from 1' })
    .transform(Number)
    .default(10_000)
    .register(envRegistry, {
      group: 'Monitoring',
      description: 'Milliseconds one export may take, its retries included.',
      default: '10000',
    }),
  ...otelSdkEnvShape,
  OTEL_SDK_DISABLED: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(oneOf(['true', 'false']))
    .optional()
    .register(envRegistry, {
      group: 'Monitoring',
      description: '`true` turns all export off, whatever else is set (`config check` says so).',
      default: 'false',
    }),
} as const;

/** Where one signal (traces or metrics) goes. */
export interface OtlpTarget {
  readonly url: string;
  readonly protocol: OtlpProtocol;
}

/** The OTLP export as configured: nothing is exported for a signal without a target. */
export interface MonitoringSettings {
  /** OTEL_SDK_DISABLED=true: nothing is exported, whatever else is set. */
  readonly disabled: boolean;
  readonly traces: OtlpTarget | undefined;
  readonly metrics: OtlpTarget | undefined;
  /** Sent with every export; the values are credentials (never shown). */
  readonly headers: Readonly<Record<string, string>>;
  readonly serviceName: string;
  readonly metricIntervalMs: number;
  /** How long one export of the metrics may take (no more than the interval). */
  readonly metricTimeoutMs: number;
  /** Which runs' spans are sent: decided once per run, kept in its trace context. */
  readonly sampler: SamplerSettings;
  readonly batch: BatchSettings;
  /** How long one export may take, retries included. */
  readonly timeoutMs: number;
  readonly resourceAttributes: Readonly<Record<string, string>>;
}

type OtelEnv = z.output<z.ZodObject<typeof otelEnvShape>>;

/**
 * The export targets, as the OTLP exporter specification resolves them: a signal's own
 * endpoint is used as given; the common one gets `/v1/traces` or `/v1/metrics` appended.
 */
export function monitoringOf(env: OtelEnv): MonitoringSettings {
  const off = env.OTEL_SDK_DISABLED === 'true';
  const target = (
    exporter: 'otlp' | 'none',
    own: string | undefined,
    path: string,
    protocol: OtlpProtocol | undefined,
  ): OtlpTarget | undefined => {
    const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const url = own ?? (base === undefined ? undefined : `${base}/${path}`);
    if (off || exporter === 'none' || url === undefined) return undefined;
    return { url, protocol: protocol ?? env.OTEL_EXPORTER_OTLP_PROTOCOL };
  };
  return {
    disabled: off,
    traces: target(
      env.OTEL_TRACES_EXPORTER,
      env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
      'v1/traces',
      env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
    ),
    metrics: target(
      env.OTEL_METRICS_EXPORTER,
      env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
      'v1/metrics',
      env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL,
    ),
    headers: env.OTEL_EXPORTER_OTLP_HEADERS ?? {},
    serviceName: env.OTEL_SERVICE_NAME ?? env.OTEL_RESOURCE_ATTRIBUTES?.['service.name'] ?? 'aidev',
    metricIntervalMs: env.OTEL_METRIC_EXPORT_INTERVAL,
    metricTimeoutMs: metricTimeoutOf(env),
    sampler: samplerOf(env),
    batch: batchOf(env),
    timeoutMs: env.OTEL_EXPORTER_OTLP_TIMEOUT,
    resourceAttributes: env.OTEL_RESOURCE_ATTRIBUTES ?? {},
  };
}
