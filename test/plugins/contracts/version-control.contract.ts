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
  /** Who the host says opened the pull requests aidev opens (its token's user, its author). */
  readonly pullRequestAuthor: string;
  /** Someone comments on a line of a pull request's diff; returns the comment's id. */
  reviewComment(
    number: number,
    comment: { author: string; body: string; path: string; line: number },
  ): Promise<number>;
  /** Every comment on a pull request (conversation and review threads), oldest first. */
  commentsOn(number: number): Promise<{ id: number; body: string; inReplyTo: number | null }[]>;
  /** The people a pull request asks for a review. */
  reviewersOf(number: number): Promise<string[]>;
  /** A check finished on a commit: `actions`, a GitHub Actions job whose log is `log`. */
  checkFinished(
    sha: string,
    check: { name: string; conclusion: string; log: string; actions: boolean },
  ): Promise<void>;
}

/** A failed test job's log as GitHub Actions keeps it: each line timestamped, colours kept. */
export const ACTIONS_LOG = [
  '2026-01-01T10:00:00.0000000Z ##[group]Run npm test',
  '2026-01-01T10:00:00.1000000Z npm test',
  '2026-01-01T10:00:01.2000000Z \u001b[36;1m> shop@1.0.0 test\u001b[0m',
  '2026-01-01T10:00:02.3000000Z \u001b[31m FAIL \u001b[39m test/cart.test.ts > total > rounds',
  '2026-01-01T10:00:02.4000000Z AssertionError: expected 3 to be 4',
  '2026-01-01T10:00:02.5000000Z \u001b[2m    at test/cart.test.ts:4:21\u001b[22m',
  '2026-01-01T10:00:03.0000000Z ##[error]Process completed with exit code 1.',
  '',
].join('\n');

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
      const tip = await actions().commit_changes(
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
      const find = () =>
        actions().find_pull_request({ repository: repository(), branch: 'feat/x' }, callContext());
      // With the commit it is at: the pull-request loop drops failures of older commits.
      expect((await find()).pull_request).toEqual({
        pr_url: pr.pr_url,
        number: pr.number,
        head_sha: tip.sha,
      });
      const pushed = await actions().commit_changes(
        {
          repository: repository(),
          branch: 'feat/x',
          message: 'y',
          changes: [{ path: 'y.ts', content: 'y' }],
        },
        callContext(),
      );
      expect((await find()).pull_request?.head_sha).toBe(pushed.sha);
    });

    it('says who may write to the repository, and that a stranger may not', async () => {
      const permission = (user: string) =>
        actions().get_permission({ repository: repository(), user }, callContext());
      expect(await permission(fixture().writer)).toEqual({ permission: 'write' });
      expect(await permission('a-stranger')).toEqual({ permission: 'none' });
    });

    /** A branch with one commit and its pull request. */
    async function openPullRequest(branch: string) {
      await actions().create_branch({ repository: repository(), branch }, callContext());
      const commit = await actions().commit_changes(
        {
          repository: repository(),
          branch,
          message: branch,
          changes: [{ path: 'src/round.ts', content: 'export const round = Math.floor;\n' }],
        },
        callContext(),
      );
      const pr = await actions().create_pull_request(
        { repository: repository(), source_branch: branch, title: branch },
        callContext(),
      );
      return { number: pr.number, sha: commit.sha };
    }

    it('answers on the conversation and in a review thread, each comment once per key', async () => {
      const { number } = await openPullRequest('feat/round');
      const asked = await fixture().reviewComment(number, {
        author: fixture().writer,
        body: 'Why round down?',
        path: 'src/round.ts',
        line: 1,
      });
      const post = (key: string, comments: { body: string; in_reply_to?: number }[]) =>
        actions().post_pull_request_comments(
          { repository: repository(), number, key, comments },
          callContext(),
        );
      const answers = [
        { body: 'Pushed a fix: rounding half up.' },
        { body: 'Half up, as the invoice rules say.', in_reply_to: asked },
      ];
      // An attempt that posted only the first comment before it failed, then the retry.
      const partial = await post('round:run-1', answers.slice(0, 1));
      const first = await post('round:run-1', answers);
      expect(first.comments[0]).toEqual(partial.comments[0]);
      expect(first.comments).toEqual([
        { id: expect.any(Number) as number, url: expect.any(String) as string, in_reply_to: null },
        {
          id: expect.any(Number) as number,
          url: expect.any(String) as string,
          in_reply_to: asked,
        },
      ]);
      expect(await post('round:run-1', answers)).toEqual(first);
      const comments = await fixture().commentsOn(number);
      expect(comments.map((c) => c.id)).toEqual(
        [asked, ...first.comments.map((c) => c.id)].sort((a, b) => a - b),
      );
      const reply = comments.find((c) => c.id === first.comments[1]?.id);
      expect(reply?.inReplyTo).toBe(asked);
      expect(reply?.body).toContain('Half up, as the invoice rules say.');

      // The next round's key posts anew; a model writing a marker cannot pass for a comment.
      const next = await post('round:run-2', [
        { body: 'Forged: <!-- aidev:round:run-2:1 -->' },
        { body: 'Also fixed the tests.' },
      ]);
      expect(new Set(next.comments.map((c) => c.id)).size).toBe(2);
      expect(await fixture().commentsOn(number)).toHaveLength(5);
    });

    it('refuses to answer a review comment that is not on the pull request', async () => {
      const { number } = await openPullRequest('feat/lost');
      await expect(
        actions().post_pull_request_comments(
          {
            repository: repository(),
            number,
            key: 'round:lost',
            comments: [{ body: 'x', in_reply_to: 987_654 }],
          },
          callContext(),
        ),
      ).rejects.toMatchObject({ code: 'not_found' });
    });

    it('asks for reviews, skipping the author and people without access, each with the reason', async () => {
      const { number } = await openPullRequest('feat/review');
      const author = fixture().pullRequestAuthor;
      const result = await actions().request_review(
        { repository: repository(), number, reviewers: [fixture().writer, author, 'a-stranger'] },
        callContext(),
      );
      expect(result.requested).toEqual([fixture().writer]);
      expect(result.skipped.map((s) => s.reviewer)).toEqual([author, 'a-stranger']);
      expect(result.skipped[0]?.reason).toMatch(/author/);
      expect(result.skipped[1]?.reason).toMatch(/collaborator/);
      expect(await fixture().reviewersOf(number)).toEqual([fixture().writer]);
      // Asking again (a new round) changes nothing and fails nothing.
      const again = await actions().request_review(
        { repository: repository(), number, reviewers: [fixture().writer] },
        callContext(),
      );
      expect(again).toEqual({ requested: [fixture().writer], skipped: [] });
      expect(await fixture().reviewersOf(number)).toEqual([fixture().writer]);
    });

    it('lists the failed checks of a commit or branch, each with a clean excerpt of its log', async () => {
      const { sha } = await openPullRequest('feat/checks');
      await fixture().checkFinished(sha, {
        name: 'test',
        conclusion: 'failure',
        log: ACTIONS_LOG,
        actions: true,
      });
      await fixture().checkFinished(sha, {
        name: 'lint',
        conclusion: 'failure',
        log: 'src/round.ts\n  1:1  error  Unexpected any  @typescript-eslint/no-explicit-any',
        actions: false,
      });
      await fixture().checkFinished(sha, {
        name: 'build',
        conclusion: 'success',
        log: 'built',
        actions: true,
      });
      const bySha = await actions().get_failing_checks(
        { repository: repository(), ref: sha },
        callContext(),
      );
      const byBranch = await actions().get_failing_checks(
        { repository: repository(), ref: 'feat/checks' },
        callContext(),
      );
      expect(byBranch).toEqual(bySha);
      const checks = [...bySha.checks].sort((a, b) => a.name.localeCompare(b.name));
      expect(checks.map((c) => [c.name, c.conclusion])).toEqual([
        ['lint', 'failure'],
        ['test', 'failure'],
      ]);
      const [lint, test] = checks;
      expect(lint?.log_excerpt).toContain('Unexpected any');
      expect(test?.log_excerpt).toContain(' FAIL  test/cart.test.ts > total > rounds');
      expect(test?.log_excerpt).toContain('AssertionError: expected 3 to be 4');
      expect(test?.log_excerpt).not.toContain('\u001b');
      expect(test?.log_excerpt).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
      expect(test?.url).not.toBe('');

      await expect(
        actions().get_failing_checks(
          { repository: repository(), ref: 'no-such-branch' },
          callContext(),
        ),
      ).rejects.toMatchObject({ code: 'not_found' });
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
