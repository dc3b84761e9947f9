import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { leaseSandboxUser } from '../../src/sandbox/sandbox-users.js';

const directory = () => mkdtemp(path.join(os.tmpdir(), 'aidev-users-test-'));

describe('user ids for sandboxed commands', () => {
  it('gives commands running at once ids of their own, below the first, and frees them', async () => {
    const dir = await directory();
    const leases = await Promise.all([0, 1, 2, 3].map(() => leaseSandboxUser(65534, 4, dir)));
    expect(new Set(leases.map((l) => l.uid))).toEqual(new Set([65534, 65533, 65532, 65531]));
    await Promise.all(leases.map((l) => l.release()));
    expect(await readdir(dir)).toEqual([]);
  });

  it('shares the first id when every one is in use, rather than wait', async () => {
    const dir = await directory();
    const held = await leaseSandboxUser(1000, 1, dir);
    const extra = await leaseSandboxUser(1000, 1, dir);
    expect([held.uid, extra.uid]).toEqual([1000, 1000]);
    await extra.release();
    expect(await readdir(dir)).toEqual(['1000']);
  });

  it('takes over the lease of a process that died', async () => {
    const dir = await directory();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    await writeFile(path.join(dir, '500'), String(dead));
    const lease = await leaseSandboxUser(500, 1, dir);
    expect(lease.uid).toBe(500);
    // The lease is this process's now: another command gets the shared fallback, not a second lease.
    expect((await leaseSandboxUser(500, 1, dir)).uid).toBe(500);
    expect(await readdir(dir)).toEqual(['500']);
  });
});
