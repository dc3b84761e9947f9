import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../../../src/git/git.js';
import { diffSince, protectWorkingCopy, workingCopyOf } from '../../../src/git/working-copy.js';
import type { LocalCheckConclusion } from '../../../src/store/repositories/local-checks.js';
import { openTestDatabase, resetTables, type TestDatabase } from '../../support/backends.js';
import { capturingLogger } from '../../support/logger.js';
import { connectLocalPlugins, type LocalPlugins } from './local-plugins.js';
import { communicationContract } from '../contracts/communication.contract.js';
import { documentationContract } from '../contracts/documentation.contract.js';
import { taskManagementContract } from '../contracts/task-management.contract.js';
import { STARTING_FILES, versionControlContract } from '../contracts/version-control.contract.js';
import { callContext } from '../contracts/call-context.js';
import {
  checkOutContract,
  type CheckOutFixture,
  type FileEntry,
} from '../contracts/check-out.contract.js';

// The embedded defaults run on the embedded database, as a new user's laptop does.
let database: TestDatabase;
let scratch: string;
const { logger, lines } = capturingLogger({ level: 'info' });
let plugins: LocalPlugins;

beforeAll(async () => {
  database = await openTestDatabase('pglite');
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-local-'));
  plugins = await connectLocalPlugins({ store: database.store, dataDir: scratch, logger });
  expect((await plugins.registry.health()).every((h) => h.ok)).toBe(true);
});

afterAll(async () => {
  await database.dispose();
  await rm(scratch, { recursive: true, force: true });
});

taskManagementContract('local tracker', () => ({
  plugin: plugins.tracker,
  async reset() {
    await resetTables(database.db);
  },
  async givenTask(task) {
    await database.store.tasks.upsert({
      source: 'local',
      key: task.key,
      title: task.title,
      status: task.status,
      description: task.description ?? '',
      labels: task.labels ?? [],
    });
  },
  async commentsOf(key) {
    const task = await database.store.tasks.get('local', key);
    if (task === null) return [];
    return (await database.store.taskComments.listForTask(task.id)).map((c) => c.body);
  },
}));

let repoCount = 0;
let repository = '';
const repoDir = () => path.join(scratch, 'repos', repository);
const gitIn = (args: string[]) => git(args, { cwd: repoDir() });

const localGitFixture = (): CheckOutFixture => ({
  plugin: plugins.git,
  // Given write permission by local_git's `collaborators` setting (local-plugins.ts).
  writer: 'alice',
  // local_git's default commit_author: the author of its pull requests and comments.
  pullRequestAuthor: 'aidev',
  reviewComment: async (number, comment) =>
    (
      await database.store.localPullRequestComments.add({
        repository: repoDir(),
        number,
        ...comment,
      })
    ).id,
  async commentsOn(number) {
    return (await database.store.localPullRequestComments.list(repoDir(), number)).map((c) => ({
      id: c.id,
      body: c.body,
      inReplyTo: c.inReplyTo,
    }));
  },
  async reviewersOf(number) {
    return [...((await database.store.localPullRequests.get(repoDir(), number))?.reviewers ?? [])];
  },
  async checkFinished(sha, check) {
    await database.store.localChecks.record({
      repository: repoDir(),
      sha,
      name: check.name,
      conclusion: check.conclusion as LocalCheckConclusion,
      log: check.log,
    });
  },
  get repository() {
    return repository;
  },
  async reset() {
    await resetTables(database.db);
    repoCount += 1;
    repository = `shop-${repoCount}`;
    await mkdir(repoDir(), { recursive: true });
    await gitIn(['init', '--quiet', '--initial-branch=main']);
    for (const [file, content] of Object.entries(STARTING_FILES)) {
      await mkdir(path.dirname(path.join(repoDir(), file)), { recursive: true });
      await writeFile(path.join(repoDir(), file), content);
    }
    await gitIn(['add', '.']);
    await gitIn(['commit', '--quiet', '-m', 'Initial commit']);
  },
  async filesAt(branch) {
    const names = (await gitIn(['ls-tree', '-r', '--name-only', branch]))
      .split('\n')
      .filter((n) => n !== '');
    const files: Record<string, string> = {};
    for (const name of names) files[name] = await gitIn(['show', `${branch}:${name}`]);
    return files;
  },
  async history(branch) {
    return (await gitIn(['log', '--format=%s', branch])).split('\n').filter((l) => l !== '');
  },
  async branches() {
    return (await gitIn(['branch', '--format=%(refname:short)']))
      .split('\n')
      .filter((b) => b !== '')
      .sort();
  },
  async openPullRequests() {
    return (await database.store.localPullRequests.list(repoDir()))
      .filter((p) => p.status === 'open')
      .map((p) => ({ number: p.number, branch: p.sourceBranch, title: p.title }));
  },
  workspace: (name) => path.join(scratch, 'workspaces', name),
  async treeAt(branch) {
    const listing = await git(['ls-tree', '-r', '-z', branch], { cwd: repoDir() });
    const files = new Map<string, FileEntry>();
    for (const record of listing.split('\0').filter((r) => r !== '')) {
      const [meta = '', name = ''] = record.split('\t');
      const [mode = '', , sha = ''] = meta.split(' ');
      files.set(name, {
        mode,
        bytes: execFileSync('git', ['cat-file', 'blob', sha], { cwd: repoDir() }),
      });
    }
    return files;
  },
});

versionControlContract('local git', localGitFixture);
checkOutContract('local git', localGitFixture);

describe('local git: committing a patch', () => {
  beforeEach(async () => localGitFixture().reset());

  it('refuses to move a branch another git is moving (its lock held): a retryable conflict, then commits on retry', async () => {
    await plugins.git.actions.create_branch({ repository, branch: 'feat/lock' }, callContext());
    const out = await plugins.git.actions.check_out(
      { repository, ref: 'feat/lock', directory: path.join(scratch, 'workspaces', 'lock') },
      callContext(),
    );
    const copy = workingCopyOf(out.directory);
    await protectWorkingCopy(copy);
    await writeFile(path.join(out.directory, 'lock.txt'), 'lock\n');
    const patch = { base: out.head, diff_base64: (await diffSince(copy, out.head)) ?? '' };
    const lock = path.join(repoDir(), '.git', 'refs', 'heads', 'feat', 'lock.lock');
    await writeFile(lock, '');
    const input = { repository, branch: 'feat/lock', message: 'lock', patch };
    await expect(
      plugins.git.actions.commit_changes(input, callContext('run-lock:commit')),
    ).rejects.toMatchObject({
      code: 'conflict',
      retryable: true,
      message: expect.stringContaining('feat/lock') as unknown as string,
    });
    expect(await gitIn(['rev-parse', 'feat/lock'])).toBe(`${out.head}\n`);
    await rm(lock);
    const commit = await plugins.git.actions.commit_changes(input, callContext('run-lock:commit'));
    expect((await gitIn(['rev-parse', 'feat/lock'])).trim()).toBe(commit.sha);
  });
});

documentationContract('local docs', () => ({
  plugin: plugins.docs,
  async reset() {
    await rm(path.join(scratch, 'docs'), { recursive: true, force: true });
  },
  async pages() {
    const root = path.join(scratch, 'docs');
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    return Promise.all(
      entries
        .filter((e) => e.isFile() && e.name.endsWith('.md'))
        .map(async (e) => {
          const body = await readFile(path.join(e.parentPath, e.name), 'utf8');
          return { title: body.split('\n')[0]?.replace(/^# /, '') ?? '', body };
        }),
    );
  },
}));

communicationContract('console channel', () => ({
  plugin: plugins.console,
  channel: 'eng-bots',
  reset() {
    lines.length = 0;
    return Promise.resolve();
  },
  messages() {
    const shown = new Map<string, { id: string; text: string; thread: string | null }>();
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, string>;
      if (entry.plugin !== 'console') continue;
      const text = (entry.msg ?? '').replace(/^#\S+ /, '');
      const id = entry.message_id ?? '';
      shown.set(id, { id, text, thread: entry.thread ?? null });
    }
    return Promise.resolve([...shown.values()]);
  },
}));
