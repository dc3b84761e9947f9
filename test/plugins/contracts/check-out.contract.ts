import { execFileSync } from 'node:child_process';
import {
  chmod,
  lstat,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { diffSince, protectWorkingCopy, workingCopyOf } from '../../../src/git/working-copy.js';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { callContext } from './call-context.js';
import { STARTING_FILES, type VersionControlFixture } from './version-control.contract.js';

/** A file as git records it: its mode (100644, 100755, 120000) and its bytes (a link's target). */
export interface FileEntry {
  readonly mode: string;
  readonly bytes: Buffer;
}

export interface CheckOutFixture extends VersionControlFixture {
  /** A directory for a working copy, inside the plugin's data directory's `workspaces/`. */
  workspace(name: string): string;
  /** Every file on a branch with its mode and bytes, as the repository has it. */
  treeAt(branch: string): Promise<Map<string, FileEntry>>;
}

/** Bytes no text encoding survives: NULs, a lone 0xff, CR LF, a PNG signature. */
export const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255, 254, 0, 13, 10, 0]);

/** Every file of a working copy (its `.git` aside) with the mode and bytes git would record. */
export async function filesOf(directory: string): Promise<Map<string, FileEntry>> {
  const files = new Map<string, FileEntry>();
  for (const entry of await readdir(directory, { recursive: true })) {
    const name = entry.split(path.sep).join('/');
    if (name === '.git' || name.startsWith('.git/')) continue;
    const full = path.join(directory, entry);
    const stat = await lstat(full);
    if (stat.isSymbolicLink())
      files.set(name, { mode: '120000', bytes: Buffer.from(await readlink(full)) });
    else if (stat.isFile())
      files.set(name, {
        mode: (stat.mode & 0o100) === 0 ? '100644' : '100755',
        bytes: await readFile(full),
      });
  }
  return files;
}

/** Plain objects, so that a failed comparison shows text rather than Buffer internals. */
export function readable(files: ReadonlyMap<string, FileEntry>): Record<string, string> {
  return Object.fromEntries(
    [...files]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, f]) => [name, `${f.mode} ${f.bytes.toString('base64')}`]),
  );
}

const startingTree = () =>
  new Map(
    Object.entries(STARTING_FILES).map(([name, text]) => [
      name,
      { mode: '100644', bytes: Buffer.from(text) },
    ]),
  );

/**
 * The working copy's round trip every version-control plugin must make: `check_out` a branch as
 * a git working copy with every file as committed, and `commit_changes` with the copy's patch
 * (`git diff --binary`) committing exactly that change — modes, links, binary files, renames and
 * deletions — once per idempotency key.
 */
export function checkOutContract(name: string, fixture: () => CheckOutFixture): void {
  describe(`check_out and patch commits: ${name}`, () => {
    beforeEach(async () => fixture().reset());
    const actions = () => fixture().plugin.actions;
    const repository = () => fixture().repository;

    /** The working copy of `branch`, changed by `edit`, and its patch against its head. */
    async function changeOn(
      plugin: Plugin<'version_control'>,
      branch: string,
      workspace: string,
      edit: (directory: string) => Promise<void>,
    ) {
      const out = await plugin.actions.check_out(
        { repository: repository(), ref: branch, directory: fixture().workspace(workspace) },
        callContext(),
      );
      const copy = workingCopyOf(out.directory);
      await protectWorkingCopy(copy);
      await edit(out.directory);
      const diff = await diffSince(copy, out.head);
      if (diff === null) throw new Error('the edit changed nothing');
      return { base: out.head, diff_base64: diff };
    }

    it('checks out the default branch as a shallow git clone, every file as committed', async () => {
      const out = await actions().check_out(
        { repository: repository(), directory: fixture().workspace('default') },
        callContext(),
      );
      expect(out.ref).toBe('main');
      expect(out.directory).toBe(fixture().workspace('default'));
      expect(out.head).toMatch(/^[0-9a-f]{40}$/);
      expect(readable(await filesOf(out.directory))).toEqual(readable(startingTree()));
      const inClone = (...args: string[]) =>
        execFileSync('git', args, {
          cwd: out.directory,
          env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
        })
          .toString('utf8')
          .trim();
      expect(inClone('rev-parse', 'HEAD')).toBe(out.head);
      expect(inClone('rev-parse', '--is-shallow-repository')).toBe('true');
      expect(inClone('status', '--porcelain')).toBe('');
    });

    it('replaces what an earlier check-out left in the directory', async () => {
      const directory = fixture().workspace('again');
      await actions().check_out({ repository: repository(), directory }, callContext());
      await writeFile(path.join(directory, 'left-over.txt'), 'from the last step\n');
      await rm(path.join(directory, 'README.md'));
      await actions().check_out({ repository: repository(), directory }, callContext());
      expect(readable(await filesOf(directory))).toEqual(readable(startingTree()));
    });

    it('commits a patch keeping an executable bit, a symlink, a binary file, a rename and a deletion; checked out again, byte for byte', async () => {
      await actions().create_branch(
        { repository: repository(), branch: 'aidev/proj-2' },
        callContext(),
      );
      const patch = await changeOn(fixture().plugin, 'aidev/proj-2', 'edit', async (dir) => {
        await writeFile(path.join(dir, 'run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
        await chmod(path.join(dir, 'src/cart.ts'), 0o755);
        await symlink('src/cart.ts', path.join(dir, 'cart-link.ts'));
        await writeFile(path.join(dir, 'logo.png'), BINARY);
        await rename(path.join(dir, 'test/cart.test.ts'), path.join(dir, 'test/cart.spec.ts'));
        await rm(path.join(dir, 'src/legacy.ts'));
        await writeFile(path.join(dir, 'README.md'), '# Shop\n\nNow with rounding.\n');
      });
      const commit = await actions().commit_changes(
        {
          repository: repository(),
          branch: 'aidev/proj-2',
          message: 'PROJ-2: the working copy’s change',
          patch,
        },
        callContext('run-2:commit'),
      );
      expect(commit.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(commit.commit_url).toContain(commit.sha);

      const expected = startingTree();
      expected.set('run.sh', { mode: '100755', bytes: Buffer.from('#!/bin/sh\necho run\n') });
      expected.set('src/cart.ts', {
        mode: '100755',
        bytes: Buffer.from(STARTING_FILES['src/cart.ts'] ?? ''),
      });
      expected.set('cart-link.ts', { mode: '120000', bytes: Buffer.from('src/cart.ts') });
      expected.set('logo.png', { mode: '100644', bytes: BINARY });
      expected.set('test/cart.spec.ts', {
        mode: '100644',
        bytes: Buffer.from(STARTING_FILES['test/cart.test.ts'] ?? ''),
      });
      expected.delete('test/cart.test.ts');
      expected.delete('src/legacy.ts');
      expected.set('README.md', {
        mode: '100644',
        bytes: Buffer.from('# Shop\n\nNow with rounding.\n'),
      });
      expect(readable(await fixture().treeAt('aidev/proj-2'))).toEqual(readable(expected));
      expect(await fixture().history('aidev/proj-2')).toEqual([
        'PROJ-2: the working copy’s change',
        ...(await fixture().history('main')),
      ]);
      expect(readable(await fixture().treeAt('main'))).toEqual(readable(startingTree()));

      const again = await actions().check_out(
        { repository: repository(), ref: 'aidev/proj-2', directory: fixture().workspace('read') },
        callContext(),
      );
      expect(again.head).toBe(commit.sha);
      expect(readable(await filesOf(again.directory))).toEqual(readable(expected));
    });

    it('commits a patch once per idempotency key', async () => {
      await actions().create_branch(
        { repository: repository(), branch: 'aidev/proj-3' },
        callContext(),
      );
      const patch = await changeOn(fixture().plugin, 'aidev/proj-3', 'once', async (dir) => {
        await writeFile(path.join(dir, 'src/round.ts'), 'export const round = Math.round;\n');
      });
      const input = {
        repository: repository(),
        branch: 'aidev/proj-3',
        message: 'PROJ-3: round',
        patch,
      };
      const first = await actions().commit_changes(input, callContext('run-3:commit'));
      const second = await actions().commit_changes(input, callContext('run-3:commit'));
      expect(second).toEqual(first);
      expect(await fixture().history('aidev/proj-3')).toEqual([
        'PROJ-3: round',
        ...(await fixture().history('main')),
      ]);
    });

    it('finds no earlier commit in one whose key merely starts the same way', async () => {
      await actions().create_branch(
        { repository: repository(), branch: 'aidev/proj-4' },
        callContext(),
      );
      const first = await changeOn(fixture().plugin, 'aidev/proj-4', 'k1', async (dir) => {
        await writeFile(path.join(dir, 'a.txt'), 'a\n');
      });
      await actions().commit_changes(
        { repository: repository(), branch: 'aidev/proj-4', message: 'a', patch: first },
        callContext('run-4:commit-2'),
      );
      const second = await changeOn(fixture().plugin, 'aidev/proj-4', 'k2', async (dir) => {
        await writeFile(path.join(dir, 'b.txt'), 'b\n');
      });
      await actions().commit_changes(
        { repository: repository(), branch: 'aidev/proj-4', message: 'b', patch: second },
        callContext('run-4:commit'),
      );
      expect((await fixture().history('aidev/proj-4')).slice(0, 2)).toEqual(['b', 'a']);
    });

    it('says which tip a patch no longer applies to, and does not retry it', async () => {
      await actions().create_branch(
        { repository: repository(), branch: 'aidev/proj-5' },
        callContext(),
      );
      const patch = await changeOn(fixture().plugin, 'aidev/proj-5', 'stale', async (dir) => {
        await writeFile(path.join(dir, 'README.md'), '# Shop, by aidev\n');
      });
      // Someone rewrites the same line on the branch after the check-out.
      const moved = await actions().commit_changes(
        {
          repository: repository(),
          branch: 'aidev/proj-5',
          message: 'by hand',
          changes: [{ path: 'README.md', content: '# Shop, by hand\n' }],
        },
        callContext(),
      );
      const failure = actions().commit_changes(
        { repository: repository(), branch: 'aidev/proj-5', message: 'x', patch },
        callContext(),
      );
      await expect(failure).rejects.toMatchObject({
        code: 'patch_failed',
        retryable: false,
        message: expect.stringContaining(moved.sha.slice(0, 12)) as unknown as string,
      });
      await expect(failure).rejects.toThrow(/README\.md/);
      await expect(failure).rejects.toThrow(
        `the change was made on ${patch.base.slice(0, 12)}: the branch moved since the working copy was checked out`,
      );
      expect(await fixture().history('aidev/proj-5')).toEqual([
        'by hand',
        ...(await fixture().history('main')),
      ]);
    });

    it('refuses a directory outside the workspaces, a branch that does not exist and a malformed patch', async () => {
      await expect(
        actions().check_out(
          { repository: repository(), directory: path.dirname(fixture().workspace('x')) },
          callContext(),
        ),
      ).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(
        actions().check_out(
          { repository: repository(), directory: `${fixture().workspace('x')}/../../elsewhere` },
          callContext(),
        ),
      ).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(
        actions().check_out(
          { repository: repository(), ref: 'nope', directory: fixture().workspace('x') },
          callContext(),
        ),
      ).rejects.toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('nope') as unknown as string,
      });
      const patch = await changeOn(fixture().plugin, 'main', 'bad', async (dir) => {
        await writeFile(path.join(dir, 'a.txt'), 'a\n');
      });
      await expect(
        actions().commit_changes(
          { repository: repository(), branch: 'missing', message: 'x', patch },
          callContext(),
        ),
      ).rejects.toMatchObject({ code: 'not_found' });
      await expect(
        actions().commit_changes(
          {
            repository: repository(),
            branch: 'main',
            message: 'x',
            patch: {
              base: patch.base,
              diff_base64: Buffer.from('not a diff\n').toString('base64'),
            },
          },
          callContext(),
        ),
      ).rejects.toMatchObject({ code: 'patch_failed' });
      expect(await fixture().history('main')).toEqual(['Initial commit']);
    });
  });
}
