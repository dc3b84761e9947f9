import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyPatch,
  baseOf,
  changedPaths,
  diffSince,
  protectWorkingCopy,
  resetWorkingCopy,
  workingCopyOf,
  type WorkingCopy,
} from '../../src/git/working-copy.js';
import { setupGitOutput } from '../support/setup-git.js';

let root: string;
let origin: string;

const git = setupGitOutput;

const BINARY = Buffer.from([0, 1, 2, 255, 254, 0, 10, 13, 0x89, 0x50, 0x4e, 0x47]);

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'aidev-working-copy-'));
  origin = path.join(root, 'origin');
  git(root, 'init', '--quiet', '--initial-branch=main', origin);
  await writeFile(path.join(origin, 'app.js'), 'export const answer = 41;\n');
  await writeFile(path.join(origin, 'run.sh'), '#!/bin/sh\necho run\n');
  await chmod(path.join(origin, 'run.sh'), 0o755);
  await writeFile(path.join(origin, 'tabs.go'), 'func main() {\n\tprintln("x")\n}\n');
  await writeFile(path.join(origin, 'logo.png'), BINARY);
  await writeFile(path.join(origin, 'old-name.txt'), 'moved\n'.repeat(50));
  await writeFile(path.join(origin, 'gone.txt'), 'delete me\n');
  await writeFile(path.join(origin, '.gitignore'), 'node_modules/\n');
  await symlink('app.js', path.join(origin, 'link.js'));
  git(origin, 'add', '-A');
  git(origin, 'commit', '--quiet', '-m', 'initial');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh clone as a plugin's check_out makes it, protected before anything runs in it. */
async function clone(name: string): Promise<WorkingCopy> {
  const directory = path.join(root, name);
  git(root, 'clone', '--quiet', '--no-local', origin, directory);
  const copy = workingCopyOf(directory);
  await protectWorkingCopy(copy);
  return copy;
}

describe('a working copy and its change', () => {
  it('has no change right after the clone', async () => {
    const copy = await clone('wc');
    expect(await diffSince(copy, await baseOf(copy))).toBeNull();
  });

  it('carries edits, modes, renames, deletions, binaries and links to another clone', async () => {
    const copy = await clone('wc');
    const base = await baseOf(copy);
    const at = (file: string) => path.join(copy.directory, file);
    await writeFile(at('app.js'), 'export const answer = 42;\n');
    await chmod(at('app.js'), 0o755);
    await rename(at('old-name.txt'), at('new-name.txt'));
    await rm(at('gone.txt'));
    await writeFile(at('icon.bin'), Buffer.concat([BINARY, BINARY]));
    await symlink('tabs.go', at('main-link.go'));
    const changes = await changedPaths(copy, base);
    expect(changes).toEqual(
      expect.arrayContaining([
        { status: 'M', path: 'app.js' },
        { status: 'R', path: 'new-name.txt', from: 'old-name.txt' },
        { status: 'D', path: 'gone.txt' },
        { status: 'A', path: 'icon.bin' },
        { status: 'A', path: 'main-link.go' },
      ]),
    );

    const diff = await diffSince(copy, base);
    expect(diff).not.toBeNull();
    const other = await clone('elsewhere');
    await applyPatch(other, diff ?? '');
    const there = (file: string) => path.join(other.directory, file);
    expect(await readFile(there('app.js'), 'utf8')).toBe('export const answer = 42;\n');
    expect((await stat(there('app.js'))).mode & 0o111).not.toBe(0);
    expect((await stat(there('run.sh'))).mode & 0o111).not.toBe(0);
    expect(await readFile(there('new-name.txt'), 'utf8')).toBe('moved\n'.repeat(50));
    await expect(lstat(there('old-name.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(lstat(there('gone.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(there('icon.bin'))).toEqual(Buffer.concat([BINARY, BINARY]));
    expect(await readFile(there('logo.png'))).toEqual(BINARY);
    expect(await readlink(there('main-link.go'))).toBe('tabs.go');
    expect(await readlink(there('link.js'))).toBe('app.js');
    expect(await diffSince(other, base)).toBe(diff);
  });

  it('leaves out what the repository ignores (dependencies a setup command installed)', async () => {
    const copy = await clone('wc');
    await writeFile(path.join(copy.directory, 'app.js'), 'export const answer = 42;\n');
    await mkdir(path.join(copy.directory, 'node_modules', 'dep'), { recursive: true });
    await writeFile(path.join(copy.directory, 'node_modules', 'dep', 'index.js'), 'x');
    const changes = await changedPaths(copy, await baseOf(copy));
    expect(changes).toEqual([{ status: 'M', path: 'app.js' }]);
  });

  // The working copy's own .git is the sandbox's to change: aidev's git never reads it.
  it('runs nothing the working copy’s .git or attributes ask for', async () => {
    const copy = await clone('wc');
    const marker = path.join(root, 'ran');
    const agentConfig = path.join(copy.directory, '.git', 'config');
    await writeFile(
      agentConfig,
      `${await readFile(agentConfig, 'utf8')}[core]\n\tfsmonitor = "touch ${marker}"\n\thooksPath = ${root}\n[filter "evil"]\n\tclean = "touch ${marker}"\n`,
    );
    await writeFile(path.join(copy.directory, '.gitattributes'), '*.js filter=evil\n');
    await writeFile(path.join(copy.directory, 'app.js'), 'export const answer = 42;\n');
    await diffSince(copy, await baseOf(copy));
    await expect(lstat(marker)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('is brought back to a commit exactly when reused', async () => {
    const copy = await clone('wc');
    const base = await baseOf(copy);
    await writeFile(path.join(copy.directory, 'app.js'), 'changed\n');
    await writeFile(path.join(copy.directory, 'stray.txt'), 'left by an earlier attempt\n');
    await writeFile(path.join(copy.directory, '.git', 'config'), '[core]\n\tbroken = yes\n');
    await resetWorkingCopy(copy, base);
    expect(await diffSince(copy, base)).toBeNull();
    await expect(lstat(path.join(copy.directory, 'stray.txt'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(await readFile(path.join(copy.directory, '.git', 'config'), 'utf8')).not.toContain(
      'broken',
    );
  });

  it('says so when a saved change no longer applies', async () => {
    const copy = await clone('wc');
    const base = await baseOf(copy);
    await writeFile(path.join(copy.directory, 'app.js'), 'export const answer = 42;\n');
    const diff = (await diffSince(copy, base)) ?? '';
    const other = await clone('elsewhere');
    await writeFile(path.join(other.directory, 'app.js'), 'something else entirely\n');
    await expect(applyPatch(other, diff)).rejects.toMatchObject({ code: 'patch_failed' });
  });
});
