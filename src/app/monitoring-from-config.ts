import { createOtelMonitoring } from '../adapters/opentelemetry/otel-monitoring.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/create-logger.js';
import type { Monitoring } from '../plugins/interfaces/monitoring.js';
import { AIDEV_VERSION } from '../version.js';

/**
 * The monitoring the configuration asks for (#20): OpenTelemetry over OTLP/HTTP when an
 * OTEL_EXPORTER_OTLP_*ENDPOINT is set, else none (Prometheus `/metrics` is served either way).
 * Each process is one `service.instance.id`: its worker name.
 */
export function monitoringFor(config: Config, logger: Logger): Monitoring {
  return createOtelMonitoring({
    settings: config.monitoring,
    serviceVersion: AIDEV_VERSION,
    instanceId: config.jobs.workerName,
    logger: logger.child({ component: 'monitoring' }),
  });
}
