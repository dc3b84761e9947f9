import { describe, expect, it } from 'vitest';
import { envSchema, pickEnv } from '../../src/config/env-schema.js';
import { monitoringOf } from '../../src/config/otel-env.js';

const settingsOf = (env: Record<string, string>) => monitoringOf(envSchema.parse(pickEnv(env)));

/** The OTEL_* SDK settings as the specification defines them, before the SDK gets them. */
describe('OpenTelemetry SDK settings from the environment', () => {
  it('defaults: parent-based always on, the specification’s batch sizes and delays', () => {
    expect(settingsOf({})).toMatchObject({
      disabled: false,
      sampler: { name: 'parentbased_always_on', ratio: 1 },
      batch: {
        scheduleDelayMs: 5000,
        exportTimeoutMs: 30000,
        maxQueueSize: 2048,
        maxExportBatchSize: 512,
      },
      metricIntervalMs: 60000,
      metricTimeoutMs: 30000,
    });
  });

  it('reads OTEL_TRACES_SAMPLER_ARG only with OTEL_TRACES_SAMPLER set; the ratio defaults to 1', () => {
    expect(settingsOf({ OTEL_TRACES_SAMPLER_ARG: '0.1' }).sampler.ratio).toBe(1);
    expect(settingsOf({ OTEL_TRACES_SAMPLER: 'traceidratio' }).sampler.ratio).toBe(1);
    expect(
      settingsOf({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '.25' }).sampler,
    ).toEqual({ name: 'traceidratio', ratio: 0.25 });
  });

  it('timeouts of 0 mean no limit; a metric timeout is never longer than the interval', () => {
    const zero = settingsOf({ OTEL_BSP_EXPORT_TIMEOUT: '0', OTEL_METRIC_EXPORT_TIMEOUT: '0' });
    expect(zero.batch.exportTimeoutMs).toBe(2 ** 31 - 1);
    expect(zero.metricTimeoutMs).toBe(60000);
    expect(settingsOf({ OTEL_METRIC_EXPORT_INTERVAL: '1000' }).metricTimeoutMs).toBe(1000);
    expect(settingsOf({ OTEL_METRIC_EXPORT_TIMEOUT: '2500' }).metricTimeoutMs).toBe(2500);
  });

  it('OTEL_SDK_DISABLED is a boolean of any case; anything else is refused', () => {
    expect(
      settingsOf({ OTEL_SDK_DISABLED: 'True', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toMatchObject({
      disabled: true,
      traces: undefined,
      metrics: undefined,
    });
    expect(settingsOf({ OTEL_SDK_DISABLED: 'FALSE' }).disabled).toBe(false);
    expect(envSchema.safeParse({ OTEL_SDK_DISABLED: 'yes' }).success).toBe(false);
  });
});
