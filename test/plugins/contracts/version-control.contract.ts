import { beforeEach, describe, expect, it } from 'vitest';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { callContext } from './call-context.js';

/** The files every contract run starts from, on the default branch `main`. */
export const STARTING_FILES: Readonly<Record<string, string>> = {
  'README.md': '# Shop\n',
  'src/cart.ts': 'export const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);\n',
  'src/legacy.ts': 'export {};\n',
  'test/cart.test.ts': "import { total } from '../src/cart';\n",
};

export interface VersionControlFixture {
  readonly plugin: Plugin<'version_control'>;
  /** The name steps use for the repository. */
  readonly repository: string;
  /** A repository holding STARTING_FILES on `main`, and nothing else. */
  reset(): Promise<void>;
  /** Every file on a branch, as the repository has it. */
  filesAt(branch: string): Promise<Record<string, string>>;
  /** Commit messages on a branch, newest first. */
  history(branch: string): Promise<string[]>;
  branches(): Promise<string[]>;
  openPullRequests(): Promise<{ number: number; branch: string; title: string }[]>;
  /** A person `reset()` gives write permission on the repository, and no other. */
  readonly writer: string;
}

/** What every version-control plugin must do, whatever hosts the repository. */
export function versionControlContract(name: string, fixture: () => VersionControlFixture): void {
  describe(`version control contract: ${name}`, () => {
    beforeEach(async () => fixture().reset());
    const actions = () => fixture().plugin.actions;
    const repository = () => fixture().repository;

    it('reports the repository and its default branch', async () => {
      const { repository: info } = await actions().get_repository_info(
        { repository: repository() },
        callContext(),
      );
      expect(info.default_branch).toBe('main');
      expect(info.url).not.toBe('');
    });

    it('lists the whole file tree with sizes, and reads selected files', async () => {
      const { files } = await actions().get_file_tree({ repository: repository() }, callContext());
      expect(files.map((f) => f.path).sort()).toEqual(Object.keys(STARTING_FILES).sort());
      expect(files.find((f) => f.path === 'README.md')?.size).toBe(7);
      const read = await actions().read_files(
        { repository: repository(), paths: ['src/cart.ts', 'README.md'] },
        callContext(),
      );
      expect(read.files).toEqual([
        { path: 'src/cart.ts', content: STARTING_FILES['src/cart.ts'] },
        { path: 'README.md', content: '# Shop\n' },
      ]);
    });

    it('says which file is missing', async () => {
      await expect(
        actions().read_files({ repository: repository(), paths: ['nope.ts'] }, callContext()),
      ).rejects.toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('nope.ts') as unknown as string,
      });
    });

    it('creates a branch from the default branch, and reuses it when it already exists', async () => {
      const first = await actions().create_branch(
        { repository: repository(), branch: 'aidev/proj-1' },
        callContext(),
      );
      const again = await actions().create_branch(
        { repository: repository(), branch: 'aidev/proj-1' },
        callContext(),
      );
      expect(again.sha).toBe(first.sha);
      expect((await fixture().branches()).sort()).toEqual(['aidev/proj-1', 'main']);
    });

    it('commits writes and a deletion as one commit, once per idempotency key', async () => {
      await actions().create_branch(
        { repository: repository(), branch: 'aidev/proj-1' },
        callContext(),
      );
      const change = {
        repository: repository(),
        branch: 'aidev/proj-1',
        message: 'PROJ-1: round totals',
        changes: [
          { path: 'src/cart.ts', content: 'export const total = () => 0;\n' },
          { path: 'src/round.ts', content: 'export const round = Math.round;\n' },
          { path: 'src/deep/nested/util.ts', content: 'export {};\n' },
          { path: 'test/round.test.ts', content: '// round\n' },
          { path: 'src/legacy.ts', delete: true as const },
        ],
      };
      const context = callContext('run-1:commit');
      const commit = await actions().commit_changes(change, context);
      const again = await actions().commit_changes(change, context);
      expect(again.sha).toBe(commit.sha);
      expect(await fixture().history('aidev/proj-1')).toEqual([
        'PROJ-1: round totals',
        ...(await fixture().history('main')),
      ]);
      const files = await fixture().filesAt('aidev/proj-1');
      expect(Object.keys(files).sort()).toEqual([
        'README.md',
        'src/cart.ts',
        'src/deep/nested/util.ts',
        'src/round.ts',
        'test/cart.test.ts',
        'test/round.test.ts',
      ]);
      expect(files['src/cart.ts']).toBe('export const total = () => 0;\n');
      expect(await fixture().filesAt('main')).toEqual(STARTING_FILES);
    });

    it('refuses to commit to a branch that does not exist', async () => {
      await expect(
        actions().commit_changes(
          {
            repository: repository(),
            branch: 'missing',
            message: 'x',
            changes: [{ path: 'a', content: 'a' }],
          },
          callContext(),
        ),
      ).rejects.toMatchObject({ code: 'not_found' });
    });

    it('opens one pull request per branch, however often the step runs, and finds it', async () => {
      await actions().create_branch({ repository: repository(), branch: 'feat/x' }, callContext());
      await actions().commit_changes(
        {
          repository: repository(),
          branch: 'feat/x',
          message: 'x',
          changes: [{ path: 'x.ts', content: 'x' }],
        },
        callContext(),
      );
      const request = {
        repository: repository(),
        source_branch: 'feat/x',
        title: 'PROJ-1: x',
        description: 'Does x',
        labels: ['aidev'],
      };
      const pr = await actions().create_pull_request(request, callContext('run-1:pr'));
      const again = await actions().create_pull_request(request, callContext('run-2:pr'));
      expect(again.number).toBe(pr.number);
      expect(await fixture().openPullRequests()).toEqual([
        { number: pr.number, branch: 'feat/x', title: 'PROJ-1: x' },
      ]);
      const found = await actions().find_pull_request(
        { repository: repository(), branch: 'feat/x' },
        callContext(),
      );
      expect(found.pull_request).toEqual({ pr_url: pr.pr_url, number: pr.number });
    });

    it('says who may write to the repository, and that a stranger may not', async () => {
      const permission = (user: string) =>
        actions().get_permission({ repository: repository(), user }, callContext());
      expect(await permission(fixture().writer)).toEqual({ permission: 'write' });
      expect(await permission('a-stranger')).toEqual({ permission: 'none' });
    });

    it('undoes a pull request and its branch (the compensations)', async () => {
      await actions().create_branch({ repository: repository(), branch: 'feat/y' }, callContext());
      await actions().commit_changes(
        {
          repository: repository(),
          branch: 'feat/y',
          message: 'y',
          changes: [{ path: 'y.ts', content: 'y' }],
        },
        callContext(),
      );
      const pr = await actions().create_pull_request(
        { repository: repository(), source_branch: 'feat/y', title: 'y' },
        callContext(),
      );
      expect(
        await actions().close_pull_request(
          { repository: repository(), number: pr.number },
          callContext(),
        ),
      ).toEqual({ closed: true });
      expect(
        (
          await actions().find_pull_request(
            { repository: repository(), branch: 'feat/y' },
            callContext(),
          )
        ).pull_request,
      ).toBeNull();
      expect(
        await actions().delete_branch(
          { repository: repository(), branch: 'feat/y' },
          callContext(),
        ),
      ).toEqual({ deleted: true });
      expect(
        await actions().delete_branch(
          { repository: repository(), branch: 'feat/y' },
          callContext(),
        ),
      ).toEqual({ deleted: false });
      expect(await fixture().branches()).toEqual(['main']);
    });
  });
}
