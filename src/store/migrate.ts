import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { AppError } from '../errors/app-error.js';
import type { Database, Queryable } from './database.js';
import { packagePath } from '../package-root.js';

/**
 * Versioned SQL migrations: `src/store/migrations/NNNN_name.sql`, applied in order, each
 * recorded with a checksum so that an edited migration is caught instead of silently skipped.
 * All pending migrations run in one transaction under an advisory lock, so concurrent
 * processes starting at once apply them exactly once.
 */

export interface Migration {
  readonly id: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrationStatus {
  readonly applied: readonly string[];
  readonly pending: readonly Migration[];
}

const MIGRATIONS_DIR = packagePath('src', 'store', 'migrations');
const FILE_PATTERN = /^(\d{4}_[a-z0-9_]+)\.sql$/;
/** Arbitrary constant shared by every aidev process: the key of the migration advisory lock. */
const LOCK_KEY = 4_242_001;

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => {
      const match = FILE_PATTERN.exec(name);
      if (match?.[1] === undefined) {
        throw new AppError(
          'migration_failed',
          `migration file ${name} must be named NNNN_lowercase_name.sql`,
        );
      }
      const sql = readFileSync(`${dir}/${name}`, 'utf8');
      return { id: match[1], sql, checksum: checksum(sql) };
    });
}

function checksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS aidev_migrations (
  id text PRIMARY KEY,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export async function migrationStatus(
  db: Database,
  migrations = loadMigrations(),
): Promise<MigrationStatus> {
  const exists = await db.query<{ present: boolean }>(
    "SELECT to_regclass('aidev_migrations') IS NOT NULL AS present",
  );
  if (exists.rows[0]?.present !== true) return { applied: [], pending: migrations };
  return compare(await appliedMigrations(db), migrations);
}

/** Applies every pending migration; returns the ids it applied. */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.query(CREATE_TABLE);
    const { pending } = compare(await appliedMigrations(tx), migrations);
    for (const migration of pending) {
      try {
        await tx.query(migration.sql);
      } catch (error) {
        throw new AppError(
          'migration_failed',
          `migration ${migration.id} failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
      await tx.query('INSERT INTO aidev_migrations (id, checksum) VALUES ($1, $2)', [
        migration.id,
        migration.checksum,
      ]);
    }
    return pending.map((m) => m.id);
  });
}

async function appliedMigrations(q: Queryable): Promise<Map<string, string>> {
  const { rows } = await q.query<{ id: string; checksum: string }>(
    'SELECT id, checksum FROM aidev_migrations ORDER BY id',
  );
  return new Map(rows.map((row) => [row.id, row.checksum]));
}

function compare(applied: Map<string, string>, migrations: readonly Migration[]): MigrationStatus {
  const known = new Map(migrations.map((m) => [m.id, m]));
  for (const [id, sum] of applied) {
    const migration = known.get(id);
    if (migration === undefined) {
      throw new AppError(
        'migration_mismatch',
        `the database has migration ${id}, which this version of aidev does not know`,
        { hint: 'upgrade aidev to the version that wrote this database' },
      );
    }
    if (migration.checksum !== sum) {
      throw new AppError(
        'migration_mismatch',
        `migration ${id} was changed after it was applied to this database`,
        { hint: 'restore the original migration file and add a new migration for the change' },
      );
    }
  }
  const firstPending = migrations.findIndex((m) => !applied.has(m.id));
  if (firstPending >= 0) {
    const later = migrations.slice(firstPending + 1).find((m) => applied.has(m.id));
    if (later !== undefined) {
      throw new AppError(
        'migration_mismatch',
        `migration ${migrations[firstPending]?.id ?? '?'} is missing from this database, but the later ${later.id} was applied`,
        { hint: 'migrations must be applied in order; restore the database from a backup' },
      );
    }
  }
  return {
    applied: [...applied.keys()],
    pending: migrations.filter((m) => !applied.has(m.id)),
  };
}
