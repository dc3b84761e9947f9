import pg from 'pg';
import { AppError } from '../../errors/app-error.js';
import type { Logger } from '../../log/create-logger.js';
import {
  connectionError,
  DatabaseUnavailableError,
  describePostgresUrl,
} from '../connection-errors.js';
import { createDatabase, poolTypes, type Database } from '../database.js';

export interface OpenPostgresOptions {
  readonly url: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
}

/** Oldest server we accept: gen_random_uuid() is built in from 13. */
const MIN_SERVER_VERSION = 130000;

export async function openPostgres(options: OpenPostgresOptions): Promise<Database> {
  const target = describePostgresUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'aidev',
    types: poolTypes,
  });
  const db = createDatabase({
    kind: 'postgres',
    pool,
    logger: options.logger,
    describe: () => target,
  });
  try {
    const { rows } = await db.query<{ version: number }>(
      "SELECT current_setting('server_version_num')::int AS version",
    );
    const version = rows[0]?.version ?? 0;
    if (version < MIN_SERVER_VERSION) {
      throw new AppError(
        'database_incompatible',
        `${target} runs PostgreSQL ${Math.floor(version / 10000)}; aidev needs 13 or newer`,
      );
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    // A connection that fails at the first query never was: "cannot connect", not "lost".
    if (error instanceof AppError && !(error instanceof DatabaseUnavailableError)) throw error;
    throw connectionError(error, target, options.connectTimeoutMs);
  }
  return db;
}
