import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureBuilt } from './ensure-built.js';
import { silentLogger } from '../../src/log/create-logger.js';
import { openEmbedded } from '../../src/store/embedded/open-embedded.js';
import { migrate } from '../../src/store/migrate.js';
import { openPostgres } from '../../src/store/postgres/open-postgres.js';
import {
  adminUrl,
  databaseUrl,
  maskUrl,
  withAdminClient,
  type PostgresTarget,
} from './postgres-target.js';

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
    postgres: PostgresTarget;
    /** A migrated embedded data directory that each test file copies. */
    pgliteTemplate: string;
    scratchDir: string;
  }
}

/**
 * Prepares, once per test run, a migrated PostgreSQL template database and a migrated PGlite
 * data directory. Test files clone them, so each file starts from a fresh, current schema.
 * In CI a missing PostgreSQL fails the run; on a laptop without one, its suites are skipped.
 * First, the bin's compiled output is brought up to date with the sources.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureBuilt();
  const runId = `${Date.now().toString(36)}${process.pid}`;
  const scratchDir = await mkdtemp(path.join(tmpdir(), `aidev-test-${runId}-`));
  const postgres = await preparePostgres(runId);
  const pgliteTemplate = await preparePglite(scratchDir);
  project.provide('runId', runId);
  project.provide('postgres', postgres);
  project.provide('pgliteTemplate', pgliteTemplate);
  project.provide('scratchDir', scratchDir);

  return async () => {
    if (postgres.available) await dropRunDatabases(postgres.adminUrl, runId);
    await rm(scratchDir, { recursive: true, force: true });
  };
}

async function preparePostgres(runId: string): Promise<PostgresTarget> {
  const admin = adminUrl();
  const template = `aidev_tpl_${runId}`;
  try {
    await withAdminClient(admin, (client) => client.query(`CREATE DATABASE ${template}`));
  } catch (error) {
    const reason = `no PostgreSQL at ${maskUrl(admin)} (${(error as Error).message}); set DATABASE_URL to run them`;
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL is required in CI: ${reason}`, { cause: error });
    }
    console.warn(`\n[aidev tests] PostgreSQL suites are skipped: ${reason}\n`);
    return { available: false, reason };
  }
  const db = await openPostgres({
    url: databaseUrl(admin, template),
    poolSize: 2,
    connectTimeoutMs: 5_000,
    logger: silentLogger(),
  });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  return { available: true, adminUrl: admin, template };
}

async function preparePglite(scratchDir: string): Promise<string> {
  const dataDir = path.join(scratchDir, 'pglite-template');
  const db = await openEmbedded({
    dataDir,
    poolSize: 2,
    connectTimeoutMs: 10_000,
    logger: silentLogger(),
  });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  return dataDir;
}

async function dropRunDatabases(admin: string, runId: string): Promise<void> {
  await withAdminClient(admin, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`aidev_%${runId}%`],
    );
    for (const { datname } of rows)
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
