import type { Config } from '../config/config.js';
import type { Logger } from '../log/create-logger.js';
import type { OpenDatabaseOptions } from '../store/open-store.js';

/** Where the configuration says the database is, and how to reach it. */
export function databaseOptions(config: Config, logger: Logger): OpenDatabaseOptions {
  return {
    url: config.database.url,
    dataDir: config.dataDir,
    poolSize: config.database.poolSize,
    connectTimeoutMs: config.database.connectTimeoutMs,
    logger,
  };
}
