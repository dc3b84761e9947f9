import { chmod, lstat, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handOver } from '../../src/sandbox/hand-over.js';

// Our own ids: handing over to them is allowed for any user, and changes nothing outside.
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;
let parent: string;

beforeAll(async () => {
  parent = await mkdtemp(path.join(os.tmpdir(), 'aidev-hand-over-'));
});
afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

describe('handing a working copy to the sandbox user', () => {
  it('re-owns a private working copy and what it holds', async () => {
    const copy = path.join(parent, 'copy');
    await mkdir(path.join(copy, 'src'), { recursive: true });
    await writeFile(path.join(copy, 'src', 'a.ts'), 'export {};\n');
    await handOver(copy, uid, gid);
    expect((await lstat(path.join(copy, 'src', 'a.ts'))).uid).toBe(uid);
  });

  // Found when a command was run with /tmp as its working directory: every program's directory
  // in /tmp was given to the sandbox user, and the programs that check theirs stopped working.
  it.each([
    ['the temporary directory', () => os.tmpdir()],
    ['the root of the file system', () => '/'],
    ['aidev’s own directory', () => process.cwd()],
    ['a directory that holds aidev’s own', () => path.dirname(process.cwd())],
    ['the home directory', () => os.homedir()],
  ])('refuses %s', async (_name, directory) => {
    await expect(handOver(directory(), uid, gid)).rejects.toMatchObject({
      code: 'sandbox_refused',
      message: expect.stringContaining('not a working copy') as string,
    });
  });

  it('refuses a shared (world-writable or sticky) directory', async () => {
    const shared = path.join(parent, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o1777);
    await expect(handOver(shared, uid, gid)).rejects.toMatchObject({
      code: 'sandbox_refused',
      message: expect.stringContaining('world-writable or sticky') as string,
    });
  });
});
