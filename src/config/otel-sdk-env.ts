import { z } from 'zod';
import type { Problem } from '../errors/problem.js';
import { envRegistry } from './env-registry.js';
import { oneOf } from './values.js';

/**
 * The OpenTelemetry SDK settings of OpenTelemetry's "Environment Variable Specification" that
 * aidev passes to the SDK itself: the sampler, the batch span processor, the metric reader's
 * timeout. The JS SDK (2.x) reads none of them from the environment (only its `sdk-node`
 * bundle does, which aidev does not use), so they are checked here like every other setting.
 */

export const SAMPLERS = [
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'always_on',
  'always_off',
  'traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** The sampler in effect; `ratio` only matters to the traceidratio ones. */
export interface SamplerSettings {
  readonly name: SamplerName;
  readonly ratio: number;
}

/** The batch span processor's settings, in milliseconds and spans. */
export interface BatchSettings {
  readonly scheduleDelayMs: number;
  readonly exportTimeoutMs: number;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
}

/** What a timeout of 0 ("no limit", says the specification) becomes: the longest timer Node has. */
const NO_LIMIT_MS = 2 ** 31 - 1;

/** A whole number from `min` to 2³¹−1, the specification's integer range. */
function whole(min: 0 | 1, expected: string) {
  return z
    .string()
    .trim()
    .refine(
      (value) => /^\d{1,10}$/.test(value) && Number(value) >= min && Number(value) <= NO_LIMIT_MS,
      {
        error: `expected ${expected}`,
      },
    )
    .transform(Number);
}
const milliseconds = () => whole(0, 'milliseconds, a whole number from 0');
const timeout = () => whole(0, 'milliseconds, a whole number from 0 (0: no limit)');
const spans = () => whole(1, 'a number of spans, a whole number from 1');

const monitoring = (description: string, fallback?: string) => ({
  group: 'Monitoring' as const,
  description,
  ...(fallback === undefined ? {} : { default: fallback }),
});

export const otelSdkEnvShape = {
  OTEL_TRACES_SAMPLER: oneOf(SAMPLERS)
    .optional()
    .register(
      envRegistry,
      monitoring(
        `Which runs are traced: ${SAMPLERS.map((s) => `\`${s}\``).join(', ')}. The decision is taken once per run, when it is created, and kept in its trace context, so a run's spans are all sent or none is, whichever processes run its steps; the \`parentbased_*\` ones follow a stored decision even when a worker is configured otherwise.`,
        'parentbased_always_on',
      ),
    ),
  OTEL_TRACES_SAMPLER_ARG: z
    .string()
    .trim()
    .refine((value) => /^(\d+(\.\d*)?|\.\d+)$/.test(value) && Number(value) <= 1, {
      error: 'expected a sampling probability from 0 to 1, such as 0.25',
    })
    .transform(Number)
    .optional()
    .register(
      envRegistry,
      monitoring(
        'The share of runs traced by `traceidratio` and `parentbased_traceidratio`, from 0 to 1, decided on the trace id (the same in every process). Read only with `OTEL_TRACES_SAMPLER` set.',
        '1',
      ),
    ),
  OTEL_BSP_SCHEDULE_DELAY: milliseconds()
    .default(5_000)
    .register(envRegistry, monitoring('Milliseconds between two exports of spans.', '5000')),
  OTEL_BSP_EXPORT_TIMEOUT: timeout()
    .default(30_000)
    .register(
      envRegistry,
      monitoring('Milliseconds one export of spans may take (0: no limit).', '30000'),
    ),
  OTEL_BSP_MAX_QUEUE_SIZE: spans()
    .default(2_048)
    .register(
      envRegistry,
      monitoring('Spans kept waiting for export at most; more are dropped.', '2048'),
    ),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: spans()
    .default(512)
    .register(
      envRegistry,
      monitoring(
        'Spans sent in one export at most (no more than `OTEL_BSP_MAX_QUEUE_SIZE`).',
        '512',
      ),
    ),
  OTEL_METRIC_EXPORT_TIMEOUT: timeout()
    .optional()
    .register(
      envRegistry,
      monitoring(
        'Milliseconds one export of the metrics may take; no more than `OTEL_METRIC_EXPORT_INTERVAL` (0, or unset with a shorter interval: the interval).',
        '30000',
      ),
    ),
} as const;

interface SdkEnv {
  readonly OTEL_TRACES_SAMPLER?: SamplerName | undefined;
  readonly OTEL_TRACES_SAMPLER_ARG?: number | undefined;
  readonly OTEL_BSP_SCHEDULE_DELAY: number;
  readonly OTEL_BSP_EXPORT_TIMEOUT: number;
  readonly OTEL_BSP_MAX_QUEUE_SIZE: number;
  readonly OTEL_BSP_MAX_EXPORT_BATCH_SIZE: number;
  readonly OTEL_METRIC_EXPORT_INTERVAL: number;
  readonly OTEL_METRIC_EXPORT_TIMEOUT?: number | undefined;
}

/** The sampler: parent-based always-on unless set; the ratio 1 unless given (the specification's defaults). */
export function samplerOf(env: SdkEnv): SamplerSettings {
  return {
    name: env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
    // Only read with OTEL_TRACES_SAMPLER set, as the specification says.
    ratio: env.OTEL_TRACES_SAMPLER === undefined ? 1 : (env.OTEL_TRACES_SAMPLER_ARG ?? 1),
  };
}

export function batchOf(env: SdkEnv): BatchSettings {
  return {
    scheduleDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
    exportTimeoutMs: env.OTEL_BSP_EXPORT_TIMEOUT === 0 ? NO_LIMIT_MS : env.OTEL_BSP_EXPORT_TIMEOUT,
    maxQueueSize: env.OTEL_BSP_MAX_QUEUE_SIZE,
    maxExportBatchSize: env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
  };
}

/**
 * How long one export of the metrics may take. The SDK refuses a timeout longer than the
 * interval: unset (30 s) it is cut to the interval; "no limit" (0) is the interval.
 */
export function metricTimeoutOf(env: SdkEnv): number {
  const set = env.OTEL_METRIC_EXPORT_TIMEOUT;
  if (set === 0) return env.OTEL_METRIC_EXPORT_INTERVAL;
  return Math.min(set ?? 30_000, env.OTEL_METRIC_EXPORT_INTERVAL);
}

/** What no single variable can say wrong: the limits one variable sets on another. */
export function otelSdkProblems(env: SdkEnv): Problem[] {
  const problems: Problem[] = [];
  if (env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE > env.OTEL_BSP_MAX_QUEUE_SIZE)
    problems.push({
      path: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      message: `expected at most OTEL_BSP_MAX_QUEUE_SIZE (${env.OTEL_BSP_MAX_QUEUE_SIZE}), found ${env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE}`,
    });
  const metricTimeout = env.OTEL_METRIC_EXPORT_TIMEOUT ?? 0;
  if (metricTimeout > env.OTEL_METRIC_EXPORT_INTERVAL)
    problems.push({
      path: 'OTEL_METRIC_EXPORT_TIMEOUT',
      message: `expected at most OTEL_METRIC_EXPORT_INTERVAL (${env.OTEL_METRIC_EXPORT_INTERVAL}), found ${metricTimeout}`,
    });
  return problems;
}
