import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  assessHolder,
  breakLock,
  isUnreadable,
  LOCK_FILE,
  readLock,
  tryAcquireLock,
  type LockHolder,
} from '../../../src/store/embedded/instance-lock.js';

const timing = { heartbeatMs: 50, staleMs: 1_000 };

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function holder(overrides: Partial<LockHolder>): LockHolder {
  return {
    pid: process.pid,
    hostname: hostname(),
    token: 't',
    startedAt: new Date().toISOString(),
    endpoint: null,
    heartbeatAt: Date.now(),
    ...overrides,
  };
}

describe('embedded instance lock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'aidev-lock-'));
  });

  it('is taken by one process only and records who holds it', async () => {
    const lock = await tryAcquireLock(dir, timing);
    expect(lock).not.toBeNull();
    expect(await tryAcquireLock(dir, timing)).toBeNull();
    const read = await readLock(dir);
    expect(read).toMatchObject({ pid: process.pid, hostname: hostname(), endpoint: null });
    expect((await stat(path.join(dir, LOCK_FILE))).mode & 0o777).toBe(0o600);
    await lock?.publish({ kind: 'unix', path: '/tmp/x/.s.PGSQL.5432' });
    expect(await readLock(dir)).toMatchObject({
      endpoint: { kind: 'unix', path: '/tmp/x/.s.PGSQL.5432' },
    });
    await lock?.release();
    expect(await readLock(dir)).toBeNull();
  });

  it('judges a holder on this host by its pid, then by its heartbeat', () => {
    const now = Date.now();
    expect(assessHolder(holder({}), timing, now)).toBe('alive');
    expect(assessHolder(holder({ pid: deadPid() }), timing, now)).toBe('dead');
    expect(assessHolder(holder({ heartbeatAt: now - 5_000 }), timing, now)).toBe('unresponsive');
  });

  it('judges a holder on another host by its heartbeat alone', () => {
    const now = Date.now();
    expect(assessHolder(holder({ hostname: 'elsewhere', pid: deadPid() }), timing, now)).toBe(
      'alive',
    );
    expect(
      assessHolder(holder({ hostname: 'elsewhere', heartbeatAt: now - 5_000 }), timing, now),
    ).toBe('dead');
  });

  it('breaks a lock only if it is still the one that was judged dead', async () => {
    const stale = await tryAcquireLock(dir, timing);
    const judged = await readLock(dir);
    if (judged === null || isUnreadable(judged) || stale === null) throw new Error('no lock');
    // Someone else broke it and took it in the meantime.
    await stale.release();
    const fresh = await tryAcquireLock(dir, timing);
    expect(await breakLock(dir, judged)).toBe(false);
    expect(await readLock(dir)).toMatchObject({ token: fresh?.token });
    const current = await readLock(dir);
    if (current === null) throw new Error('lock vanished');
    expect(await breakLock(dir, current)).toBe(true);
    expect(await readLock(dir)).toBeNull();
  });

  it('treats a lock file it cannot parse as unreadable, with its age', async () => {
    await writeFile(path.join(dir, LOCK_FILE), '{"pid": 12');
    const read = await readLock(dir);
    expect(read !== null && isUnreadable(read)).toBe(true);
  });

  it('refreshes its heartbeat and notices when the lock is taken from it', async () => {
    const lock = await tryAcquireLock(dir, timing);
    if (lock === null) throw new Error('no lock');
    const file = path.join(dir, LOCK_FILE);
    const old = new Date(Date.now() - 60_000);
    await utimes(file, old, old);
    let lost: string | undefined;
    lock.startHeartbeat((reason) => {
      lost = reason;
    });
    // The heartbeat's first renewal, whenever it comes.
    await vi.waitFor(async () =>
      expect((await stat(file)).mtimeMs).toBeGreaterThan(Date.now() - 1_000),
    );

    const record = JSON.parse(await readFile(file, 'utf8')) as { token: string };
    await writeFile(file, JSON.stringify({ ...record, token: 'someone-else' }));
    await vi.waitFor(() => expect(lost).toBe('another process took the lock'));
    await lock.release();
    expect(await readLock(dir)).toMatchObject({ token: 'someone-else' });
  });
});
