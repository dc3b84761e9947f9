import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/log/create-logger.js';
import type { Database } from '../../src/store/database.js';
import { openEmbedded } from '../../src/store/embedded/open-embedded.js';
import {
  loadMigrations,
  migrate,
  migrationStatus,
  type Migration,
} from '../../src/store/migrate.js';
import { openPostgres } from '../../src/store/postgres/open-postgres.js';
import { describeEachBackend, type TestDatabase } from '../support/backends.js';
import { databaseUrl, withAdminClient } from '../support/postgres-target.js';

const real = loadMigrations();

function extra(id: string, sql: string): Migration {
  return { id, sql, checksum: `checksum-of-${id}-${sql.length}` };
}

/** A second, independent connection pool to the same database. */
async function secondConnection(t: TestDatabase): Promise<Database> {
  const logger = silentLogger();
  return t.env.DATABASE_URL === undefined
    ? openEmbedded({
        dataDir: t.env.AIDEV_DATA_DIR ?? '',
        poolSize: 2,
        connectTimeoutMs: 10_000,
        logger,
      })
    : openPostgres({ url: t.env.DATABASE_URL, poolSize: 2, connectTimeoutMs: 5_000, logger });
}

async function tableExists(db: Database, table: string): Promise<boolean> {
  const { rows } = await db.query<{ present: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS present',
    [table],
  );
  return rows[0]?.present === true;
}

describeEachBackend('schema migrations', (database) => {
  afterEach(async () => {
    const { db } = database();
    await db.query('DELETE FROM aidev_migrations WHERE NOT (id = ANY($1::text[]))', [
      real.map((m) => m.id),
    ]);
    await db.query('DROP TABLE IF EXISTS test_widgets, test_race, test_half');
  });

  it('reports a migrated database as current', async () => {
    const status = await migrationStatus(database().db);
    expect(status.pending).toEqual([]);
    expect(status.applied).toEqual(real.map((m) => m.id));
  });

  it('applies only the new migration, once', async () => {
    const { db } = database();
    const list = [...real, extra('0900_widgets', 'CREATE TABLE test_widgets (id int PRIMARY KEY)')];
    expect((await migrationStatus(db, list)).pending.map((m) => m.id)).toEqual(['0900_widgets']);
    expect(await migrate(db, list)).toEqual(['0900_widgets']);
    expect(await migrate(db, list)).toEqual([]);
    expect(await tableExists(db, 'test_widgets')).toBe(true);
  });

  it('lets exactly one of two processes migrating at once apply a migration', async () => {
    const t = database();
    const other = await secondConnection(t);
    try {
      const list = [...real, extra('0901_race', 'CREATE TABLE test_race (id int PRIMARY KEY)')];
      const results = await Promise.all([migrate(t.db, list), migrate(other, list)]);
      expect(results.flat()).toEqual(['0901_race']);
    } finally {
      await other.close();
    }
  });

  it('rolls back a failing migration completely and names it', async () => {
    const { db } = database();
    const broken = extra(
      '0902_broken',
      'CREATE TABLE test_half (id int); SELECT no_such_function();',
    );
    await expect(migrate(db, [...real, broken])).rejects.toThrow(
      /^migration 0902_broken failed: .*no_such_function/,
    );
    expect(await tableExists(db, 'test_half')).toBe(false);
    expect((await migrationStatus(db, [...real, broken])).pending.map((m) => m.id)).toEqual([
      '0902_broken',
    ]);
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const { db } = database();
    const [first, ...rest] = real;
    if (first === undefined) throw new Error('no migrations');
    const edited = { ...first, checksum: 'something-else' };
    await expect(migrate(db, [edited, ...rest])).rejects.toThrow(
      `migration ${first.id} was changed after it was applied`,
    );
  });

  it('refuses a database written by a newer aidev', async () => {
    const { db } = database();
    await expect(migrationStatus(db, real.slice(0, 1))).rejects.toThrow(
      `the database has migration ${real[1]?.id}, which this version of aidev does not know`,
    );
  });

  it('refuses to fill a gap in the order of applied migrations', async () => {
    const { db } = database();
    const gap = extra('0000_before_everything', 'SELECT 1');
    await expect(migrate(db, [gap, ...real])).rejects.toThrow(
      'migration 0000_before_everything is missing from this database',
    );
  });
});

describeEachBackend('schema migrations on an empty database', (database) => {
  it('creates the whole schema from nothing', async () => {
    const t = database();
    const fresh = await openEmptyDatabase(t);
    try {
      expect((await migrationStatus(fresh)).pending.map((m) => m.id)).toEqual(
        real.map((m) => m.id),
      );
      expect(await migrate(fresh)).toEqual(real.map((m) => m.id));
      for (const table of [
        'runs',
        'run_steps',
        'run_events',
        'cost_entries',
        'budgets',
        'budget_reservations',
        'channel_settings',
        'plugin_configurations',
        'api_tokens',
        'audit_log',
        'projects',
        'tasks',
        'agenda_jobs',
      ]) {
        expect(await tableExists(fresh, table), table).toBe(true);
      }
    } finally {
      await fresh.close();
    }
  });
});

async function openEmptyDatabase(t: TestDatabase): Promise<Database> {
  const logger = silentLogger();
  if (t.backend === 'pglite') {
    const dataDir = await mkdtemp(path.join(inject('scratchDir'), 'empty-'));
    return openEmbedded({ dataDir, poolSize: 2, connectTimeoutMs: 10_000, logger });
  }
  const target = inject('postgres');
  if (!target.available) throw new Error(target.reason);
  const name = `aidev_empty_${inject('runId')}_${process.pid}`;
  await withAdminClient(target.adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  return openPostgres({
    url: databaseUrl(target.adminUrl, name),
    poolSize: 2,
    connectTimeoutMs: 5_000,
    logger,
  });
}
