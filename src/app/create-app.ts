import type { Config } from '../config/config.js';
import { SETTINGS_DEFAULTS } from '../config/file-schema.js';
import { createAgendaJobQueue } from '../jobs/agenda-job-queue.js';
import type { JobDefinition, JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../log/create-logger.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { releaseExpiredReservationsJob, scheduleMaintenance } from './maintenance-jobs.js';
import { Releasers } from './releasers.js';

/** The wired application: what every front end (CLI, worker, server) works with. */
export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly jobs: JobQueue;
  /** Starts working on jobs in this process. */
  startWorker(): Promise<void>;
  /** Releases everything in reverse order of acquisition; safe to call more than once. */
  stop(): Promise<void>;
}

export interface CreateAppOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Extra job kinds (plugins, tests) next to the built-in ones. */
  readonly jobDefinitions?: readonly JobDefinition[];
}

/**
 * The composition root: config → store → jobs (→ plugins → engine → front ends, as they land).
 * Pure wiring with no process concerns: signals, exit codes and console output belong to bin/.
 */
export async function createApp(options: CreateAppOptions): Promise<App> {
  const { config, logger } = options;
  const releasers = new Releasers(logger);
  try {
    const store = await openStore({
      url: config.database.url,
      dataDir: config.dataDir,
      poolSize: config.database.poolSize,
      connectTimeoutMs: config.database.connectTimeoutMs,
      logger,
      migrations: config.database.autoMigrate ? 'apply' : 'require',
    });
    releasers.push('store', () => store.close());

    const jobs = createAgendaJobQueue({
      pool: store.db.pool,
      notifications: store.db.kind === 'postgres',
      lockLifetimeMs: config.jobs.lockLifetimeMs,
      pollIntervalMs:
        config.jobs.pollIntervalMs ?? SETTINGS_DEFAULTS.jobs.pollIntervalMs[store.db.kind],
      concurrency: config.jobs.concurrency,
      workerName: config.jobs.workerName,
      logger,
    });
    releasers.push('job queue', () => jobs.stop());
    jobs.define(releaseExpiredReservationsJob(store));
    for (const definition of options.jobDefinitions ?? []) jobs.define(definition);

    return {
      config,
      logger,
      store,
      jobs,
      async startWorker() {
        await scheduleMaintenance(jobs);
        await jobs.start();
      },
      stop: () => releasers.releaseAll(),
    };
  } catch (error) {
    await releasers.releaseAll();
    throw error;
  }
}
