import { constants as fsConstants, promises as fs } from 'node:fs';
import { AppError } from '../../errors/app-error.js';
import type { Logger } from '../../log/create-logger.js';
import { connectionError } from '../connection-errors.js';
import { createDatabase, poolTypes, type Database } from '../database.js';
import { EmbeddedCoordinator, type EmbeddedRole } from './embedded-coordinator.js';
import { createEmbeddedPool } from './embedded-pool.js';
import { DEFAULT_LOCK_TIMING, type LockTiming } from './instance-lock.js';

export interface OpenEmbeddedOptions {
  readonly dataDir: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
  readonly timing?: LockTiming;
  /** How long to wait for another process that is still starting the database. */
  readonly startupWaitMs?: number;
  /** How long a new connection waits for another process to take over from a departed owner. */
  readonly takeoverWaitMs?: number;
}

async function ensureDataDir(dataDir: string): Promise<void> {
  try {
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    await fs.access(dataDir, fsConstants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new AppError(
      'database_unreachable',
      `cannot use the data directory ${dataDir} (${reason})`,
      {
        cause: error,
        hint: 'set AIDEV_DATA_DIR to a directory this user can write, or set DATABASE_URL',
      },
    );
  }
}

export interface EmbeddedDatabase extends Database {
  readonly kind: 'embedded';
  role(): EmbeddedRole;
}

/**
 * Opens the embedded database in `dataDir`: serves it if no other process does, otherwise
 * connects to the process that serves it. Either way the returned pool speaks to it through
 * `pg`, exactly like PostgreSQL.
 */
export async function openEmbedded(options: OpenEmbeddedOptions): Promise<EmbeddedDatabase> {
  await ensureDataDir(options.dataDir);
  const coordinator = new EmbeddedCoordinator(
    options.dataDir,
    options.timing ?? DEFAULT_LOCK_TIMING,
    options.logger,
  );
  await coordinator.establish(options.startupWaitMs ?? 60_000);

  // Each new connection asks the coordinator where the database is served right now, so the
  // pool follows a takeover without being rebuilt.
  const pool = createEmbeddedPool(
    coordinator,
    {
      user: 'postgres',
      database: 'postgres',
      max: options.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs,
      idleTimeoutMillis: 10_000,
      types: poolTypes,
    },
    options.takeoverWaitMs ?? 15_000,
  );
  const db = createDatabase({
    kind: 'embedded',
    pool,
    logger: options.logger,
    describe: () => coordinator.describe(),
    onClose: () => coordinator.close(),
  });
  try {
    await db.query('SELECT 1');
  } catch (error) {
    await db.close().catch(() => undefined);
    throw connectionError(error, coordinator.describe(), options.connectTimeoutMs);
  }
  coordinator.startWatching();
  return { ...db, kind: 'embedded', role: () => coordinator.role() };
}
