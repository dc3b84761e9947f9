import { createHash } from 'node:crypto';

export interface TreeEntry {
  readonly mode: string;
  readonly sha: string;
  readonly size: number;
}

export interface Commit {
  readonly sha: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly message: string;
}

export interface PullRequest {
  readonly number: number;
  state: 'open' | 'closed';
  readonly title: string;
  readonly body: string | null;
  readonly head: string;
  readonly base: string;
  readonly draft: boolean;
  labels: string[];
  reviewers: string[];
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/**
 * One repository's git objects as GitHub keeps them: blobs (hashed as git does), trees (kept
 * flat, path → entry), commits, refs and pull requests.
 */
export class GitRepository {
  readonly blobs = new Map<string, string>();
  readonly trees = new Map<string, ReadonlyMap<string, TreeEntry>>();
  readonly commits = new Map<string, Commit>();
  readonly refs = new Map<string, string>();
  readonly pulls: PullRequest[] = [];

  constructor(
    readonly owner: string,
    readonly name: string,
    readonly defaultBranch: string,
    files: Readonly<Record<string, string>>,
  ) {
    const tree = this.writeTree(
      new Map(),
      Object.entries(files).map(([path, content]) => ({ path, content })),
    );
    this.refs.set(`heads/${defaultBranch}`, this.writeCommit(tree, [], 'Initial commit'));
  }

  writeBlob(content: string): string {
    const sha = sha1(`blob ${Buffer.byteLength(content)}\0${content}`);
    this.blobs.set(sha, content);
    return sha;
  }

  /** A new tree: the base's entries with these changes (content, a blob sha, or null = delete). */
  writeTree(
    base: ReadonlyMap<string, TreeEntry>,
    changes: readonly { path: string; content?: string; sha?: string | null; mode?: string }[],
  ): string {
    const entries = new Map(base);
    for (const change of changes) {
      if (change.sha === null) {
        entries.delete(change.path);
        continue;
      }
      const sha = change.content !== undefined ? this.writeBlob(change.content) : change.sha;
      if (sha === undefined || !this.blobs.has(sha))
        throw new Error(`tree.sha ${String(sha)} is not a valid blob`);
      entries.set(change.path, {
        mode: change.mode ?? '100644',
        sha,
        size: Buffer.byteLength(this.blobs.get(sha) ?? ''),
      });
    }
    const sorted = [...entries].sort(([a], [b]) => a.localeCompare(b));
    const sha = sha1(`tree ${JSON.stringify(sorted)}`);
    this.trees.set(sha, new Map(sorted));
    return sha;
  }

  writeCommit(tree: string, parents: readonly string[], message: string): string {
    const sha = sha1(`commit ${JSON.stringify({ tree, parents, message, n: this.commits.size })}`);
    this.commits.set(sha, { sha, tree, parents, message });
    return sha;
  }

  /** A tree sha, or the tree of a commit sha or branch name. */
  treeOf(ish: string): ReadonlyMap<string, TreeEntry> | undefined {
    const direct = this.trees.get(ish);
    if (direct !== undefined) return direct;
    const commit = this.commits.get(ish) ?? this.commits.get(this.refs.get(`heads/${ish}`) ?? '');
    return commit === undefined ? undefined : this.trees.get(commit.tree);
  }

  /** Files on a branch, path → content. */
  filesAt(branch: string): Record<string, string> {
    const tree = this.treeOf(branch);
    const files: Record<string, string> = {};
    for (const [path, entry] of tree ?? []) files[path] = this.blobs.get(entry.sha) ?? '';
    return files;
  }

  history(branch: string): string[] {
    const messages: string[] = [];
    let sha = this.refs.get(`heads/${branch}`);
    while (sha !== undefined) {
      const commit = this.commits.get(sha);
      if (commit === undefined) break;
      messages.push(commit.message.split('\n')[0] ?? '');
      sha = commit.parents[0];
    }
    return messages;
  }
}
