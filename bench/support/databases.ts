import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { silentLogger } from '../../src/log/create-logger.js';
import type { Database } from '../../src/store/database.js';
import { openEmbedded } from '../../src/store/embedded/open-embedded.js';
import { migrate } from '../../src/store/migrate.js';
import { openPostgres } from '../../src/store/postgres/open-postgres.js';

export interface BenchDatabase {
  readonly name: 'PGlite (embedded)' | 'PostgreSQL';
  readonly db: Database;
  /** Where other processes find it: a PostgreSQL URL, or the embedded data directory. */
  readonly url?: string;
  readonly dataDir?: string;
  dispose(): Promise<void>;
}

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, migrated embedded database in a temporary directory. */
export async function benchPglite(): Promise<BenchDatabase> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aidev-bench-'));
  const db = await openEmbedded({
    dataDir: dir,
    poolSize: 4,
    connectTimeoutMs: 10_000,
    logger: silentLogger(),
  });
  await migrate(db);
  return {
    name: 'PGlite (embedded)',
    db,
    dataDir: dir,
    async dispose() {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh, migrated PostgreSQL database, or null (with the reason printed) if none is reachable. */
export async function benchPostgres(): Promise<BenchDatabase | null> {
  const name = `aidev_bench_${Date.now().toString(36)}_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    console.log(
      `PostgreSQL skipped: cannot reach ${ADMIN_URL.replace(/:[^:@/]+@/, ':***@')} (${(error as Error).message})`,
    );
    await admin.end().catch(() => undefined);
    return null;
  }
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await openPostgres({
    url: url.toString(),
    poolSize: 4,
    connectTimeoutMs: 5_000,
    logger: silentLogger(),
  });
  await migrate(db);
  return {
    name: 'PostgreSQL',
    db,
    url: url.toString(),
    async dispose() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
