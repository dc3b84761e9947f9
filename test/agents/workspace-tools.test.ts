import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyEdit, listFiles, readLines, searchText } from '../../src/agents/workspace-tools.js';
import { Workspace } from '../../src/sandbox/workspace.js';

let workspace: Workspace;
const CART = 'export function total(xs: number[]) {\n  return xs.reduce((a, b) => a + b, 0);\n}\n';

beforeEach(async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'aidev-tools-'));
  await mkdir(path.join(root, 'src'), { recursive: true });
  await mkdir(path.join(root, 'node_modules', 'x'), { recursive: true });
  await writeFile(path.join(root, 'src', 'cart.ts'), CART);
  await writeFile(path.join(root, 'src', 'twice.ts'), 'a();\nb();\na();\n');
  await writeFile(path.join(root, 'node_modules', 'x', 'index.js'), 'total');
  await symlink('/etc', path.join(root, 'etc-link'));
  workspace = await Workspace.open(root);
});

describe('the development agent’s workspace tools', () => {
  it('lists the repository’s own files, not vendored ones, without following links', async () => {
    expect(await listFiles(workspace)).toEqual(['etc-link', 'src/cart.ts', 'src/twice.ts']);
    await expect(readLines(workspace, 'etc-link/passwd')).rejects.toMatchObject({
      code: 'path_refused',
    });
  });

  it('reads a range of numbered lines, and searches text across files', async () => {
    expect(await readLines(workspace, 'src/cart.ts', { from: 2, to: 2 })).toBe(
      '    2    return xs.reduce((a, b) => a + b, 0);',
    );
    expect(await searchText(workspace, 'reduce')).toEqual([
      'src/cart.ts:2: return xs.reduce((a, b) => a + b, 0);',
    ]);
  });

  it('replaces text that matches exactly once', async () => {
    await applyEdit(workspace, {
      path: 'src/cart.ts',
      search: 'a + b, 0)',
      replace: 'a + b, 0) / 100',
    });
    expect(await readFile(path.join(workspace.root, 'src/cart.ts'), 'utf8')).toContain('0) / 100;');
  });

  it('refuses a search text that is missing or not unique, saying what to do', async () => {
    await expect(
      applyEdit(workspace, { path: 'src/cart.ts', search: 'a+b', replace: 'x' }),
    ).rejects.toMatchObject({
      code: 'edit_refused',
      message: expect.stringContaining('not found; read the file again') as unknown as string,
    });
    await expect(
      applyEdit(workspace, { path: 'src/twice.ts', search: 'a();', replace: 'c();' }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('found 2 times (lines 1, 3)') as unknown as string,
    });
  });

  it('writes whole files, refusing paths outside the workspace', async () => {
    await applyEdit(workspace, { path: 'src/new.ts', content: 'export {};\n' });
    expect(await workspace.read('src/new.ts')).toBe('export {};\n');
    await expect(applyEdit(workspace, { path: '../evil.ts', content: 'x' })).rejects.toMatchObject({
      code: 'path_refused',
    });
  });
});
