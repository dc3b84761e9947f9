import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Workspace } from '../../src/sandbox/workspace.js';

let outside: string;
let workspace: Workspace;

beforeEach(async () => {
  const base = await mkdtemp(path.join(os.tmpdir(), 'aidev-ws-'));
  outside = path.join(base, 'outside');
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), 'top secret');
  await mkdir(path.join(base, 'repo', 'src'), { recursive: true });
  await writeFile(path.join(base, 'repo', 'src', 'a.ts'), 'export {};\n');
  workspace = await Workspace.open(path.join(base, 'repo'));
});

const refusal = (why: RegExp) => ({
  code: 'path_refused',
  message: expect.stringMatching(why) as unknown as string,
});

describe('workspace confinement', () => {
  it('reads and writes inside the repository, creating folders', async () => {
    expect(await workspace.read('src/a.ts')).toBe('export {};\n');
    await workspace.write('src/deep/b.ts', 'b');
    expect(await workspace.read('./src/deep/../deep/b.ts')).toBe('b');
    await expect(workspace.read('src/none.ts')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses ../ that leads out, and absolute paths', async () => {
    await expect(workspace.read('../outside/secret.txt')).rejects.toMatchObject(
      refusal(/leads outside the repository/),
    );
    await expect(workspace.write('src/../../x.txt', 'x')).rejects.toMatchObject(
      refusal(/leads outside/),
    );
    await expect(workspace.read('/etc/passwd')).rejects.toMatchObject(
      refusal(/absolute paths are not allowed/),
    );
  });

  it('refuses symbolic links that lead outside, as a file or as a folder on the way', async () => {
    await symlink(path.join(outside, 'secret.txt'), path.join(workspace.root, 'link.txt'));
    await symlink(outside, path.join(workspace.root, 'src', 'escape'));
    await expect(workspace.read('link.txt')).rejects.toMatchObject(refusal(/symbolic link/));
    await expect(workspace.read('src/escape/secret.txt')).rejects.toMatchObject(
      refusal(/symbolic link/),
    );
    await expect(workspace.write('src/escape/new.txt', 'x')).rejects.toMatchObject(
      refusal(/symbolic link/),
    );
    await expect(workspace.write('link.txt', 'overwritten')).rejects.toMatchObject(
      refusal(/symbolic link/),
    );
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('refuses a dangling link that points outside (writing through it would create the file there)', async () => {
    await symlink(path.join(outside, 'planted.txt'), path.join(workspace.root, 'dangling.txt'));
    await expect(workspace.write('dangling.txt', 'x')).rejects.toMatchObject(
      refusal(/symbolic link/),
    );
  });

  it('allows links that stay inside, and names like ..hidden', async () => {
    await symlink('src/a.ts', path.join(workspace.root, 'alias.ts'));
    expect(await workspace.read('alias.ts')).toBe('export {};\n');
    await workspace.write('..hidden', 'ok');
    expect(await workspace.read('..hidden')).toBe('ok');
  });
});
