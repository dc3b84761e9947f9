import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/cli.js';

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'aidev-check-otel-'));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

const monitoringLine = (stdout: string) =>
  stdout.split('\n').find((line) => /^ {2}. monitoring /.test(line)) ?? '';
const check = (env: Record<string, string>) =>
  runInProcess(
    ['config', 'check'],
    { AIDEV_DATA_DIR: path.join(cwd, 'data'), AIDEV_SANDBOX: 'none', ...env },
    cwd,
  );

describe('aidev config check’s monitoring line', () => {
  it('says OTLP export is off without an endpoint', async () => {
    const result = await check({});
    expect(monitoringLine(result.stdout)).toMatch(
      /^ {2}· monitoring +OTLP export off \(set OTEL_EXPORTER_OTLP_ENDPOINT to send traces and metrics\); Prometheus metrics at \/metrics$/,
    );
  });

  it('names where traces and metrics go, and the headers by name only', async () => {
    const result = await check({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com:4318/',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=hc-secret-key-123,x-tenant=acme',
      OTEL_SERVICE_NAME: 'aidev-prod',
    });
    expect(monitoringLine(result.stdout)).toMatch(/^ {2}✓ monitoring +OTLP traces/);
    expect(monitoringLine(result.stdout)).toContain(
      'OTLP traces to https://otlp.example.com:4318/v1/traces (http/protobuf), metrics to https://otlp.example.com:4318/v1/metrics (http/json); sampler parentbased_always_on; service.name aidev-prod; headers set: x-honeycomb-team, x-tenant',
    );
    expect(result.stdout + result.stderr).not.toContain('hc-secret-key-123');
  });

  it('refuses gRPC and malformed headers at start, naming the variable and never the value', async () => {
    const result = await check({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key-without-value-9876',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'config error: OTEL_EXPORTER_OTLP_PROTOCOL: expected one of http/protobuf, http/json (aidev exports OTLP over HTTP; grpc is not supported)',
    );
    expect(result.stderr).toContain(
      'config error: OTEL_EXPORTER_OTLP_HEADERS: expected comma-separated key=value pairs such as api-key=abc123',
    );
    expect(result.stderr).not.toContain('9876');
  });

  it('shows the sampler in effect, with its ratio', async () => {
    const result = await check({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(result.code).toBe(0);
    expect(monitoringLine(result.stdout)).toContain(
      'metrics to http://collector:4318/v1/metrics (http/protobuf); sampler parentbased_traceidratio 0.25; service.name aidev;',
    );
  });

  it('says export is off because of OTEL_SDK_DISABLED (any case), even with an endpoint', async () => {
    const result = await check({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SDK_DISABLED: 'TRUE',
    });
    expect(result.code).toBe(0);
    expect(monitoringLine(result.stdout)).toMatch(
      /^ {2}· monitoring +OTLP export off: OTEL_SDK_DISABLED=true \(no traces or metrics sent, whatever else is set\); Prometheus metrics at \/metrics$/,
    );
  });

  it('refuses an unknown sampler, a ratio out of range, and batch or timeout limits that contradict each other', async () => {
    const result = await check({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
      OTEL_BSP_SCHEDULE_DELAY: '-5',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '200',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_METRIC_EXPORT_TIMEOUT: '5000',
    });
    expect(result.code).toBe(1);
    for (const line of [
      'config error: OTEL_TRACES_SAMPLER: expected one of parentbased_always_on, parentbased_always_off, parentbased_traceidratio, always_on, always_off, traceidratio, found "jaeger_remote"',
      'config error: OTEL_TRACES_SAMPLER_ARG: expected a sampling probability from 0 to 1, such as 0.25, found "1.5"',
      'config error: OTEL_BSP_SCHEDULE_DELAY: expected milliseconds, a whole number from 0, found "-5"',
    ])
      expect(result.stderr).toContain(line);
    // Each alone is valid: what is wrong is one against the other (checked once all parse).
    const limits = await check({
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '200',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_METRIC_EXPORT_TIMEOUT: '5000',
    });
    expect(limits.code).toBe(1);
    expect(limits.stderr).toContain(
      'config error: OTEL_BSP_MAX_EXPORT_BATCH_SIZE: expected at most OTEL_BSP_MAX_QUEUE_SIZE (100), found 200',
    );
    expect(limits.stderr).toContain(
      'config error: OTEL_METRIC_EXPORT_TIMEOUT: expected at most OTEL_METRIC_EXPORT_INTERVAL (1000), found 5000',
    );
  });
});
