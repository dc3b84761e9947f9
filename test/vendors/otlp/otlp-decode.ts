import path from 'node:path';
import protobuf from 'protobufjs';

/**
 * OTLP export requests decoded with the official protobuf definitions (proto/, copied from
 * open-telemetry/opentelemetry-proto, see proto/SOURCE.md), from either encoding OTLP/HTTP
 * allows: binary protobuf, or the JSON mapping with OTLP's deviations (trace and span ids in
 * hex, enums as integers, 64-bit integers as strings). Anything that does not decode throws.
 */

const PROTO_DIR = path.join(import.meta.dirname, 'proto');

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
root.loadSync([
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
]);

export const SIGNALS = {
  traces: {
    request: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
    response: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
  },
  metrics: {
    request: root.lookupType(
      'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
    ),
    response: root.lookupType(
      'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
    ),
  },
} as const;
export type Signal = keyof typeof SIGNALS;

/** google.rpc.Status, the body of OTLP/HTTP error answers (its `details` left out). */
export const STATUS = new protobuf.Type('Status')
  .add(new protobuf.Field('code', 1, 'int32'))
  .add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(STATUS);

/** The proto3 JSON shape every decoded request is turned into (ids as lowercase hex). */
export type Decoded = Record<string, unknown>;

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

export function decodeProtobuf(signal: Signal, body: Buffer): Decoded {
  const type = SIGNALS[signal].request;
  const message = type.decode(body);
  return hexIds(
    type.toObject(message, { longs: String, enums: Number, bytes: Array, arrays: true }),
  ) as Decoded;
}

export function decodeJson(signal: Signal, body: Buffer): Decoded {
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('expected a JSON object');
  const type = SIGNALS[signal].request;
  // fromObject reads bytes as base64: OTLP/JSON ids are hex, so they are converted first.
  const message = type.fromObject(base64Ids(parsed) as Record<string, unknown>);
  return hexIds(
    type.toObject(message, { longs: String, enums: Number, bytes: Array, arrays: true }),
  ) as Decoded;
}

function base64Ids(value: unknown, key = ''): unknown {
  if (ID_FIELDS.has(key)) {
    if (value === '' || value === undefined) return value;
    const length = key === 'traceId' ? 32 : 16;
    if (typeof value !== 'string' || !new RegExp(`^[0-9a-fA-F]{${length}}$`).test(value))
      throw new Error(`${key}: expected ${length} hex digits, found ${JSON.stringify(value)}`);
    return Buffer.from(value, 'hex').toString('base64');
  }
  if (Array.isArray(value)) return value.map((item) => base64Ids(item));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, base64Ids(v, k)]));
  return value;
}

function hexIds(value: unknown, key = ''): unknown {
  if (ID_FIELDS.has(key) && Array.isArray(value))
    return Buffer.from(value as number[]).toString('hex');
  if (Array.isArray(value)) return value.map((item) => hexIds(item));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hexIds(v, k)]));
  return value;
}
