import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloneBranch, insideWorkspaces, pushCommit } from '../../src/git/clone.js';
import { setupGit } from '../support/setup-git.js';

let root: string;
let origin: string;

const git = setupGit;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'aidev-clone-'));
  origin = path.join(root, 'origin.git');
  const work = path.join(root, 'work');
  git(root, 'init', '--quiet', '--initial-branch=main', work);
  await writeFile(path.join(work, 'a.txt'), 'one\n');
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', 'first');
  git(work, 'tag', 'v1');
  await writeFile(path.join(work, 'a.txt'), 'two\n');
  git(work, 'commit', '--quiet', '-am', 'second');
  git(work, 'branch', 'other');
  git(root, 'clone', '--quiet', '--bare', work, origin);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('insideWorkspaces', () => {
  it('accepts a directory below the data directory’s workspaces/, resolved', () => {
    expect(insideWorkspaces('/data', '/data/workspaces/run-1/implement')).toBe(
      '/data/workspaces/run-1/implement',
    );
    expect(insideWorkspaces('/data', '/data/workspaces/run-1/../run-2')).toBe(
      '/data/workspaces/run-2',
    );
  });

  it('refuses workspaces/ itself, a way out with .., and a sibling that merely starts the same', () => {
    for (const directory of [
      '/data/workspaces',
      '/data/workspaces/',
      '/data/workspaces/../repos',
      '/data/workspaces-old/run-1',
      '/etc',
      'workspaces/run-1',
    ])
      expect(() => insideWorkspaces('/data', directory), directory).toThrow(
        expect.objectContaining({
          code: 'invalid_input',
          message: expect.stringContaining('/data/workspaces') as unknown as string,
        }),
      );
  });
});

describe('cloneBranch', () => {
  it('clones one branch, one commit deep, without tags or other branches', async () => {
    const directory = path.join(root, 'copy');
    const head = await cloneBranch({ url: origin, ref: 'main', directory });
    expect(head).toBe(git(origin, 'rev-parse', 'main'));
    expect(git(directory, 'rev-list', '--count', '--all')).toBe('1');
    expect(git(directory, 'tag')).toBe('');
    expect(git(directory, 'branch', '-a', '--format=%(refname)').split('\n')).not.toContain(
      'refs/remotes/origin/other',
    );
  });

  it('replaces whatever the directory held, and makes its parents', async () => {
    const directory = path.join(root, 'deep', 'er', 'copy');
    await mkdir(path.join(directory, 'old'), { recursive: true });
    await writeFile(path.join(directory, 'old', 'file'), 'x');
    await cloneBranch({ url: origin, ref: 'other', directory });
    expect((await readdir(directory)).sort()).toEqual(['.git', 'a.txt']);
  });

  it('refuses a URL or branch that git would read as an option, before running git', async () => {
    const marker = path.join(root, 'ran');
    for (const [url, ref] of [
      [`--upload-pack=touch ${marker}`, 'main'],
      [origin, `--upload-pack=touch ${marker}`],
      ['-u', 'main'],
    ] as const)
      await expect(
        cloneBranch({ url, ref, directory: path.join(root, 'copy') }),
      ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(readdir(root)).resolves.not.toContain('ran');
    await expect(readdir(root)).resolves.not.toContain('copy');
  });

  it('says a missing branch and a missing repository apart', async () => {
    await expect(
      cloneBranch({ url: origin, ref: 'gone', directory: path.join(root, 'copy') }),
    ).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('no branch gone') as unknown as string,
    });
    await expect(
      cloneBranch({
        url: path.join(root, 'nothing-here.git'),
        ref: 'main',
        directory: path.join(root, 'copy'),
      }),
    ).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('no such repository') as unknown as string,
    });
  });

  it('takes nothing from the caller’s GIT_* environment: no template hooks, no other repository', async () => {
    const templates = path.join(root, 'templates');
    const marker = path.join(root, 'hook-ran');
    await mkdir(path.join(templates, 'hooks'), { recursive: true });
    await writeFile(path.join(templates, 'hooks', 'post-checkout'), `#!/bin/sh\ntouch ${marker}\n`);
    await chmod(path.join(templates, 'hooks', 'post-checkout'), 0o755);
    const saved = { GIT_TEMPLATE_DIR: process.env.GIT_TEMPLATE_DIR, GIT_DIR: process.env.GIT_DIR };
    process.env.GIT_TEMPLATE_DIR = templates;
    process.env.GIT_DIR = path.join(root, 'work', '.git');
    try {
      const directory = path.join(root, 'copy');
      const head = await cloneBranch({ url: origin, ref: 'main', directory });
      expect(head).toBe(git(origin, 'rev-parse', 'main'));
    } finally {
      // Put back only what was changed: replacing process.env itself would leave later files in
      // this worker (isolate: false) with a plain object instead of the process's environment.
      for (const [key, value] of Object.entries(saved))
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    }
    await expect(readdir(root)).resolves.not.toContain('hook-ran');
  });

  it('stops when its signal is aborted, saying so rather than blaming git', async () => {
    const controller = new AbortController();
    controller.abort(new Error('the run was cancelled'));
    await expect(
      cloneBranch({
        url: origin,
        ref: 'main',
        directory: path.join(root, 'copy'),
        signal: controller.signal,
      }),
    ).rejects.toThrow('the run was cancelled');
  });
});

describe('pushCommit', () => {
  it('pushes a commit on the tip, and refuses one on an older commit as a retryable conflict', async () => {
    const directory = path.join(root, 'copy');
    await cloneBranch({ url: origin, ref: 'main', directory });
    await writeFile(path.join(directory, 'b.txt'), 'b\n');
    git(directory, 'add', '-A');
    git(directory, 'commit', '--quiet', '-m', 'mine');
    const mine = git(directory, 'rev-parse', 'HEAD');
    await pushCommit({ url: origin, repo: directory, commit: mine, branch: 'main' });
    expect(git(origin, 'rev-parse', 'main')).toBe(mine);

    const stale = path.join(root, 'stale');
    await cloneBranch({ url: origin, ref: 'other', directory: stale });
    await writeFile(path.join(stale, 'c.txt'), 'c\n');
    git(stale, 'add', '-A');
    git(stale, 'commit', '--quiet', '-m', 'theirs');
    await expect(
      pushCommit({
        url: origin,
        repo: stale,
        commit: git(stale, 'rev-parse', 'HEAD'),
        branch: 'main',
      }),
    ).rejects.toMatchObject({ code: 'conflict', retryable: true });
    expect(git(origin, 'rev-parse', 'main')).toBe(mine);
  });

  it('refuses a branch that git would read as an option', async () => {
    await expect(
      pushCommit({ url: origin, repo: root, commit: 'HEAD', branch: '--delete' }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
