import { createOtelMonitoring } from '../../src/adapters/opentelemetry/otel-monitoring.js';
import { envSchema, pickEnv } from '../../src/config/env-schema.js';
import { monitoringOf } from '../../src/config/otel-env.js';
import type { Logger } from '../../src/log/create-logger.js';
import type { Monitoring } from '../../src/plugins/interfaces/monitoring.js';
import { capturingLogger } from './logger.js';

/** A process's monitoring from these OTEL_* variables, as aidev's configuration reads them. */
export function monitoringFrom(
  env: Record<string, string>,
  options: { instanceId?: string; logger?: Logger } = {},
): Monitoring {
  return createOtelMonitoring({
    settings: monitoringOf(envSchema.parse(pickEnv(env))),
    serviceVersion: '9.9.9',
    instanceId: options.instanceId ?? 'host-a:1',
    logger: options.logger ?? capturingLogger().logger,
  });
}
