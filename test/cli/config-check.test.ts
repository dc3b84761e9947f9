import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import {
  backendAvailability,
  createPgliteDataDir,
  createPostgresDatabase,
} from '../support/backends.js';
import { runBin, runInProcess } from '../support/cli.js';
import { loadMigrations } from '../../src/store/migrate.js';

const MIGRATIONS = loadMigrations().map((m) => m.id);

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(inject('scratchDir'), 'cli-'));
});

const STACK_LINE = /^\s+at /m;

describe('aidev config check, through the real bin', () => {
  it('prints one line naming PORT and exits 1 when PORT is not a port', async () => {
    const result = await runBin(['config', 'check'], { PORT: 'not-a-port' }, cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'config error: PORT: expected a TCP port number from 1 to 65535, found "not-a-port"\n',
    );
    expect(result.stdout).toBe('');
  });

  it('says which database it could not reach and why, without the password or a stack trace', async () => {
    const result = await runBin(
      ['config', 'check'],
      { DATABASE_URL: 'postgres://aidev:hunter2secret@127.0.0.1:1/aidev' },
      cwd,
    );
    expect(result.code).toBe(1);
    const failures = result.stdout.split('\n').filter((line) => line.includes('✗'));
    expect(failures).toEqual([
      '  ✗ database    cannot connect to PostgreSQL at postgres://aidev@127.0.0.1:1/aidev: connection refused; is PostgreSQL running and listening on that host and port? (check DATABASE_URL, or unset it to use the embedded database)',
    ]);
    expect(result.stdout + result.stderr).not.toContain('hunter2secret');
    expect(result.stdout + result.stderr).not.toMatch(STACK_LINE);
  });

  it('exits 2 with the usage for an unknown command', async () => {
    const result = await runInProcess(['conifg'], {}, cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'conifg'");
    expect(result.stderr).toContain('(Did you mean config?)');
  });

  it('prints its version', async () => {
    const result = await runInProcess(['--version'], {}, cwd);
    expect(result).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});

describe('aidev config check on the embedded database', () => {
  it('reports pending migrations, applies them with --migrate, then reports the schema current', async () => {
    const env = { AIDEV_DATA_DIR: path.join(cwd, 'data') };
    const before = await runInProcess(['config', 'check'], env, cwd);
    expect(before.code).toBe(0);
    // The plugins are checked too now (issue 16); the columns widen for their names.
    expect(before.stdout).toMatch(/! schema +\d+ pending migration\(s\)/);
    expect(before.stdout).toContain(
      `${MIGRATIONS.length} pending migration(s): ${MIGRATIONS.join(', ')}; applied when a worker or server starts`,
    );
    expect(before.stdout).toContain('No check failed; 2 not run (marked -).');
    const migrated = await runInProcess(['config', 'check', '--migrate'], env, cwd);
    expect(migrated.stdout).toMatch(
      new RegExp(`✓ schema +applied ${MIGRATIONS.length} migration\\(s\\)`),
    );
    const after = await runInProcess(['config', 'check', '--json'], env, cwd);
    const report = JSON.parse(after.stdout) as {
      ok: boolean;
      checks: { name: string; status: string; detail: string }[];
    };
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'database')?.detail).toMatch(
      /^embedded PGlite in .*data \(served by this process\); PostgreSQL 18\.\d+ \(PGlite/,
    );
    expect(report.checks.find((c) => c.name === 'schema')).toMatchObject({
      status: 'ok',
      detail: `up to date (${MIGRATIONS.length} migrations)`,
    });
    expect(report.checks.find((c) => c.name === 'jobs')).toMatchObject({ status: 'ok' });
  });

  it('fails when migrations are pending and auto-migration is switched off', async () => {
    await writeFile(path.join(cwd, 'aidev.config.yaml'), 'database:\n  auto_migrate: false\n');
    const result = await runInProcess(
      ['config', 'check'],
      { AIDEV_DATA_DIR: path.join(cwd, 'data') },
      cwd,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('apply them with --migrate (database.auto_migrate is false)');
  });

  it('reports invalid configuration in JSON too', async () => {
    const result = await runInProcess(['config', 'check', '--json'], { PORT: '0', HOST: '' }, cwd);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      checks: [
        {
          name: 'config',
          status: 'fail',
          detail: 'PORT: expected a TCP port number from 1 to 65535, found "0"',
        },
      ],
    });
  });

  it('says when the data directory cannot be used', async () => {
    await writeFile(path.join(cwd, 'a-file'), '');
    const result = await runInProcess(['config', 'check'], { AIDEV_DATA_DIR: 'a-file/data' }, cwd);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `✗ database    cannot use the data directory ${path.join(cwd, 'a-file/data')} (ENOTDIR) (set AIDEV_DATA_DIR to a directory this user can write, or set DATABASE_URL)`,
    );
  });

  it('connects through an already migrated data directory', async () => {
    const result = await runInProcess(
      ['config', 'check'],
      { AIDEV_DATA_DIR: await createPgliteDataDir() },
      cwd,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('All checks passed.');
  });
});

const postgres = backendAvailability('postgresql');
describe.skipIf(!postgres.available)(
  `aidev config check on PostgreSQL${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`,
  () => {
    it('reaches the server, reports its version and the schema', async () => {
      const url = await createPostgresDatabase();
      const result = await runInProcess(['config', 'check', '--json'], { DATABASE_URL: url }, cwd);
      const report = JSON.parse(result.stdout) as {
        ok: boolean;
        checks: { name: string; detail: string }[];
      };
      expect(result.code).toBe(0);
      expect(report.checks.find((c) => c.name === 'database')?.detail).toMatch(
        /^PostgreSQL at postgres:\/\/postgres@.*; PostgreSQL \d+/,
      );
      expect(report.checks.find((c) => c.name === 'schema')?.detail).toBe(
        `up to date (${MIGRATIONS.length} migrations)`,
      );
    });

    it('names a database that does not exist', async () => {
      const target = inject('postgres');
      if (!target.available) return;
      const url = new URL(target.adminUrl);
      url.pathname = '/aidev_no_such_database';
      const result = await runInProcess(['config', 'check'], { DATABASE_URL: url.toString() }, cwd);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(
        'database "aidev_no_such_database" does not exist; create it (createdb) or fix the database name in DATABASE_URL',
      );
    });
  },
);
