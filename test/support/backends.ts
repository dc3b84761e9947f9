import { cp, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import type { Logger } from '../../src/log/create-logger.js';
import { silentLogger } from '../../src/log/create-logger.js';
import type { Database } from '../../src/store/database.js';
import { openEmbedded } from '../../src/store/embedded/open-embedded.js';
import { openPostgres } from '../../src/store/postgres/open-postgres.js';
import { createStore, type Store } from '../../src/store/store.js';
import { databaseUrl, withAdminClient } from './postgres-target.js';

export type BackendName = 'pglite' | 'postgresql';

/** A fresh, migrated database of one backend, owned by one test file. */
export interface TestDatabase {
  readonly backend: BackendName;
  readonly db: Database;
  readonly store: Store;
  /** For processes the test starts: the environment that points them at this database. */
  readonly env: Record<string, string>;
  dispose(): Promise<void>;
}

let counter = 0;

function nextName(): string {
  counter += 1;
  return `aidev_t_${inject('runId')}_${process.pid}_${counter}`;
}

/** A new embedded data directory, copied from the migrated template. */
export async function createPgliteDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(inject('scratchDir'), 'pglite-'));
  await cp(inject('pgliteTemplate'), dir, { recursive: true });
  return dir;
}

/** A new PostgreSQL database cloned from the migrated template; returns its URL. */
export async function createPostgresDatabase(): Promise<string> {
  const target = inject('postgres');
  if (!target.available) throw new Error(`PostgreSQL is not available: ${target.reason}`);
  const name = nextName();
  await withAdminClient(target.adminUrl, (client) =>
    client.query(`CREATE DATABASE ${name} TEMPLATE ${target.template}`),
  );
  return databaseUrl(target.adminUrl, name);
}

export async function openTestDatabase(
  backend: BackendName,
  logger: Logger = silentLogger(),
): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const dataDir = await createPgliteDataDir();
    const db = await openEmbedded({ dataDir, poolSize: 4, connectTimeoutMs: 10_000, logger });
    return {
      backend,
      db,
      store: createStore(db),
      env: { AIDEV_DATA_DIR: dataDir },
      dispose: () => db.close(),
    };
  }
  const url = await createPostgresDatabase();
  const db = await openPostgres({ url, poolSize: 4, connectTimeoutMs: 5_000, logger });
  return {
    backend,
    db,
    store: createStore(db),
    env: { DATABASE_URL: url },
    dispose: () => db.close(),
  };
}

/** Whether a backend can run here, and why not. */
export function backendAvailability(backend: BackendName): { available: boolean; reason: string } {
  if (backend === 'pglite') return { available: true, reason: '' };
  const target = inject('postgres');
  return target.available
    ? { available: true, reason: '' }
    : { available: false, reason: target.reason };
}

/**
 * Declares the same suite once per backend (embedded PGlite and PostgreSQL), each with its own
 * fresh database. The PostgreSQL copy is skipped, with the reason in its title, only where no
 * server is reachable outside CI.
 */
export function describeEachBackend(
  title: string,
  body: (database: () => TestDatabase) => void,
): void {
  for (const backend of ['pglite', 'postgresql'] as const) {
    const { available, reason } = backendAvailability(backend);
    const name = available ? `${title} [${backend}]` : `${title} [${backend}: skipped, ${reason}]`;
    describe.skipIf(!available)(name, () => {
      let current: TestDatabase | undefined;
      beforeAll(async () => {
        current = await openTestDatabase(backend);
      });
      afterAll(async () => {
        await current?.dispose();
      });
      body(() => {
        if (current === undefined) throw new Error('the test database is not open yet');
        return current;
      });
    });
  }
}

const APP_TABLES = [
  'audit_log',
  'api_tokens',
  'plugin_configurations',
  'channel_settings',
  'budget_alerts',
  'budget_allowances',
  'budget_reservations',
  'budgets',
  'cost_entries',
  'run_events',
  'run_steps',
  'runs',
  'tasks',
  'projects',
  'agenda_jobs',
  'task_comments',
  'local_pull_request_comments',
  'local_pull_requests',
  'local_checks',
  'agent_sessions',
  'slack_run_messages',
  'slack_events_seen',
  'slack_commands',
  'rate_limits',
  'webhook_deliveries',
  'pr_feedback',
  'pr_rounds',
  'pull_requests',
];

/** Empties every application table, so that each test starts from nothing. */
export async function resetTables(db: Database): Promise<void> {
  await db.query(`TRUNCATE ${APP_TABLES.join(', ')} RESTART IDENTITY CASCADE`);
}
