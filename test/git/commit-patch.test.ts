import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  commitPatch,
  hasTrailer,
  madeBy,
  moveBranch,
  type PatchCommit,
} from '../../src/git/commit-patch.js';
import { setupGit } from '../support/setup-git.js';

let root: string;
let repo: string;
let tip: string;

const git = setupGit;

const base64 = (text: string) => Buffer.from(text).toString('base64');

/** A diff adding `file` with one line. */
const adding = (file: string, line = 'x') =>
  base64(
    `diff --git a/${file} b/${file}\nnew file mode 100644\n--- /dev/null\n+++ b/${file}\n@@ -0,0 +1 @@\n+${line}\n`,
  );

const request = (over: Partial<PatchCommit> = {}): PatchCommit => ({
  repo,
  tip,
  diffBase64: adding('b.txt'),
  message: 'Add b\n',
  idempotencyKey: 'run-1:commit',
  identity: { name: 'aidev[bot]', email: 'aidev[bot]@users.noreply.github.com' },
  ...over,
});

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'aidev-commit-patch-'));
  repo = path.join(root, 'repo');
  git(root, 'init', '--quiet', '--initial-branch=main', repo);
  await writeFile(path.join(repo, 'a.txt'), 'a\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '-m', 'first');
  tip = git(repo, 'rev-parse', 'HEAD');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('commitPatch', () => {
  it('makes a commit on the tip with the identity and the key’s trailer, touching no ref, index or work tree', async () => {
    // The person's own work in progress, which a local repository may hold.
    await writeFile(path.join(repo, 'a.txt'), 'a, edited by hand\n');
    await writeFile(path.join(repo, 'staged.txt'), 'staged\n');
    git(repo, 'add', 'staged.txt');
    const status = git(repo, 'status', '--porcelain');
    const index = git(repo, 'ls-files', '-s');

    const commit = await commitPatch(request());
    expect(git(repo, 'rev-parse', `${commit}^`)).toBe(tip);
    expect(git(repo, 'show', `${commit}:b.txt`)).toBe('x');
    expect(git(repo, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', commit)).toBe(
      'aidev[bot] <aidev[bot]@users.noreply.github.com>|aidev[bot] <aidev[bot]@users.noreply.github.com>',
    );
    expect(git(repo, 'log', '-1', '--format=%B', commit)).toBe(
      'Add b\n\nAidev-Idempotency-Key: run-1:commit',
    );
    expect(git(repo, 'rev-parse', 'main')).toBe(tip);
    expect(git(repo, 'status', '--porcelain')).toBe(status);
    expect(git(repo, 'ls-files', '-s')).toBe(index);
    expect(await madeBy(repo, commit, 'run-1:commit')).toBe(true);
    expect(await madeBy(repo, commit, 'run-1:commit-2')).toBe(false);
    expect(await madeBy(repo, commit, 'run-1')).toBe(false);
    expect(await madeBy(repo, tip, 'run-1:commit')).toBe(false);
  });

  it('says the patch does not apply, naming the tip and the file', async () => {
    const stale = base64(
      'diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-not what is there\n+y\n',
    );
    await expect(commitPatch(request({ diffBase64: stale }))).rejects.toMatchObject({
      code: 'patch_failed',
      retryable: false,
      message: expect.stringMatching(
        new RegExp(`${tip.slice(0, 12)}.*a\\.txt`),
      ) as unknown as string,
    });
  });

  it('refuses paths into .git or out of the repository', async () => {
    for (const file of ['.git/config', '../outside.txt', 'sub/.git/hooks/post-checkout'])
      await expect(commitPatch(request({ diffBase64: adding(file) })), file).rejects.toMatchObject({
        code: 'patch_failed',
      });
  });

  it('says when the patch changes nothing', async () => {
    const sameAgain = base64(
      'diff --git a/a.txt b/a.txt\ndeleted file mode 100644\n--- a/a.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n' +
        'diff --git a/a.txt b/a.txt\nnew file mode 100644\n--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+a\n',
    );
    await expect(commitPatch(request({ diffBase64: sameAgain }))).rejects.toMatchObject({
      code: 'empty_change',
    });
  });
});

describe('hasTrailer', () => {
  it('matches the whole trailer line only', () => {
    const message = 'x\n\nAidev-Idempotency-Key: run-1:commit-2\n';
    expect(hasTrailer(message, 'run-1:commit-2')).toBe(true);
    expect(hasTrailer(message, 'run-1:commit')).toBe(false);
    expect(hasTrailer('Aidev-Idempotency-Key: k \r\n', 'k')).toBe(true);
    expect(hasTrailer('see Aidev-Idempotency-Key: k', 'k')).toBe(false);
  });
});

describe('moveBranch', () => {
  it('moves a branch still at the expected commit, and refuses one that moved as a retryable conflict', async () => {
    const mine = await commitPatch(request());
    const theirs = await commitPatch(request({ diffBase64: adding('c.txt'), idempotencyKey: 'o' }));
    await moveBranch(repo, 'main', theirs, tip);
    await expect(moveBranch(repo, 'main', mine, tip)).rejects.toMatchObject({
      code: 'conflict',
      retryable: true,
      message: expect.stringContaining('main moved') as unknown as string,
    });
    expect(git(repo, 'rev-parse', 'main')).toBe(theirs);
  });
});
