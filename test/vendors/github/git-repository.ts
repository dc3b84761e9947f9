import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gitAsync, gitSync, ObjectReader, type GitObject } from './server-git.js';

export interface PullRequest {
  readonly number: number;
  /** Who opened it (GitHub's `user`): the token's user when aidev opened it. */
  readonly author: string;
  state: 'open' | 'closed';
  readonly title: string;
  readonly body: string | null;
  readonly head: string;
  readonly base: string;
  readonly draft: boolean;
  labels: string[];
  /** Asked for a review and not yet reviewed (GitHub's `requested_reviewers`). */
  reviewers: string[];
  /** Who has submitted a review. */
  reviewedBy: string[];
}

/** A comment on a pull request's conversation (GitHub's issue comment). */
export interface IssueComment {
  readonly id: number;
  readonly pull: number;
  readonly author: string;
  readonly body: string;
  readonly createdAt: string;
}

/** A comment on a line of a pull request's diff, or a reply in such a comment's thread. */
export interface ReviewComment extends IssueComment {
  readonly path: string;
  readonly line: number;
  readonly commitId: string;
  /** The thread's first comment, for a reply. */
  readonly inReplyTo: number | undefined;
  /** The review it was written in (default: a review of its own, as GitHub makes for a lone comment). */
  readonly reviewId?: number;
}

/** A check run on a commit: by GitHub Actions (`app` github-actions, a job log) or another app. */
export interface CheckRun {
  readonly id: number;
  readonly headSha: string;
  readonly name: string;
  readonly conclusion: string;
  readonly app: string;
  readonly output: { title: string | null; summary: string | null; text: string | null };
  /** An Actions job's log (served at actions/jobs/{id}/logs); undefined: expired. */
  readonly log: string | undefined;
}

/** A file a test puts in a repository: text, bytes, an executable, or a symbolic link. */
export type RepositoryFile =
  | string
  | Buffer
  | { readonly content: string | Buffer; readonly executable?: boolean }
  | { readonly symlink: string };

export interface TreeEntry {
  readonly mode: string;
  readonly type: 'blob' | 'tree' | 'commit';
  readonly sha: string;
  /** Bytes, for blobs. */
  readonly size: number | undefined;
}

export interface CommitObject {
  readonly sha: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: { name: string; email: string; date: string };
  readonly committer: { name: string; email: string; date: string };
  readonly message: string;
}

export const ZERO_SHA = '0'.repeat(40);

const SOMEONE_ELSE = {
  GIT_AUTHOR_NAME: 'Mona Lisa',
  GIT_AUTHOR_EMAIL: 'mona@example.com',
  GIT_COMMITTER_NAME: 'Mona Lisa',
  GIT_COMMITTER_EMAIL: 'mona@example.com',
};

/**
 * One GitHub repository: a real bare git repository on disk (served to git over smart HTTP and
 * read and written by the REST handlers alike) and its pull requests, which git does not keep.
 * The synchronous readers are for test assertions; handlers use the asynchronous ones.
 */
export class GitRepository {
  readonly pulls: PullRequest[] = [];
  readonly issueComments: IssueComment[] = [];
  readonly reviewComments: ReviewComment[] = [];
  readonly checkRuns: CheckRun[] = [];
  /** People with access, by login (lower case) → role: admin, maintain, write, triage, read. */
  readonly collaborators = new Map<string, string>();
  private readonly objects: ObjectReader;

  constructor(
    readonly owner: string,
    readonly name: string,
    readonly defaultBranch: string,
    /** The bare repository. */
    readonly dir: string,
  ) {
    this.objects = new ObjectReader(dir);
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  // ---- for test assertions ----

  /** Every ref without its `refs/` prefix (`heads/main`) → the object it points to. */
  get refs(): ReadonlyMap<string, string> {
    const listing = gitSync(this.dir, ['for-each-ref', '--format=%(objectname) %(refname)'])
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '');
    return new Map(
      listing.map((line) => {
        const [sha = '', ref = ''] = line.split(' ');
        return [ref.slice('refs/'.length), sha];
      }),
    );
  }

  /** Branch names, sorted. */
  branches(): string[] {
    return [...this.refs.keys()]
      .filter((ref) => ref.startsWith('heads/'))
      .map((ref) => ref.slice('heads/'.length))
      .sort();
  }

  /** Every file (blob) under a ref, path → entry. */
  entriesAt(ref: string): Map<string, TreeEntry> {
    return parseTree(gitSync(this.dir, ['ls-tree', '-r', '-l', '-z', ref]));
  }

  /** Every file on a branch, path → content as UTF-8 text (links: their target). */
  filesAt(ref: string): Record<string, string> {
    const files: Record<string, string> = {};
    for (const [path, entry] of this.entriesAt(ref))
      if (entry.type === 'blob') files[path] = this.blob(entry.sha).toString('utf8');
    return files;
  }

  blob(sha: string): Buffer {
    return gitSync(this.dir, ['cat-file', 'blob', sha]);
  }

  /** The first line of each commit message on a branch, newest first. */
  history(ref: string): string[] {
    return gitSync(this.dir, ['log', '--format=%x00%B', ref, '--'])
      .toString('utf8')
      .split('\0')
      .slice(1)
      .map((message) => message.split('\n')[0] ?? '');
  }

  /** Points a branch at a commit, as a push by someone else would (test set-up). */
  setBranch(branch: string, sha: string): void {
    gitSync(this.dir, ['update-ref', `refs/heads/${branch}`, sha]);
  }

  /**
   * A commit on `branch` writing these text files, made as someone else's push would (test
   * set-up): the branch moves to it. Returns its sha.
   */
  commitFiles(branch: string, files: Readonly<Record<string, string>>, message: string): string {
    const scratch = mkdtempSync(path.join(tmpdir(), 'aidev-github-commit-'));
    const env = { GIT_INDEX_FILE: path.join(scratch, 'index'), ...SOMEONE_ELSE };
    try {
      const tip = gitSync(this.dir, ['rev-parse', '--verify', `refs/heads/${branch}^{commit}`])
        .toString('utf8')
        .trim();
      gitSync(this.dir, ['read-tree', tip], { env });
      for (const [file, content] of Object.entries(files)) {
        const blob = gitSync(this.dir, ['hash-object', '-w', '--stdin'], { input: content })
          .toString('utf8')
          .trim();
        gitSync(this.dir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`], {
          env,
        });
      }
      const tree = gitSync(this.dir, ['write-tree'], { env }).toString('utf8').trim();
      const commit = gitSync(this.dir, ['commit-tree', tree, '-p', tip, '-F', '-'], {
        env,
        input: message,
      })
        .toString('utf8')
        .trim();
      gitSync(this.dir, ['update-ref', `refs/heads/${branch}`, commit, tip]);
      return commit;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  commitSync(ish: string): CommitObject {
    const sha = gitSync(this.dir, ['rev-parse', '--verify', `${ish}^{commit}`])
      .toString('utf8')
      .trim();
    return parseCommit(sha, gitSync(this.dir, ['cat-file', 'commit', sha]));
  }

  // ---- for request handlers ----

  git(args: readonly string[], options: Parameters<typeof gitAsync>[2] = {}): Promise<Buffer> {
    return gitAsync(this.dir, args, options);
  }

  async text(args: readonly string[]): Promise<string> {
    return (await this.git(args)).toString('utf8').trim();
  }

  /** The object `refs/<ref>` points to, exactly that ref (no abbreviation, no revision syntax). */
  async refSha(ref: string): Promise<string | undefined> {
    // show-ref --verify takes a full ref name only: no revision syntax, no abbreviation.
    if (ref.startsWith('-') || ref.includes('..')) return undefined;
    return this.text(['show-ref', '--verify', '--hash', `refs/${ref}`]).catch(() => undefined);
  }

  /** The type of an object (`commit`, `tree`, `blob`), or undefined if there is none. */
  async typeOf(sha: string): Promise<string | undefined> {
    return (await this.objects.read(sha))?.type;
  }

  /** An object's type and bytes, or undefined if there is none. */
  object(sha: string): Promise<GitObject | undefined> {
    return this.objects.read(sha);
  }

  async commit(sha: string): Promise<CommitObject | undefined> {
    const object = await this.objects.read(sha);
    return object?.type === 'commit' ? parseCommit(sha, object.content) : undefined;
  }

  /** Stops the repository's object reader (before the repository is removed). */
  close(): void {
    this.objects.close();
  }

  /** The entries of a tree-ish (a tree, a commit, or a branch name), recursive or top-level. */
  async tree(
    ish: string,
    recursive: boolean,
  ): Promise<{ sha: string; entries: Map<string, TreeEntry> } | undefined> {
    if (ish.startsWith('-')) return undefined;
    const sha = await this.text(['rev-parse', '--verify', '--quiet', `${ish}^{tree}`]).catch(
      () => undefined,
    );
    if (sha === undefined || sha === '') return undefined;
    const args = recursive
      ? ['ls-tree', '-r', '-t', '-l', '-z', sha]
      : ['ls-tree', '-l', '-z', sha];
    return { sha, entries: parseTree(await this.git(args)) };
  }

  /** One path under a tree-ish, or undefined. */
  async entry(ish: string, path: string): Promise<TreeEntry | undefined> {
    const tree = await this.text(['rev-parse', '--verify', '--quiet', `${ish}^{tree}`]).catch(
      () => undefined,
    );
    if (tree === undefined || tree === '') return undefined;
    const listing = parseTree(
      await this.git(['ls-tree', '-l', '-z', '--full-tree', tree, '--', path]),
    );
    return listing.get(path);
  }
}

/** `git ls-tree -l -z` output: `<mode> <type> <sha> <size>\t<path>\0`. */
export function parseTree(output: Buffer): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  for (const record of output.toString('utf8').split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode = '', type = '', sha = '', size = '-'] = record.slice(0, tab).trim().split(/\s+/);
    entries.set(record.slice(tab + 1), {
      mode,
      type: type as TreeEntry['type'],
      sha,
      size: size === '-' ? undefined : Number(size),
    });
  }
  return entries;
}

function parseCommit(sha: string, raw: Buffer): CommitObject {
  const text = raw.toString('utf8');
  const split = text.indexOf('\n\n');
  const header = text.slice(0, split === -1 ? text.length : split).split('\n');
  const field = (name: string) =>
    header.filter((line) => line.startsWith(`${name} `)).map((line) => line.slice(name.length + 1));
  const person = (line: string | undefined) => {
    const match = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line ?? '');
    return {
      name: match?.[1] ?? '',
      email: match?.[2] ?? '',
      date: new Date(Number(match?.[3] ?? 0) * 1000).toISOString().replace('.000Z', 'Z'),
    };
  };
  return {
    sha,
    tree: field('tree')[0] ?? '',
    parents: field('parent'),
    author: person(field('author')[0]),
    committer: person(field('committer')[0]),
    // GitHub answers the message without the newline git ends it with.
    message: split === -1 ? '' : text.slice(split + 2).replace(/\n$/, ''),
  };
}
