import type { Config } from '../config/config.js';
import { SETTINGS_DEFAULTS } from '../config/file-schema.js';
import { createAgendaJobQueue } from '../jobs/agenda-job-queue.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../log/create-logger.js';
import type { Database } from '../store/database.js';

/** The job queue on `db`, with the configured locks, polling and concurrency. */
export function jobQueueFor(config: Config, db: Database, logger: Logger): JobQueue {
  return createAgendaJobQueue({
    pool: db.pool,
    notifications: db.kind === 'postgres',
    lockLifetimeMs: config.jobs.lockLifetimeMs,
    pollIntervalMs: config.jobs.pollIntervalMs ?? SETTINGS_DEFAULTS.jobs.pollIntervalMs[db.kind],
    concurrency: config.jobs.concurrency,
    drainTimeoutMs: config.jobs.drainTimeoutMs,
    workerName: config.jobs.workerName,
    logger,
  });
}
