import { AppError } from '../errors/app-error.js';
import type { Logger } from '../log/create-logger.js';
import type { Database } from './database.js';
import { openEmbedded } from './embedded/open-embedded.js';
import { migrate, migrationStatus } from './migrate.js';
import { openPostgres } from './postgres/open-postgres.js';
import { createStore, type Store } from './store.js';

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; unset opens the embedded database in `dataDir`. */
  readonly url: string | undefined;
  readonly dataDir: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
}

export interface OpenStoreOptions extends OpenDatabaseOptions {
  /** `apply` pending migrations, or `require` none to be pending. */
  readonly migrations: 'apply' | 'require';
}

export function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const common = {
    poolSize: options.poolSize,
    connectTimeoutMs: options.connectTimeoutMs,
    logger: options.logger,
  };
  return options.url === undefined
    ? openEmbedded({ ...common, dataDir: options.dataDir })
    : openPostgres({ ...common, url: options.url });
}

/** Opens the database and makes sure its schema is current. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const db = await openDatabase(options);
  try {
    if (options.migrations === 'apply') {
      const applied = await migrate(db);
      if (applied.length > 0)
        options.logger.info(
          { migrations: applied },
          `applied ${applied.length} schema migration(s)`,
        );
    } else {
      const { pending } = await migrationStatus(db);
      if (pending.length > 0) {
        throw new AppError(
          'migrations_pending',
          `${db.describe()} needs ${pending.length} schema migration(s): ${pending.map((m) => m.id).join(', ')}`,
          { hint: 'run `aidev config check --migrate`, or set database.auto_migrate: true' },
        );
      }
    }
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return createStore(db);
}
